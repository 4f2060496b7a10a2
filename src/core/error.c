/* Filling a jx_error. Kept apart so every layer shares one formatting rule: messages
 * are truncated, never overflow, and never end in half a UTF-8 character. */
#include "core/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/utf8.h"

int jx_fail(struct jx_error *e, int status, const char *code, const char *field,
            const char *fmt, ...)
{
    if (!e) return -1;
    e->status = status;
    snprintf(e->code, sizeof e->code, "%s", code);
    snprintf(e->field, sizeof e->field, "%s", field ? field : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    va_end(ap);
    utf8_scrub(e->message);
    utf8_scrub(e->field);
    return -1;
}
