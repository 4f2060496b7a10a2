/* Reading a mark event's body without building a JSON tree: the flat object the server
 * writes (json_dumps of a MARK with JX_BODY_FLAGS), for replaying a long log quickly.
 * It accepts only what it can read exactly as mark_from_json over jansson would; for
 * anything else it says so and the caller falls back to jansson, which then accepts or
 * refuses (with its own error) as before. */
#ifndef JX_FORMAT_MARK_FAST_H
#define JX_FORMAT_MARK_FAST_H

#include <stddef.h>

#include "core/contest.h"

/* Bytes of scratch that hold the decoded strings of a body of len bytes. */
#define MARK_FAST_SCRATCH(len) ((len) + 1)

/* Decodes text (NUL-terminated, as json_loads reads it) into *m, whose strings point into
 * scratch (size bytes; MARK_FAST_SCRATCH(strlen(text)) is always enough, and with less it
 * may decline, never write past it). Returns 0 when
 * *m is exactly what json_loads(text, JSON_REJECT_DUPLICATES) + mark_from_json would give
 * (at_ms is left 0); returns 1 when the text is not such a mark's plain form: then *m is
 * unspecified and the caller must use jansson.
 *
 * Read: an object (whitespace allowed) whose members are the MARK's keys, each at most
 * once, spelled without escapes: key, contestant, criterion, judge, reason, void with
 * string values (any escape, valid UTF-8, no \u0000, within mark_from_json's lengths);
 * value, seconds, deduction with numbers -?(0|[1-9][0-9]*)(.[0-9]{1,3})? of magnitude at
 * most 1e9; a key; and exactly one of value, seconds, deduction, void, with contestant
 * and criterion unless it is a void. Anything else (another key, null, an exponent, a
 * fourth decimal, a duplicate, an error) is left to jansson. */
int mark_fast_decode(const char *text, char *scratch, size_t size, struct mark *m);

#endif
