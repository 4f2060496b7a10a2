/* A mark event's body read in one pass, no allocation: see mark_fast.h for what is read
 * here and what is left to jansson. The rules mirror jansson 2.14's decoder (strings,
 * escapes, UTF-8, numbers, duplicates) and mark_from_json (lengths, required fields,
 * three decimals, the 1e9 range); fuzz/fuzz_mark_fast.c checks every answer against them. */
#include "format/mark_fast.h"

#include <stdint.h>
#include <string.h>

#include "core/utf8.h" /* utf8_length */
#include "format/mark_json.h"

enum field { F_KEY, F_CONTESTANT, F_CRITERION, F_JUDGE, F_REASON, F_VOID, F_VALUE, F_SECONDS,
             F_DEDUCTION, N_FIELDS, F_UNKNOWN = N_FIELDS };

#define STRING_FIELDS 6 /* F_KEY .. F_VOID take strings, the rest numbers */

/* Longest value of each string field, in characters (mark_from_json's limits). */
static const size_t max_chars[STRING_FIELDS] = {MAX_KEY, 64, 64, 64, MAX_REASON, MAX_KEY};

#define MAX_MILLI 1000000000000LL /* 1e9 points in thousandths: mark_from_json's range */

static const unsigned char *skip_space(const unsigned char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') p++;
    return p;
}

/* Which field a member name (the bytes between its quotes) is. */
static enum field field_of(const unsigned char *name, size_t len)
{
#define IS(s) (len == sizeof s - 1 && memcmp(name, s, sizeof s - 1) == 0)
    switch (len ? name[0] : 0) {
    case 'k': return IS("key") ? F_KEY : F_UNKNOWN;
    case 'c': return IS("contestant") ? F_CONTESTANT : IS("criterion") ? F_CRITERION : F_UNKNOWN;
    case 'j': return IS("judge") ? F_JUDGE : F_UNKNOWN;
    case 'r': return IS("reason") ? F_REASON : F_UNKNOWN;
    case 'v': return IS("void") ? F_VOID : IS("value") ? F_VALUE : F_UNKNOWN;
    case 's': return IS("seconds") ? F_SECONDS : F_UNKNOWN;
    case 'd': return IS("deduction") ? F_DEDUCTION : F_UNKNOWN;
    default: return F_UNKNOWN;
    }
#undef IS
}

static int hex_digit(unsigned char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* The four hex digits at p, or -1 (a NUL stops the scan before it is passed). */
static long hex4(const unsigned char *p)
{
    long v = 0;
    for (int i = 0; i < 4; i++) {
        int d = hex_digit(p[i]);
        if (d < 0) return -1;
        v = v * 16 + d;
    }
    return v;
}

static char *put_utf8(char *o, unsigned long cp)
{
    if (cp < 0x80) {
        *o++ = (char)cp;
    } else if (cp < 0x800) {
        *o++ = (char)(0xc0 | (cp >> 6));
        *o++ = (char)(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        *o++ = (char)(0xe0 | (cp >> 12));
        *o++ = (char)(0x80 | ((cp >> 6) & 0x3f));
        *o++ = (char)(0x80 | (cp & 0x3f));
    } else {
        *o++ = (char)(0xf0 | (cp >> 18));
        *o++ = (char)(0x80 | ((cp >> 12) & 0x3f));
        *o++ = (char)(0x80 | ((cp >> 6) & 0x3f));
        *o++ = (char)(0x80 | (cp & 0x3f));
    }
    return o;
}

/* The length of the UTF-8 sequence at s, or 0 when it is not valid: the rules of
 * utf8_sequence (core/utf8.c, as strict as jansson's), here so that the loop below makes
 * no call per character. Reads no further than the first byte that is no continuation. */
static inline size_t sequence_length(const unsigned char *s)
{
    unsigned char c = s[0];
    size_t len = (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len == 0 || (len == 2 && c < 0xc2)) return 0;
    for (size_t k = 1; k < len; k++)
        if ((s[k] & 0xc0) != 0x80) return 0;
    if (len == 3 && ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] >= 0xa0))) return 0;
    if (len == 4 && (c > 0xf4 || (c == 0xf0 && s[1] < 0x90) || (c == 0xf4 && s[1] >= 0x90))) return 0;
    return len;
}

/* Decodes the string whose opening quote is just before p into *out (NUL-terminated) and
 * advances *out past it; end is the end of the scratch. Returns the byte after the closing
 * quote, or NULL for anything jansson would refuse (raw control characters, a bad escape,
 * \u0000, a lone surrogate, invalid UTF-8, the end of the text) or no room left. */
