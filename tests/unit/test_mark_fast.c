/* Tests of the mark body decoder used by replay (src/format/mark_fast.c) against its
 * oracle, jansson + mark_from_json: whatever the fast path reads must be exactly the mark
 * the oracle gives, and whatever it leaves alone goes to the oracle, which then accepts or
 * refuses as before. Each case also says which of the two paths should take it, so that
 * the fast path is shown to read the bodies the server writes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/mark_fast.h"
#include "format/mark_json.h"
#include "format/standings_json.h"

enum { FAST = 0, JANSSON = 1 };
enum { REFUSED = 0, ACCEPTED = 1 };

static bool same_text(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static bool same_mark(const struct mark *a, const struct mark *b)
{
    return a->type == b->type && a->value == b->value && a->has_seconds == b->has_seconds &&
           a->at_ms == b->at_ms && same_text(a->key, b->key) &&
           same_text(a->contestant, b->contestant) && same_text(a->criterion, b->criterion) &&
           same_text(a->judge, b->judge) && same_text(a->reason, b->reason) &&
           same_text(a->void_key, b->void_key);
}

/* What replay would do with text: the fast path's answer, checked against the oracle's.
 * Returns the oracle's verdict; *fast_out is the fast path's. On acceptance *out holds the
 * oracle's mark (strings valid until the next call). */
static int decode_both(const char *text, int *fast_out, struct mark *out)
{
    static json_t *doc;
    static char *scratch;
    json_decref(doc);
    free(scratch);
    size_t size = MARK_FAST_SCRATCH(strlen(text));
    scratch = malloc(size);
    assert_non_null(scratch);
    struct mark fast, slow;
    int fast_rc = mark_fast_decode(text, scratch, size, &fast);
    json_error_t jerr;
    struct jx_error e;
    doc = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
    int accepted = doc && mark_from_json(doc, "mark", &slow, &e) == 0;
    if (fast_rc == 0) {
        if (!accepted) fail_msg("fast path read what jansson refuses: %s", text);
        if (!same_mark(&fast, &slow)) fail_msg("fast path read a different mark: %s", text);
    } else {
        assert_int_equal(fast_rc, 1);
    }
    *fast_out = fast_rc;
    if (accepted) *out = slow;
    return accepted;
}

#define CHECK(text, path, verdict) check(text, path, verdict, __LINE__)

static struct mark check(const char *text, int path, int verdict, int line)
{
    struct mark m = {0};
    int fast;
    int accepted = decode_both(text, &fast, &m);
    if (fast != path)
        fail_msg("line %d: %s went to %s: %s", line, path == FAST ? "expected fast" : "expected jansson",
                 fast == FAST ? "fast" : "jansson", text);
    if (accepted != verdict)
        fail_msg("line %d: jansson %s it: %s", line, accepted ? "accepts" : "refuses", text);
    return m;
}

static void test_every_field(void **state)
{
    struct mark m = CHECK("{\"contestant\":\"W001\",\"criterion\":\"A1\",\"key\":\"k1\",\"value\":1.5}",
                          FAST, ACCEPTED);
    assert_int_equal(m.type, MARK_VALUE);
    assert_int_equal(m.value, 1500);
    assert_false(m.has_seconds);
    assert_null(m.judge);
    assert_null(m.reason);
    m = CHECK("{\"contestant\":\"W001\",\"criterion\":\"A2\",\"judge\":\"j1\",\"key\":\"k2\","
              "\"reason\":\"重评\",\"value\":3}",
              FAST, ACCEPTED);
    assert_string_equal(m.judge, "j1");
    assert_string_equal(m.reason, "重评");
    assert_int_equal(m.value, 3000);
    m = CHECK("{\"contestant\":\"W001\",\"criterion\":\"A4\",\"key\":\"k3\",\"seconds\":1900}", FAST,
              ACCEPTED);
    assert_true(m.has_seconds);
    assert_int_equal(m.value, 1900000);
    m = CHECK("{\"contestant\":\"W001\",\"criterion\":\"A3\",\"deduction\":0.125,\"judge\":\"j2\","
              "\"key\":\"k4\",\"reason\":\"工具摆放不规范\"}",
              FAST, ACCEPTED);
    assert_int_equal(m.type, MARK_DEDUCTION);
    assert_int_equal(m.value, 125);
    m = CHECK("{\"judge\":\"j2\",\"key\":\"k5\",\"reason\":\"误扣\",\"void\":\"k4\"}", FAST, ACCEPTED);
    assert_int_equal(m.type, MARK_VOID);
    assert_string_equal(m.void_key, "k4");
    assert_null(m.contestant);
    /* A void keeps whatever else it says, as mark_from_json does. */
    m = CHECK("{\"contestant\":\"W001\",\"key\":\"k6\",\"reason\":\"r\",\"void\":\"k4\"}", FAST,
              ACCEPTED);
    assert_string_equal(m.contestant, "W001");
    /* Any order, whitespace anywhere JSON allows it. */
    CHECK(" {\n\t\"value\" : 2 ,\"key\":\"k\" , \"criterion\":\"A1\",\r\n\"contestant\":\"W001\"}\n ",
          FAST, ACCEPTED);
    /* Empty strings are strings. */
    CHECK("{\"contestant\":\"\",\"criterion\":\"\",\"judge\":\"\",\"key\":\"k\",\"reason\":\"\",\"value\":0}",
          FAST, ACCEPTED);
    CHECK("{\"key\":\"k\",\"void\":\"\"}", FAST, ACCEPTED);
}

