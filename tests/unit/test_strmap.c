/* Tests of the string map (src/core/strmap.c): random puts, gets and removals against a
 * plain list, growth through many keys, keys with equal hashes' neighbours, and the key
 * copies given back when a refused batch's keys are removed newest first. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strmap.h"

#define N_NAMES 3000

struct chunk_view { /* the first fields of struct strmap_chunk, for the test only */
    void *next;
    size_t used, size;
};

static size_t bytes_used(const struct strmap *m)
{
    return m->chunks ? ((const struct chunk_view *)m->chunks)->used : 0;
}

static void test_against_a_list(void **state)
{
    static char names[N_NAMES][24];
    static int64_t expected[N_NAMES];
    static bool present[N_NAMES];
    for (int i = 0; i < N_NAMES; i++)
        snprintf(names[i], sizeof names[i], i % 3 ? "g-%09d" : "选手-%d-x", i * 7919 % 100003);
    struct strmap m = {0};
    uint64_t rng = 7;
    size_t len = 0;
    for (int step = 0; step < 200000; step++) {
        rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
        int i = (int)((rng >> 33) % N_NAMES), op = (int)((rng >> 20) % 4);
        int64_t value;
        if (op < 2) {
            assert_int_equal(strmap_put(&m, names[i], step), 0);
            if (!present[i]) len++;
            present[i] = true;
            expected[i] = step;
        } else if (op == 2) {
            strmap_remove(&m, names[i]);
            if (present[i]) len--;
            present[i] = false;
        }
        bool found = strmap_get(&m, names[i], &value);
        assert_int_equal(found, present[i]);
        if (found) assert_int_equal(value, expected[i]);
        assert_int_equal(m.len, len);
    }
    for (int i = 0; i < N_NAMES; i++) {
        int64_t value = -1;
        assert_int_equal(strmap_get(&m, names[i], &value), present[i]);
        if (present[i]) assert_int_equal(value, expected[i]);
    }
    assert_false(strmap_get(&m, "", NULL));
    assert_int_equal(strmap_put(&m, "", 5), 0);
    assert_true(strmap_get(&m, "", NULL));
    strmap_release(&m);
    assert_int_equal(m.len, 0);
    assert_false(strmap_get(&m, "x", NULL));
    strmap_remove(&m, "x");
}

static void test_many_keys(void **state)
{
    struct strmap m = {0};
    char key[32];
    for (int i = 0; i < 300000; i++) {
        snprintf(key, sizeof key, "k%d", i);
        assert_int_equal(strmap_put(&m, key, i), 0);
    }
    assert_int_equal(m.len, 300000);
    assert_true(m.len * 4 <= m.cap * 3);
    for (int i = 0; i < 300000; i += 7) {
        int64_t v;
        snprintf(key, sizeof key, "k%d", i);
        assert_true(strmap_get(&m, key, &v));
        assert_int_equal(v, i);
        snprintf(key, sizeof key, "x%d", i);
        assert_false(strmap_get(&m, key, NULL));
    }
    /* A long key (bigger than any chunk) and the keys after it. */
    char *long_key = malloc(200000);
    memset(long_key, 'L', 199999);
    long_key[199999] = 0;
    assert_int_equal(strmap_put(&m, long_key, -1), 0);
    assert_int_equal(strmap_put(&m, "after", -2), 0);
    int64_t v;
    assert_true(strmap_get(&m, long_key, &v) && v == -1);
    assert_true(strmap_get(&m, "after", &v) && v == -2);
    free(long_key);
    strmap_release(&m);
}

/* Keys removed newest first (as contest_apply_batch undoes a refused batch) give their
 * copies back; other removals keep them until release, and lookups stay right. */
static void test_newest_first_removal(void **state)
{
    struct strmap m = {0};
    assert_int_equal(strmap_put(&m, "base", 0), 0);
    size_t before = bytes_used(&m);
    char key[32];
    for (int i = 0; i < 1000; i++) {
        snprintf(key, sizeof key, "batch-key-%d", i);
        assert_int_equal(strmap_put(&m, key, i), 0);
    }
    for (int i = 999; i >= 0; i--) {
        snprintf(key, sizeof key, "batch-key-%d", i);
        strmap_remove(&m, key);
    }
    assert_int_equal(m.len, 1);
    assert_int_equal(bytes_used(&m), before);
    assert_true(strmap_get(&m, "base", NULL));
    /* Oldest first: nothing given back, nothing wrong. */
    assert_int_equal(strmap_put(&m, "a1", 1), 0);
    assert_int_equal(strmap_put(&m, "a2", 2), 0);
    size_t after = bytes_used(&m);
    strmap_remove(&m, "a1");
    assert_int_equal(bytes_used(&m), after);
    assert_false(strmap_get(&m, "a1", NULL));
    int64_t v;
    assert_true(strmap_get(&m, "a2", &v) && v == 2);
    strmap_remove(&m, "a2");
    assert_int_equal(m.len, 1);
    strmap_release(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_against_a_list),
        cmocka_unit_test(test_many_keys),
        cmocka_unit_test(test_newest_first_removal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