static const unsigned char *read_string(const unsigned char *p, char **out, const char *end)
{
    char *o = *out;
    for (;;) {
        if (end - o < 5) return NULL; /* room for one character (≤ 4 bytes) and the NUL */
        unsigned char c = *p;
        if (c == '"') break;
        if (c < 0x20) return NULL; /* a control character, or the end of the text */
        if (c < 0x80 && c != '\\') {
            *o++ = (char)c;
            p++;
            continue;
        }
        if (c >= 0x80) {
            size_t n = sequence_length(p);
            if (n == 0) return NULL;
            for (size_t k = 0; k < n; k++) o[k] = (char)p[k];
            o += n;
            p += n;
            continue;
        }
        switch (p[1]) {
        case '"': *o++ = '"'; break;
        case '\\': *o++ = '\\'; break;
        case '/': *o++ = '/'; break;
        case 'b': *o++ = '\b'; break;
        case 'f': *o++ = '\f'; break;
        case 'n': *o++ = '\n'; break;
        case 'r': *o++ = '\r'; break;
        case 't': *o++ = '\t'; break;
        case 'u': {
            long v = hex4(p + 2);
            if (v <= 0) return NULL; /* not hex, or \u0000 (jansson needs JSON_ALLOW_NUL) */
            if (v >= 0xdc00 && v <= 0xdfff) return NULL; /* a low surrogate first */
            if (v >= 0xd800 && v <= 0xdbff) {
                if (p[6] != '\\' || p[7] != 'u') return NULL;
                long low = hex4(p + 8);
                if (low < 0xdc00 || low > 0xdfff) return NULL;
                v = 0x10000 + ((v - 0xd800) << 10) + (low - 0xdc00);
                p += 6;
            }
            o = put_utf8(o, (unsigned long)v);
            p += 4;
            break;
        }
        default: return NULL; /* another escape, or the end of the text */
        }
        p += 2;
    }
    *o++ = '\0';
    *out = o;
    return p + 1;
}

/* Reads a number in the plain form -?(0|[1-9][0-9]*)(.[0-9]{1,3})? of magnitude at most
 * 1e9 into thousandths. Returns the byte after it, or NULL (another form: jansson's). */
static const unsigned char *read_number(const unsigned char *p, int64_t *milli)
{
    bool negative = *p == '-';
    if (negative) p++;
    int64_t whole = 0;
    int digits = 0;
    if (*p == '0') {
        p++;
        digits = 1;
    } else {
        for (; *p >= '0' && *p <= '9'; p++) {
            if (++digits > 10) return NULL;
            whole = whole * 10 + (*p - '0');
        }
    }
    if (digits == 0 || (*p >= '0' && *p <= '9')) return NULL; /* "-", "01" */
    int64_t fraction = 0;
    if (*p == '.') {
        p++;
        int decimals = 0;
        for (; *p >= '0' && *p <= '9'; p++) {
            if (++decimals > 3) return NULL;
            fraction = fraction * 10 + (*p - '0');
        }
        if (decimals == 0) return NULL;
        for (; decimals < 3; decimals++) fraction *= 10;
    }
    if (*p == 'e' || *p == 'E') return NULL;
    int64_t value = whole * 1000 + fraction;
    if (value > MAX_MILLI) return NULL;
    *milli = negative ? -value : value;
    return p;
}

int mark_fast_decode(const char *text, char *scratch, size_t size, struct mark *m)
{
    memset(m, 0, sizeof *m);
    const char *strings[STRING_FIELDS] = {0};
    size_t bytes[STRING_FIELDS] = {0};
    unsigned seen = 0;
    int64_t number = 0;
    enum field numeric = F_UNKNOWN;
    char *out = scratch;
    const unsigned char *p = skip_space((const unsigned char *)text);
    if (*p++ != '{') return 1;
    p = skip_space(p);
    if (*p == '}') return 1; /* {}: no key */
    for (;;) {
        if (*p++ != '"') return 1;
        const unsigned char *name = p;
        while (*p != '"' && *p != '\\' && *p >= 0x20) p++;
        if (*p != '"') return 1; /* an escaped or odd name: jansson's */
        enum field f = field_of(name, (size_t)(p - name));
        if (f == F_UNKNOWN || (seen & (1u << f))) return 1;
        seen |= 1u << f;
        p = skip_space(p + 1);
        if (*p++ != ':') return 1;
        p = skip_space(p);
        if (f < STRING_FIELDS) {
            if (*p != '"') return 1; /* null or another type: jansson's */
            char *start = out;
            if (!(p = read_string(p + 1, &out, scratch + size))) return 1;
            strings[f] = start;
            bytes[f] = (size_t)(out - start - 1);
        } else {
            if (*p != '-' && (*p < '0' || *p > '9')) return 1;
            if (!(p = read_number(p, &number))) return 1;
            numeric = f;
        }
        p = skip_space(p);
        if (*p == ',') {
            p = skip_space(p + 1);
            continue;
        }
        if (*p++ != '}') return 1;
        break;
    }
    if (*skip_space(p) != '\0') return 1; /* something after the object */
    for (int f = 0; f < STRING_FIELDS; f++)
        if (strings[f] && bytes[f] > max_chars[f] && utf8_length(strings[f]) > max_chars[f])
            return 1; /* too long */
    int given = !!(seen & (1u << F_VALUE)) + !!(seen & (1u << F_SECONDS)) +
                !!(seen & (1u << F_DEDUCTION)) + !!strings[F_VOID];
    if (!strings[F_KEY] || !*strings[F_KEY] || given != 1) return 1;
    m->key = strings[F_KEY];
    m->contestant = strings[F_CONTESTANT];
    m->criterion = strings[F_CRITERION];
    m->judge = strings[F_JUDGE];
    m->reason = strings[F_REASON];
    m->void_key = strings[F_VOID];
    if (m->void_key) {
        m->type = MARK_VOID;
        return 0;
    }
    if (!m->contestant || !m->criterion) return 1;
    m->type = numeric == F_DEDUCTION ? MARK_DEDUCTION : MARK_VALUE;
    m->has_seconds = numeric == F_SECONDS;
    m->value = number;
    return 0;
}