static void test_what_the_server_writes(void **state)
{
    /* Built and dumped as the API does (JX_BODY_FLAGS), every kind of mark. */
    json_t *marks[] = {
        json_pack("{s:s, s:s, s:s, s:f}", "key", "a", "contestant", "W001", "criterion", "A1",
                  "value", 1.125),
        json_pack("{s:s, s:s, s:s, s:s, s:i, s:s}", "key", "b", "contestant", "W001", "criterion",
                  "A2", "judge", "张裁判", "value", 2, "reason", "裁判长要求复评\n\"第二次\""),
        json_pack("{s:s, s:s, s:s, s:f, s:s}", "key", "c", "contestant", "W001", "criterion", "A3",
                  "deduction", 0.5, "reason", "tab\there \\ back\x01slash"),
        json_pack("{s:s, s:s, s:s, s:i}", "key", "d", "contestant", "W001", "criterion", "A4",
                  "seconds", 3599),
        json_pack("{s:s, s:s, s:s}", "key", "e", "void", "c", "reason", "复核后撤销 😀"),
        json_pack("{s:s, s:s, s:s, s:f}", "key", "f", "contestant", "W001", "criterion", "A1",
                  "value", 999999999.999),
        json_pack("{s:s, s:s, s:s, s:f}", "key", "g", "contestant", "W001", "criterion", "A1",
                  "value", 2.0),
    };
    for (size_t i = 0; i < sizeof marks / sizeof *marks; i++) {
        char *text = json_dumps(marks[i], JX_BODY_FLAGS);
        assert_non_null(text);
        CHECK(text, FAST, ACCEPTED);
        free(text);
        json_decref(marks[i]);
    }
}

static void test_escapes_and_unicode(void **state)
{
    struct mark m = CHECK("{\"contestant\":\"W001\",\"criterion\":\"A3\",\"deduction\":1,\"key\":\"k\","
                          "\"reason\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"}",
                          FAST, ACCEPTED);
    assert_string_equal(m.reason, "\"\\/\b\f\n\r\t");
    m = CHECK("{\"contestant\":\"W001\",\"criterion\":\"A3\",\"deduction\":1,\"key\":\"k\","
              "\"reason\":\"\\u00e9\\u4E2D\\u0041\\u007f\\ud83d\\ude00x\"}",
              FAST, ACCEPTED);
    assert_string_equal(m.reason, "é中A\x7f😀x");
    m = CHECK("{\"contestant\":\"W001\",\"criterion\":\"A3\",\"deduction\":1,\"key\":\"k\","
              "\"reason\":\"\\u0001\\u001f\\u0800\\uFFFF\\udbff\\udfff\"}",
              FAST, ACCEPTED);
    assert_string_equal(m.reason, "\x01\x1f\xe0\xa0\x80\xef\xbf\xbf\xf4\x8f\xbf\xbf");
    /* Raw UTF-8 of every length, and an escape in the key and ids. */
    m = CHECK("{\"contestant\":\"选手\\u4e00\",\"criterion\":\"A1\",\"key\":\"ключ-€-𝄞\",\"value\":1}",
              FAST, ACCEPTED);
    assert_string_equal(m.contestant, "选手一");
    /* What jansson refuses, the fast path leaves to it. */
    const char *refused[] = {
        "\"\\u0000\"",           /* NUL without JSON_ALLOW_NUL */
        "\"\\ud83d\"",           /* a lone high surrogate */
        "\"\\ud83dx\"",          /* ... followed by something else */
        "\"\\ud83d\\u0041\"",    /* ... followed by a non-surrogate */
        "\"\\ude00\"",           /* a lone low surrogate */
        "\"\\udc00\"",           /* ... at either end of the range */
        "\"\\udfff\"",
        "\"a\\udbff\"",          /* a high surrogate at the end */
        "\"\\u12\"",             /* short */
        "\"\\u12G4\"",           /* not hex */
        "\"\\x41\"",             /* not an escape */
        "\"\\\"",                /* the escape eats the closing quote */
        "\"a\x01\"",             /* a raw control character */
        "\"a\nb\"",              /* a raw newline */
        "\"\xc0\xaf\"",          /* overlong */
        "\"\xed\xa0\x80\"",      /* an encoded surrogate */
        "\"\xf4\x90\x80\x80\"",  /* past U+10FFFF */
        "\"\xe4\xb8\"",          /* cut */
        "\"\xff\"",              /* not UTF-8 */
        "\"\x80\"",              /* a lone continuation byte */
        "\"open",                /* no closing quote */
    };
    for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) {
        char text[200];
        snprintf(text, sizeof text,
                 "{\"contestant\":\"W001\",\"criterion\":\"A3\",\"deduction\":1,\"key\":\"k\","
                 "\"reason\":%s}",
                 refused[i]);
        CHECK(text, JANSSON, REFUSED);
    }
}

