/* Harness: our request-level code that takes untrusted text (libevent's own HTTP parser
 * is not ours to fuzz). Each input is used whole, as a C string (up to its first NUL):
 *  - id_is_valid (path parameters, ids in bodies) must agree with its documented rule:
 *    1–64 characters of A–Z a–z 0–9 _ . -;
 *  - scope_parse (?scope= of GET …/standings, --scope of `jiangxing score`) against the demo
 *    competition must accept exactly "overall", "group:ID", "venue:ID", "module:ID" for the
 *    scheme's ids, and its answer must list through standings_to_json;
 *  - numbers: strtod of the text, when milli_from_double accepts it, must survive
 *    milli_format → strtod → milli_from_double unchanged; and the first 8 bytes, as an
 *    int64 m reduced to |m| < 10^12, must too (DESIGN: scores are exact thousandths).
 *    milli_format of any int64 must read back exactly as an integer decimal, with no
 *    trailing zeros and at most three decimals. micro_from_double is checked the same way
 *    for millionths (weights, award ratios). */
#include <errno.h>
#include <inttypes.h>
#include <math.h>

#include "fuzz.h"

static struct contest demo;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    json_object_seed(1);
    fuzz_demo_contest(&demo);
    return 0;
}

static int reference_id_is_valid(const char *id)
{
    size_t n = strlen(id);
    if (n < 1 || n > 64) return 0;
    return strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") == n;
}

static void check_scope(const char *text)
{
    const struct scheme *s = &demo.scheme;
    struct scope scopes[64], parsed;
    int n = fuzz_scopes(s, scopes, 64), expected = -1;
    for (int i = 0; i < n; i++) {
        char buf[80];
        if (strcmp(text, fuzz_scope_text(s, scopes[i], buf)) == 0) expected = i;
    }
    bool ok = scope_parse(s, text, &parsed);
    CHECK(ok == (expected >= 0));
    if (!ok) return;
    CHECK(parsed.kind == scopes[expected].kind && parsed.index == scopes[expected].index);
    fuzz_check_standings_json(&demo, parsed, text, 1);
}

/* milli_format(m) must be canonical and read back exactly, as text and as an integer. */
static void check_format(milli_t m)
{
    char buf[32];
    const char *text = milli_format(m, buf);
    CHECK(text == buf && strlen(buf) < 32);
    const char *p = buf;
    int negative = *p == '-';
    if (negative) p++;
    CHECK(m < 0 ? negative : !negative);
    CHECK(*p >= '0' && *p <= '9');
    CHECK(p[0] != '0' || p[1] == '\0' || p[1] == '.'); /* no leading zeros */
    uint64_t whole = 0, frac = 0;
    int digits = 0;
    for (; *p >= '0' && *p <= '9'; p++) whole = whole * 10 + (uint64_t)(*p - '0');
    if (*p == '.') {
        for (p++; *p >= '0' && *p <= '9'; p++, digits++) frac = frac * 10 + (uint64_t)(*p - '0');
        CHECK(digits >= 1 && digits <= 3 && p[-1] != '0'); /* no trailing zeros */
    }
    CHECK(*p == '\0');
    for (; digits < 3; digits++) frac *= 10;
    uint64_t magnitude = m < 0 ? (uint64_t)0 - (uint64_t)m : (uint64_t)m;
    CHECK(whole * 1000 + frac == magnitude);
}

/* milli_from_double(strtod(milli_format(m))) == m. */
static void check_round_trip(milli_t m)
{
    char buf[32];
    char *end;
    double x = strtod(milli_format(m, buf), &end);
    CHECK(*end == '\0');
    milli_t back;
    if (!milli_from_double(x, &back)) {
        fprintf(stderr, "==fuzz== m=%" PRId64 " text=%s x=%.17g refused\n", m, buf, x);
        CHECK(0);
    }
    if (back != m) fprintf(stderr, "==fuzz== m=%" PRId64 " text=%s back=%" PRId64 "\n", m, buf, back);
    CHECK(back == m);
}

/* The same for millionths, formatted as the competition file would write them. */
static void check_micro_round_trip(int64_t u)
{
    char buf[48];
    uint64_t a = u < 0 ? (uint64_t)0 - (uint64_t)u : (uint64_t)u;
    snprintf(buf, sizeof buf, "%s%" PRIu64 ".%06" PRIu64, u < 0 ? "-" : "", a / 1000000, a % 1000000);
    int64_t back;
    CHECK(micro_from_double(strtod(buf, NULL), &back));
    CHECK(back == u);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    CHECK(text);
    memcpy(text, data, size);
    text[size] = '\0';

    CHECK(id_is_valid(text) == (bool)reference_id_is_valid(text));
    check_scope(text);

    /* The text as a number, as jansson would hand it over (strtod). */
    errno = 0;
    double x = strtod(text, NULL);
    milli_t m;
    if (milli_from_double(x, &m)) {
        CHECK(isfinite(x) && fabs(x) <= 1e12);
        CHECK(m >= -1000000000000000LL && m <= 1000000000000000LL);
        CHECK(fabs(x * 1000 - (double)m) <= 0.5 + fabs(x) * 1e-12);
        check_format(m);
        check_round_trip(m);
    }
    int64_t u;
    if (micro_from_double(x, &u)) CHECK(isfinite(x) && fabs(x) <= 1e12);

    /* The bytes as an integer. */
    if (size >= 8) {
        int64_t raw;
        memcpy(&raw, data, 8);
        check_format(raw);
        check_round_trip(raw % 1000000000000LL);        /* |m| < 10^12 thousandths */
        check_micro_round_trip(raw % 1000000000000LL);  /* |u| < 10^6 points */
    }
    free(text);
    return 0;
}
