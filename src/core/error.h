/* The one error type every layer fills: a class (as an HTTP status), a stable code,
 * a human message and the offending field, so the API can answer {"error": {...}}. */
#ifndef JX_CORE_ERROR_H
#define JX_CORE_ERROR_H

struct jx_error {
    int status;        /* 400 invalid, 403 forbidden, 404 unknown, 409 conflict, 413, 500 */
    char code[48];     /* e.g. "invalid_value" */
    char field[128];   /* e.g. "marks[3].value"; empty when it does not apply */
    char message[320]; /* zh-CN first, then English */
};

/* Fills e (when not NULL) and returns -1, so callers can `return jx_fail(...)`. */
int jx_fail(struct jx_error *e, int status, const char *code, const char *field,
            const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#endif