static void test_numbers(void **state)
{
    static const struct {
        const char *text;
        long long milli;
    } read[] = {
        {"0", 0},           {"-0", 0},          {"0.0", 0},          {"-0.0", 0},
        {"1", 1000},        {"3.1", 3100},      {"3.12", 3120},      {"3.125", 3125},
        {"0.001", 1},       {"0.010", 10},      {"0.100", 100},      {"-0.5", -500},
        {"-2.25", -2250},   {"12.50", 12500},   {"1000000000", 1000000000000LL},
        {"-1000000000", -1000000000000LL},      {"999999999.999", 999999999999LL},
        {"1000000000.000", 1000000000000LL},    {"123456789.987", 123456789987LL},
    };
    for (size_t i = 0; i < sizeof read / sizeof *read; i++) {
        char text[160];
        snprintf(text, sizeof text,
                 "{\"contestant\":\"W001\",\"criterion\":\"A1\",\"key\":\"k\",\"value\":%s}",
                 read[i].text);
        struct mark m = CHECK(text, FAST, ACCEPTED);
        assert_int_equal(m.value, read[i].milli);
    }
    static const struct {
        const char *text;
        int verdict;
    } left[] = {
        {"1.2500", ACCEPTED},          /* a fourth decimal, zero */
        {"1.0001", REFUSED},           /* too many decimals */
        {"1e3", ACCEPTED},             {"1E-3", ACCEPTED},   {"2.5e0", ACCEPTED},
        {"1000000000.001", REFUSED},   /* out of range */
        {"10000000000", REFUSED},      {"-1000000000.5", REFUSED},
        {"99999999999999999999999", REFUSED}, /* jansson: too big an integer */
        {"1e400", REFUSED},            /* jansson: real overflow */
        {"01", REFUSED},               {"-", REFUSED},       {"1.", REFUSED},
        {".5", REFUSED},               {"+1", REFUSED},      {"- 1", REFUSED},
        {"1x", REFUSED},               {"0x10", REFUSED},    {"NaN", REFUSED},
        {"null", REFUSED},             {"true", REFUSED},    {"\"1\"", REFUSED},
        {"[1]", REFUSED},              {"{}", REFUSED},
    };
    for (size_t i = 0; i < sizeof left / sizeof *left; i++) {
        char text[160];
        snprintf(text, sizeof text,
                 "{\"contestant\":\"W001\",\"criterion\":\"A1\",\"key\":\"k\",\"value\":%s}",
                 left[i].text);
        CHECK(text, JANSSON, left[i].verdict);
    }
}

/* Every number of thousandths in a range, and samples up to the limit, in each decimal
 * spelling the fast path reads: the same value as strtod + milli_from_double. */
