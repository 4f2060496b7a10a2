/* Harness: mark_fast. The replay decoder of mark bodies (src/format/mark_fast.c) against
 * its oracle, json_loads(JSON_REJECT_DUPLICATES) + mark_from_json.
 *
 * The first byte picks the mode (its value modulo 3):
 *  - 0: the rest is the body's text (cut at its first NUL, as json_loads reads a C string);
 *  - 1: the rest builds a mark object field by field (known keys and one unknown, with
 *    strings, integers, reals of thousandths or ten-thousandths, arbitrary doubles, null or
 *    true), which is dumped as the server dumps event bodies (JX_BODY_FLAGS), and that
 *    text is the body;
 *  - 2: the rest is NUL-separated pieces pasted, raw, into one of the shapes the server
 *    writes (the first piece's first byte picks which): string contents and number tokens
 *    exactly as the input has them, in a well-formed frame.
 *
 * Checked, with __builtin_trap() when broken:
 *  - when the decoder reads a body, the oracle accepts it and gives the same mark field for
 *    field (type, value, seconds or not, and every string byte for byte, absent or not);
 *  - the decoder never writes past the scratch it is given (exactly MARK_FAST_SCRATCH bytes,
 *    so ASan sees any overflow), and its strings lie inside it;
 *  - in the odd mode, every body the oracle accepts whose members are all known keys with
 *    string or number values is read by the decoder (unless a number is dumped with an
 *    exponent, as a tiny one that reads as 0 is): the fast path covers what the server
 *    writes. */
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/mark_fast.h"
#include "format/mark_json.h"
#include "format/standings_json.h"
#include "fuzz.h"


int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    json_object_seed(1);
    return 0;
}

