/* Route matching and session-token extraction: plain string work on what libevent has
 * parsed, bounded by the sizes in request.h. */
#include "http/request.h"

#include <stdio.h>
#include <string.h>

bool route_match(const char *pattern, const char *path, char params[ROUTE_PARAMS][ROUTE_PARAM_SIZE])
{
    int n = 0;
    while (*pattern && *path) {
        if (pattern[0] == '{' && pattern[1] == '}') {
            size_t len = strcspn(path, "/");
            if (len == 0 || len >= ROUTE_PARAM_SIZE || n == ROUTE_PARAMS) return false;
            memcpy(params[n], path, len);
            params[n++][len] = '\0';
            path += len;
            pattern += 2;
        } else if (*pattern++ != *path++) {
            return false;
        }
    }
    return *pattern == '\0' && *path == '\0';
}

bool session_token(const char *authorization, const char *cookie, char *out, size_t size,
                   bool *from_cookie)
{
    *from_cookie = false;
    if (authorization && strncmp(authorization, "Bearer ", 7) == 0) {
        if (strlen(authorization + 7) >= size) return false;
        snprintf(out, size, "%s", authorization + 7);
        return true;
    }
    /* The cookie named exactly SESSION_COOKIE: at the start or after "; " or ";". */
    for (const char *p = cookie; p && (p = strstr(p, SESSION_COOKIE "=")); p++) {
        if (p != cookie && p[-1] != ' ' && p[-1] != ';') continue;
        p += strlen(SESSION_COOKIE "=");
        size_t len = strcspn(p, "; ");
        if (len == 0 || len >= size) return false;
        memcpy(out, p, len);
        out[len] = '\0';
        *from_cookie = true;
        return true;
    }
    return false;
}
