/* Harness: the headers a live-display or spectator request brings, as the server reads
 * them. The input is split at its first two newlines into a Last-Event-ID value, a Host
 * value and a Cookie value (each used up to a NUL), set on a real evhttp request. Checked:
 *  - last_event_id (GET …/live, src/api/live.c; included here for its static function):
 *    -1 unless the value is 1–18 decimal digits, and then exactly their value (never
 *    negative, never overflowing: the hub compares it with sequences);
 *  - spectator_url (GET …/display public_url, GET …/qr.svg): "http://HOST/watch/ID" with
 *    the Host header only when it is 1–199 characters of [A-Za-z0-9.:[]-], else the
 *    default host; never truncated, and nothing in it a URL or SVG would need escaped;
 *    qr_svg of it is one well-formed <svg>…</svg> element;
 *  - social_device (src/social/social.c, every spectator POST): the device is 32 lowercase
 *    hex digits; a device from the cookie is only ever one signed with the server's key
 *    (the MAC checked here again with libsodium); a new device comes with a Set-Cookie
 *    that, sent back, is recognised as the same device with no new cookie; the device kept
 *    is the first cookie named jx_device whose whole value is signed, wherever it stands. */
#include <event2/keyvalq_struct.h>
#include <sodium.h>

#include "fuzz.h"
#include "api/live.c" /* static last_event_id, spectator_url */
#include "format/qr_svg.h"
#include "social/internal.h"

#define ID "irom-final-2026"
#define DEFAULT_HOST "127.0.0.1:8080"
#define HOST_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]"

static struct social social; /* only its key is used by social_device; fixed, so that the
                              * seeds in fuzz/corpus/live carry valid MACs */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    if (sodium_init() < 0) abort();
    for (size_t i = 0; i < sizeof social.key; i++) social.key[i] = (unsigned char)(i * 7 + 1);
    return 0;
}

static FUZZ_CHECKER void check_last_event_id(struct evhttp_request *req, const char *value)
{
    /* evhttp refuses some values (CR, LF): then the header is absent. */
    const char *stored = evhttp_find_header(evhttp_request_get_input_headers(req), "Last-Event-ID");
    int64_t got = last_event_id(req);
    size_t n = stored ? strlen(stored) : 0;
    bool digits = n >= 1 && n <= 18 && strspn(stored, "0123456789") == n;
    if (!digits) {
        CHECK(got == -1);
        return;
    }
    int64_t want = 0;
    for (size_t i = 0; i < n; i++) want = want * 10 + (stored[i] - '0');
    CHECK(got == want && got >= 0);
    CHECK(stored == NULL || strcmp(stored, value) == 0);
}

static FUZZ_CHECKER void check_url(struct ctx *c, const char *host_value)
{
    const char *host = evhttp_find_header(evhttp_request_get_input_headers(c->req), "Host");
    char url[300];
    memset(url, 'X', sizeof url);
    spectator_url(c, ID, url, sizeof url);
    CHECK(memchr(url, '\0', sizeof url) != NULL);
    bool plain = host && *host && strlen(host) < 200 && strspn(host, HOST_CHARS) == strlen(host);
    char want[600];
    snprintf(want, sizeof want, "http://%s/watch/%s", plain ? host : DEFAULT_HOST, ID);
    if (strcmp(url, want) != 0) fprintf(stderr, "==fuzz== url %s, expected %s\n", url, want);
    CHECK(strcmp(url, want) == 0);
    CHECK(strlen(url) < sizeof url - 1); /* never at the edge of truncation */
    /* Nothing that would need escaping in an attribute, a path or the SVG. */
    CHECK(strcspn(url, "\"'<>&\\ \t\r\n?#@%") == strlen(url));
    char *svg = qr_svg(url);
    CHECK(svg);
    CHECK(strncmp(svg, "<svg ", 5) == 0);
    CHECK(strcmp(svg + strlen(svg) - 7, "</svg>\n") == 0);
    CHECK(strstr(svg, "<svg") == svg && strstr(svg + 1, "<svg") == NULL);
    free(svg);
}