FUZZ_CHECKER static int same_text(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

FUZZ_CHECKER static int inside(const char *s, const char *scratch, size_t size)
{
    return !s || (s >= scratch && s + strlen(s) < scratch + size);
}

/* Returns 1 when the decoder read the text. */
static int check_text(const char *text)
{
    size_t size = MARK_FAST_SCRATCH(strlen(text));
    char *scratch = malloc(size);
    CHECK(scratch);
    struct mark fast, slow;
    int fast_rc = mark_fast_decode(text, scratch, size, &fast);
    CHECK(fast_rc == 0 || fast_rc == 1);
    json_error_t jerr;
    struct jx_error e;
    json_t *doc = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
    int accepted = doc && mark_from_json(doc, "mark", &slow, &e) == 0;
    if (fast_rc == 0) {
        CHECK(accepted);
        CHECK(fast.type == slow.type && fast.value == slow.value &&
              fast.has_seconds == slow.has_seconds && fast.at_ms == 0 && slow.at_ms == 0);
        CHECK(same_text(fast.key, slow.key) && same_text(fast.contestant, slow.contestant) &&
              same_text(fast.criterion, slow.criterion) && same_text(fast.judge, slow.judge) &&
              same_text(fast.reason, slow.reason) && same_text(fast.void_key, slow.void_key));
        CHECK(inside(fast.key, scratch, size) && inside(fast.contestant, scratch, size) &&
              inside(fast.criterion, scratch, size) && inside(fast.judge, scratch, size) &&
              inside(fast.reason, scratch, size) && inside(fast.void_key, scratch, size));
    }
    json_decref(doc);
    free(scratch);
    return accepted * 2 + (fast_rc == 0);
}

struct input {
    const uint8_t *p;
    size_t left;
};

static int take(struct input *in, void *out, size_t n)
{
    if (in->left < n) return 0;
    memcpy(out, in->p, n);
    in->p += n;
    in->left -= n;
    return 1;
}

static const char *const names[] = {"key",   "contestant", "criterion", "judge",    "reason",
                                     "void", "value",      "seconds",   "deduction", "note"};

/* Builds a mark object from the input; *plain is cleared when it holds what the decoder
 * need not read (an unknown key, null, true, a nested value). */
static json_t *build(struct input *in, int *plain)
{
    json_t *obj = json_object();
    uint8_t pick[2];
    *plain = 1;
    while (obj && take(in, pick, 2)) {
        const char *name = names[pick[0] % (sizeof names / sizeof *names)];
        json_t *v = NULL;
        switch (pick[1] % 7) {
        case 0: { /* a string of raw bytes (dropped when not UTF-8) */
            uint8_t len = 0;
            take(in, &len, 1);
            char text[256];
            size_t n = len < in->left ? len : in->left;
            take(in, text, n);
            v = json_stringn(text, n);
            break;
        }
        case 1: { /* a short printable id */
            uint8_t len = 0;
            take(in, &len, 1);
            char text[8];
            size_t n = len % 8;
            for (size_t i = 0; i < n; i++) text[i] = (char)('A' + (in->left ? in->p[0] : i) % 26);
            v = json_stringn(text, n);
            break;
        }
        case 2: { /* an integer */
            int64_t x = 0;
            take(in, &x, sizeof x);
            v = json_integer(pick[1] & 8 ? x : x % 2000000000);
            break;
        }
        case 3: { /* thousandths, the values marks carry, or ten-thousandths */
            int64_t x = 0;
            take(in, &x, sizeof x);
            v = json_real(pick[1] & 8 ? (double)(x % 20000000000001LL) / 10000.0
                                      : (double)(x % 2000000000001LL) / 1000.0);
            break;
        }
        case 4: { /* any double */
            double x = 0;
            take(in, &x, sizeof x);
            v = json_real(x); /* NULL for NaN and infinities */
            /* Dumped with an exponent, which the decoder leaves to jansson: a tiny number
             * is still a mark's 0 (within milli_from_double's tolerance). */
            if (x != 0 && (fabs(x) < 1e-4 || fabs(x) >= 1e15)) *plain = 0;
            break;
        }
        case 5:
            v = pick[1] & 8 ? json_true() : json_null();
            *plain = 0;
            break;
        default:
            v = json_pack("{s:[i]}", "a", 1);
            *plain = 0;
            break;
        }
        if (!v) continue;
        if (strcmp(name, "note") == 0) *plain = 0;
        json_object_set_new(obj, name, v);
    }
    return obj;
}

static const char *const shapes[] = {
    "{\"contestant\":\"%s\",\"criterion\":\"%s\",\"key\":\"%s\",\"value\":%s}",
    "{\"contestant\":\"%s\",\"criterion\":\"%s\",\"deduction\":%s,\"judge\":\"%s\","
    "\"key\":\"%s\",\"reason\":\"%s\"}",
    "{\"judge\":\"%s\",\"key\":\"%s\",\"reason\":\"%s\",\"void\":\"%s\"}",
    "{\"contestant\":\"%s\",\"criterion\":\"%s\",\"judge\":\"%s\",\"key\":\"%s\","
    "\"reason\":\"%s\",\"seconds\":%s}",
};

/* Mode 2: pieces of the input pasted into a shape. */
static void check_shape(const uint8_t *data, size_t size)
{
    char *copy = malloc(size + 1);
    CHECK(copy);
    memcpy(copy, data, size);
    copy[size] = '\0';
    const char *piece[7] = {"", "", "", "", "", "", ""};
    size_t at = 0;
    for (int i = 0; i < 7 && at <= size; i++) {
        piece[i] = copy + at;
        at += strlen(copy + at) + 1;
    }
    const char *shape = shapes[(unsigned char)piece[0][0] % (sizeof shapes / sizeof *shapes)];
    size_t len = strlen(shape) + size + 1;
    char *text = malloc(len);
    CHECK(text);
    snprintf(text, len, shape, piece[1], piece[2], piece[3], piece[4], piece[5], piece[6]);
    check_text(text);
    free(text);
    free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) return 0;
    if (data[0] % 3 == 2) {
        check_shape(data + 1, size - 1);
        return 0;
    }
    if (data[0] % 3 == 0) {
        char *text = malloc(size);
        CHECK(text);
        memcpy(text, data + 1, size - 1);
        text[size - 1] = '\0';
        check_text(text);
        free(text);
        return 0;
    }
    struct input in = {data + 1, size - 1};
    int plain;
    json_t *obj = build(&in, &plain);
    char *text = obj ? json_dumps(obj, JX_BODY_FLAGS) : NULL;
    if (text) {
        int verdict = check_text(text);
        if (plain && (verdict & 2)) CHECK(verdict & 1); /* accepted and plain: read fast */
    }
    free(text);
    json_decref(obj);
    return 0;
}