static void test_numbers_exhaustive(void **state)
{
    uint64_t rng = 42;
    for (long long i = -70000; i < 2070000; i++) {
        long long milli = i;
        if (i >= 2000000) { /* random, up to 1e12 */
            rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
            milli = (long long)((rng >> 20) % 1000000000001ULL) * (i % 2 ? -1 : 1);
        }
        unsigned long long a = (unsigned long long)(milli < 0 ? -milli : milli);
        char number[40], text[160];
        int spelling = (int)(i & 3);
        if (spelling == 0 && a % 1000 == 0)
            snprintf(number, sizeof number, "%s%llu", milli < 0 ? "-" : "", a / 1000);
        else if (spelling == 1 && a % 100 == 0)
            snprintf(number, sizeof number, "%s%llu.%llu", milli < 0 ? "-" : "", a / 1000, a % 1000 / 100);
        else if (spelling == 2 && a % 10 == 0)
            snprintf(number, sizeof number, "%s%llu.%02llu", milli < 0 ? "-" : "", a / 1000, a % 1000 / 10);
        else
            snprintf(number, sizeof number, "%s%llu.%03llu", milli < 0 ? "-" : "", a / 1000, a % 1000);
        snprintf(text, sizeof text,
                 "{\"contestant\":\"W\",\"criterion\":\"A\",\"key\":\"k\",\"deduction\":%s}", number);
        char scratch[160];
        struct mark fast;
        assert_int_equal(mark_fast_decode(text, scratch, sizeof scratch, &fast), 0);
        milli_t slow;
        if (!milli_from_double(strtod(number, NULL), &slow) || slow != fast.value)
            fail_msg("%s: fast %lld, strtod %lld", number, (long long)fast.value, (long long)slow);
        assert_int_equal(fast.value, milli);
    }
}

static void test_lengths(void **state)
{
    char key[200], text[4096];
    memset(key, 'k', 128);
    key[128] = 0;
    snprintf(text, sizeof text, "{\"key\":\"%s\",\"void\":\"v\"}", key);
    CHECK(text, FAST, ACCEPTED);
    snprintf(text, sizeof text, "{\"key\":\"%sk\",\"void\":\"v\"}", key);
    CHECK(text, JANSSON, REFUSED);
    /* 500 characters of three bytes each: within the limit, though 1,500 bytes long. */
    char reason[2000] = "";
    for (int i = 0; i < 500; i++) strcat(reason, "扣");
    snprintf(text, sizeof text, "{\"key\":\"k\",\"reason\":\"%s\",\"void\":\"v\"}", reason);
    CHECK(text, FAST, ACCEPTED);
    snprintf(text, sizeof text, "{\"key\":\"k\",\"reason\":\"%s扣\",\"void\":\"v\"}", reason);
    CHECK(text, JANSSON, REFUSED);
    /* Escapes count as the characters they stand for. */
    char escaped[4000] = "";
    for (int i = 0; i < 64; i++) strcat(escaped, "\\u4e2d");
    snprintf(text, sizeof text, "{\"contestant\":\"%s\",\"criterion\":\"A1\",\"key\":\"k\",\"value\":1}",
             escaped);
    CHECK(text, FAST, ACCEPTED);
    snprintf(text, sizeof text, "{\"contestant\":\"%sx\",\"criterion\":\"A1\",\"key\":\"k\",\"value\":1}",
             escaped);
    CHECK(text, JANSSON, REFUSED);
    snprintf(text, sizeof text, "{\"judge\":\"%s\",\"key\":\"k\",\"void\":\"v\"}", escaped);
    CHECK(text, FAST, ACCEPTED);
    /* A scratch too small for the strings: the fast path declines, writing nothing past it
     * (ASan in the sanitizer build; the fuzz harness gives it exactly MARK_FAST_SCRATCH). */
    const char *body = "{\"key\":\"k\",\"void\":\"v\"}";
    char scratch[64];
    struct mark m;
    assert_int_equal(mark_fast_decode(body, scratch, 4, &m), 1);
    assert_int_equal(mark_fast_decode(body, scratch, MARK_FAST_SCRATCH(strlen(body)), &m), 0);
    snprintf(text, sizeof text, "{\"key\":\"k\",\"reason\":\"%s\",\"void\":\"v\"}", reason);
    char *tight = malloc(1500);
    assert_int_equal(mark_fast_decode(text, tight, 1500, &m), 1); /* 1,500 bytes + NULs */
    free(tight);
    size_t need = MARK_FAST_SCRATCH(strlen(text));
    tight = malloc(need);
    assert_int_equal(mark_fast_decode(text, tight, need, &m), 0);
    assert_string_equal(m.reason, reason);
    free(tight);
}