/* The hex MAC social_device gives a device id: 16 bytes of crypto_auth, in hex. */
static FUZZ_CHECKER void mac_hex(const char device[33], char hex[33])
{
    unsigned char mac[crypto_auth_BYTES];
    crypto_auth(mac, (const unsigned char *)device, 32, social.key);
    sodium_bin2hex(hex, 33, mac, 16);
}

static FUZZ_CHECKER bool lower_hex(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) return false;
    return true;
}

/* A value "DEVICE.MAC" correctly signed; whole: nothing but ';', ' ' or the end after it. */
static FUZZ_CHECKER bool signed_value(const char *v, bool whole, char device[33])
{
    if (strlen(v) < 65 || v[32] != '.' || !lower_hex(v, 32)) return false;
    memcpy(device, v, 32);
    device[32] = '\0';
    char hex[33];
    mac_hex(device, hex);
    if (memcmp(hex, v + 33, 32) != 0) return false;
    return !whole || v[65] == '\0';
}

static FUZZ_CHECKER void check_device(const char *cookie)
{
    char device[33], set_cookie[160];
    memset(device, 'X', sizeof device);
    memset(set_cookie, 'X', sizeof set_cookie);
    social_device(&social, cookie, device, set_cookie);
    CHECK(device[32] == '\0' && lower_hex(device, 32));
    CHECK(memchr(set_cookie, '\0', sizeof set_cookie) != NULL);

    /* What a correct reader finds: the first cookie named jx_device (pairs split at ';',
     * leading spaces skipped, trailing spaces dropped) whose whole value is signed. */
    char want_device[33] = "";
    bool found = false;
    for (const char *p = cookie; p && *p && !found;) {
        p += strspn(p, " ;");
        size_t len = strcspn(p, ";");
        if (len > 10 && strncmp(p, "jx_device=", 10) == 0) {
            char value[128];
            size_t n = len - 10;
            while (n && p[10 + n - 1] == ' ') n--;
            if (n < sizeof value) {
                memcpy(value, p + 10, n);
                value[n] = '\0';
                found = signed_value(value, true, want_device);
            }
        }
        p += len;
    }
    if (!*set_cookie) {
        /* Kept: only ever a device the server signed, the one the first valid cookie names. */
        CHECK(found && strcmp(device, want_device) == 0);
    } else {
        CHECK(!found);
        char hex[33], want[160];
        mac_hex(device, hex);
        snprintf(want, sizeof want,
                 "jx_device=%s.%s; Path=/; Max-Age=31536000; HttpOnly; SameSite=Strict", device, hex);
        CHECK(strcmp(set_cookie, want) == 0);
        /* Sent back, the new cookie is the same device and needs no new one. */
        char back[160], again[33], again_set[160];
        snprintf(back, sizeof back, "%.*s", (int)strcspn(set_cookie, ";"), set_cookie);
        social_device(&social, back, again, again_set);
        CHECK(strcmp(again, device) == 0 && again_set[0] == '\0');
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    CHECK(text);
    memcpy(text, data, size);
    text[size] = '\0';
    char *parts[3] = {text, "", ""};
    char *nl = strchr(text, '\n');
    if (nl) {
        *nl = '\0';
        parts[1] = nl + 1;
        if ((nl = strchr(parts[1], '\n'))) {
            *nl = '\0';
            parts[2] = nl + 1;
        }
    }

    struct evhttp_request *req = evhttp_request_new(NULL, NULL);
    CHECK(req);
    struct evkeyvalq *in = evhttp_request_get_input_headers(req);
    evhttp_add_header(in, "Last-Event-ID", parts[0]);
    evhttp_add_header(in, "Host", parts[1]);
    struct ctx c;
    memset(&c, 0, sizeof c);
    c.req = req;

    check_last_event_id(req, parts[0]);
    check_url(&c, parts[1]);
    check_device(parts[2]);
    check_device(NULL);

    evhttp_request_free(req);
    free(text);
    return 0;
}
