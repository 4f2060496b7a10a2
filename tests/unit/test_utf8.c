/* Tests of UTF-8 checking and scrubbing: error messages cut mid-character must still
 * be valid JSON strings (found by fuzzing the competition file). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/error.h"
#include "core/utf8.h"

static void test_valid(void **state)
{
    assert_true(utf8_valid((const unsigned char *)"编号 id", strlen("编号 id")));
    assert_false(utf8_valid((const unsigned char *)"\xe7\xbc", 2));         /* cut */
    assert_false(utf8_valid((const unsigned char *)"\xc0\xaf", 2));         /* overlong */
    assert_false(utf8_valid((const unsigned char *)"\xed\xa0\x80", 3));     /* surrogate */
    assert_false(utf8_valid((const unsigned char *)"\xf4\x90\x80\x80", 4)); /* > U+10FFFF */
}

static void test_scrub(void **state)
{
    char text[] = "ab\xe7\xbc" "cd\xff" "编";
    utf8_scrub(text);
    assert_string_equal(text, "abcd编");
}

static void test_error_message_cut_mid_character(void **state)
{
    struct jx_error e;
    char long_text[1000] = "";
    for (int i = 0; i < 100; i++) strcat(long_text, "编号");
    jx_fail(&e, 400, "x", long_text, "%s", long_text);
    assert_true(utf8_valid((const unsigned char *)e.message, strlen(e.message)));
    assert_true(utf8_valid((const unsigned char *)e.field, strlen(e.field)));
    assert_true(strlen(e.message) > 300);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid),
        cmocka_unit_test(test_scrub),
        cmocka_unit_test(test_error_message_cut_mid_character),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
