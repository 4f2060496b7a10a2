/* The parts of reading a request that are ours rather than libevent's, as pure functions
 * (so they can be fuzzed alone): matching a path to a route pattern, and finding the
 * session token in the Authorization or Cookie header. */
#ifndef JX_HTTP_REQUEST_H
#define JX_HTTP_REQUEST_H

#include <stdbool.h>
#include <stddef.h>

#define ROUTE_PARAMS 3
#define ROUTE_PARAM_SIZE 129
#define SESSION_COOKIE "jx_session"

/* True when path matches pattern, where each "{}" in the pattern stands for one
 * non-empty path segment of at most 128 bytes; the segments are copied into params. */
bool route_match(const char *pattern, const char *path, char params[ROUTE_PARAMS][ROUTE_PARAM_SIZE]);
/* The token from "Authorization: Bearer …" (either header may be NULL) or else the
 * session cookie; *from_cookie tells which. False when there is none or it does not fit. */
bool session_token(const char *authorization, const char *cookie, char *out, size_t size,
                   bool *from_cookie);

#endif