static void test_shapes_left_to_jansson(void **state)
{
    static const struct {
        const char *text;
        int verdict;
    } left[] = {
        /* not a mark's plain form, though a mark */
        {"{\"key\":\"k\",\"void\":\"v\",\"note\":\"x\"}", ACCEPTED},          /* another key */
        {"{\"key\":\"k\",\"void\":\"v\",\"judge\":null}", ACCEPTED},          /* null is absent */
        {"{\"k\\u0065y\":\"k\",\"void\":\"v\"}", ACCEPTED},                   /* an escaped name */
        {"{\"key\":\"k\",\"void\":\"v\",\"extra\":{\"a\":[1,2]}}", ACCEPTED}, /* nested */
        /* refused by mark_from_json */
        {"{\"key\":\"k\",\"void\":\"v\",\"value\":1}", REFUSED},              /* two kinds */
        {"{\"contestant\":\"W\",\"criterion\":\"A\",\"key\":\"k\"}", REFUSED}, /* no kind */
        {"{\"criterion\":\"A\",\"key\":\"k\",\"value\":1}", REFUSED},         /* no contestant */
        {"{\"contestant\":\"W\",\"key\":\"k\",\"value\":1}", REFUSED},        /* no criterion */
        {"{\"contestant\":\"W\",\"criterion\":\"A\",\"key\":\"\",\"value\":1}", REFUSED}, /* empty key */
        {"{\"contestant\":\"W\",\"criterion\":\"A\",\"value\":1}", REFUSED},  /* no key */
        {"{\"contestant\":1,\"criterion\":\"A\",\"key\":\"k\",\"value\":1}", REFUSED},
        {"{\"contestant\":\"W\",\"criterion\":\"A\",\"key\":\"k\",\"value\":\"1\"}", REFUSED},
        {"{\"contestant\":\"W\",\"criterion\":\"A\",\"key\":\"k\",\"value\":null}", REFUSED},
        {"{\"key\":\"k\",\"void\":\"v\",\"seconds\":null}", REFUSED},
        {"{\"key\":\"k\",\"void\":true}", REFUSED},
        {"{\"key\":\"k\",\"void\":\"v\",\"void\":\"v\"}", REFUSED},           /* duplicate */
        {"{\"key\":\"k\",\"key\":\"k\",\"void\":\"v\"}", REFUSED},
        /* refused by jansson */
        {"{\"key\":\"k\",\"void\":\"v\",}", REFUSED},
        {"{\"key\":\"k\",,\"void\":\"v\"}", REFUSED},
        {"{\"key\":\"k\" \"void\":\"v\"}", REFUSED},
        {"{\"key\" \"k\",\"void\":\"v\"}", REFUSED},
        {"{\"key\":\"k\",\"void\":\"v\"", REFUSED},
        {"{\"key\":\"k\",\"void\":\"v\"}}", REFUSED},
        {"{\"key\":\"k\",\"void\":\"v\"} x", REFUSED},
        {"{\"key\":\"k\",\"void\":\"v\"}[]", REFUSED},
        {"{key:\"k\",\"void\":\"v\"}", REFUSED},
        {"{'key':'k','void':'v'}", REFUSED},
        {"{\"key\":\"k\"\x01,\"void\":\"v\"}", REFUSED},
        {"\xef\xbb\xbf{\"key\":\"k\",\"void\":\"v\"}", REFUSED},               /* a BOM */
        {"[{\"key\":\"k\",\"void\":\"v\"}]", REFUSED},
        {"\"key\"", REFUSED},
        {"{}", REFUSED},
        {"{ }", REFUSED},
        {"", REFUSED},
        {"   ", REFUSED},
        {"{", REFUSED},
        {"{\"", REFUSED},
        {"{\"key", REFUSED},
        {"{\"key\"", REFUSED},
        {"{\"key\":", REFUSED},
        {"{\"key\":\"k", REFUSED},
        {"{\"key\":\"k\\", REFUSED},
        {"{\"key\":\"k\\u", REFUSED},
        {"{\"key\":\"k\\ud800\\", REFUSED},
        {"{\"key\":\"k\",\"value\":1", REFUSED},
        {"{\"key\":\"k\",\"value\":-", REFUSED},
    };
    for (size_t i = 0; i < sizeof left / sizeof *left; i++) CHECK(left[i].text, JANSSON, left[i].verdict);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_field),
        cmocka_unit_test(test_what_the_server_writes),
        cmocka_unit_test(test_escapes_and_unicode),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_numbers_exhaustive),
        cmocka_unit_test(test_lengths),
        cmocka_unit_test(test_shapes_left_to_jansson),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
