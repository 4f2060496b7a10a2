/* Checking and cleaning UTF-8 byte by byte; see utf8.h for the rules. */
#include "core/utf8.h"

#include <string.h>

size_t utf8_sequence(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len == 0 || len > n || c == 0 || (len == 2 && c < 0xc2)) return 0;
    for (size_t k = 1; k < len; k++)
        if ((s[k] & 0xc0) != 0x80) return 0;
    if (len == 3 && ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] >= 0xa0))) return 0;
    if (len == 4 && (c > 0xf4 || (c == 0xf0 && s[1] < 0x90) || (c == 0xf4 && s[1] >= 0x90))) return 0;
    return len;
}

bool utf8_valid(const unsigned char *s, size_t n)
{
    for (size_t i = 0, len; i < n; i += len)
        if ((len = utf8_sequence(s + i, n - i)) == 0) return false;
    return true;
}

size_t utf8_length(const char *s)
{
    size_t n = 0;
    for (; *s; s++) n += ((unsigned char)*s & 0xc0) != 0x80;
    return n;
}

void utf8_scrub(char *s)
{
    unsigned char *in = (unsigned char *)s, *out = in;
    size_t left = strlen(s);
    while (left > 0) {
        size_t len = utf8_sequence(in, left);
        if (len == 0) {
            in++;
            left--;
            continue;
        }
        memmove(out, in, len);
        out += len;
        in += len;
        left -= len;
    }
    *out = '\0';
}
