/* Harness: what the server does with a request's path and headers before any handler
 * runs (src/http/request.c). The input is split at the first two newlines into a path, an
 * Authorization header value and a Cookie header value. Checked:
 *  - route_match against patterns with parameters first, in the middle and last: on a
 *    match, every parameter is a non-empty segment without '/', shorter than its buffer,
 *    and putting the parameters back into the pattern gives the path again;
 *  - session_token: a Bearer header wins and is returned whole; otherwise the token is the
 *    value of the cookie named exactly jx_session, without ';' or ' ', NUL-terminated and
 *    shorter than the buffer. */
#include "fuzz.h"
#include "http/request.h"

static const char *const patterns[] = {
    "/api/v1/competitions/{}",          "/api/v1/competitions/{}/marks",
    "/api/v1/competitions/{}/sheets/{}", "/api/v1/competitions/{}/modules/{}/lock",
    "{}/x/{}",                          "/{}",
};

static FUZZ_CHECKER void check_route(const char *pattern, const char *path)
{
    char params[ROUTE_PARAMS][ROUTE_PARAM_SIZE];
    if (!route_match(pattern, path, params)) return;
    char rebuilt[4 * ROUTE_PARAM_SIZE + 256] = "";
    int n = 0;
    for (const char *p = pattern; *p;) {
        if (p[0] == '{' && p[1] == '}') {
            size_t len = strlen(params[n]);
            CHECK(len > 0 && len < ROUTE_PARAM_SIZE && !strchr(params[n], '/'));
            strcat(rebuilt, params[n++]);
            p += 2;
        } else {
            strncat(rebuilt, p++, 1);
        }
    }
    CHECK(strcmp(rebuilt, path) == 0);
}

static FUZZ_CHECKER void check_token(const char *authorization, const char *cookie)
{
    char token[129];
    bool from_cookie = true;
    bool found = session_token(authorization, cookie, token, sizeof token, &from_cookie);
    bool bearer = strncmp(authorization, "Bearer ", 7) == 0;
    if (bearer) {
        CHECK(!from_cookie);
        CHECK(found == (strlen(authorization + 7) < sizeof token));
        if (found) CHECK(strcmp(token, authorization + 7) == 0);
        return;
    }
    if (!found) return;
    CHECK(from_cookie);
    CHECK(strlen(token) > 0 && strlen(token) < sizeof token);
    CHECK(!strchr(token, ';') && !strchr(token, ' '));
    /* "jx_session=<token>" stands in the cookie at a boundary, with the token whole. */
    char pair[160];
    snprintf(pair, sizeof pair, "jx_session=%s", token);
    bool stands = false;
    for (const char *at = cookie; !stands && (at = strstr(at, pair)); at++)
        stands = (at == cookie || at[-1] == ' ' || at[-1] == ';') && strchr("; ", at[strlen(pair)]);
    CHECK(stands);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 600) return 0; /* headers over 16 KB are refused earlier; keep runs fast */
    char text[601];
    memcpy(text, data, size);
    text[size] = '\0';
    char *authorization = strchr(text, '\n');
    if (!authorization) return 0;
    *authorization++ = '\0';
    char *cookie = strchr(authorization, '\n');
    if (!cookie) return 0;
    *cookie++ = '\0';
    for (size_t i = 0; i < sizeof patterns / sizeof patterns[0]; i++) check_route(patterns[i], text);
    check_token(authorization, cookie);
    return 0;
}
