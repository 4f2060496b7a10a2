/* UTF-8 validity as strict as jansson's (no overlongs, surrogates or code points past
 * U+10FFFF), for input checks and for cleaning text that was cut mid-character. */
#ifndef JX_CORE_UTF8_H
#define JX_CORE_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* Length of the valid, non-NUL sequence at s (at most n bytes available), or 0. */
size_t utf8_sequence(const unsigned char *s, size_t n);
bool utf8_valid(const unsigned char *s, size_t n);
/* Characters (code points) in a valid UTF-8 string: what users mean by "length". */
size_t utf8_length(const char *s);
/* Drops, in place, every byte that is not part of a valid sequence. */
void utf8_scrub(char *s);

#endif
