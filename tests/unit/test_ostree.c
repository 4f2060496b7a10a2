/* Tests for src/core/ostree.c (a counted B+tree): the basic operations on small trees, then
 * long random runs checked step by step against a plain sorted array, with keys of several
 * sizes and enough of them for several levels, splits, borrows and merges. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/ostree.h"

static int compare_ints(const void *a, const void *b, void *ctx)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static struct ostree *tree_of_ints(const int *keys, size_t n)
{
    struct ostree *t = ostree_new(sizeof(int), compare_ints, NULL);
    assert_non_null(t);
    for (size_t i = 0; i < n; i++) assert_int_equal(ostree_insert(t, &keys[i]), 0);
    return t;
}

static int at_int(const struct ostree *t, size_t i)
{
    const int *key = ostree_at(t, i);
    assert_non_null(key);
    return *key;
}

static int count_calls(const void *key, void *arg)
{
    ++*(int *)arg;
    return 0;
}

static void empty_tree(void **state)
{
    struct ostree *t = tree_of_ints(NULL, 0);
    int key = 7, calls = 0;
    assert_int_equal(ostree_check(t), 0);
    assert_int_equal(ostree_size(t), 0);
    assert_null(ostree_at(t, 0));
    assert_int_equal(ostree_count_less(t, &key), 0);
    assert_int_equal(ostree_remove(t, &key), -1);
    assert_int_equal(ostree_each(t, count_calls, &calls), 0);
    assert_int_equal(calls, 0);
    assert_int_equal(ostree_insert(t, &key), 0); /* and empty again */
    assert_int_equal(ostree_remove(t, &key), 0);
    assert_int_equal(ostree_size(t), 0);
    assert_null(ostree_at(t, 0));
    assert_int_equal(ostree_check(t), 0);
    ostree_free(t);
    ostree_free(NULL);
}

static void key_size_too_large(void **state)
{
    assert_null(ostree_new(SIZE_MAX, compare_ints, NULL));
}

static void insert_remove_duplicate_absent(void **state)
{
    struct ostree *t = tree_of_ints((const int[]){5, 1, 9}, 3);
    int five = 5, six = 6;
    assert_int_equal(ostree_insert(t, &five), -1); /* duplicate */
    assert_int_equal(ostree_size(t), 3);
    assert_int_equal(ostree_remove(t, &six), -1); /* absent */
    assert_int_equal(ostree_size(t), 3);
    assert_int_equal(ostree_remove(t, &five), 0);
    assert_int_equal(ostree_size(t), 2);
    assert_int_equal(ostree_remove(t, &five), -1); /* already gone */
    assert_int_equal(ostree_insert(t, &five), 0);  /* and back */
    assert_int_equal(ostree_size(t), 3);
    assert_int_equal(at_int(t, 1), 5);
    ostree_free(t);
}

static void count_less_present_and_absent(void **state)
{
    struct ostree *t = tree_of_ints((const int[]){30, 10, 20}, 3);
    const int probes[] = {5, 10, 15, 20, 30, 35};
    const size_t expected[] = {0, 0, 1, 1, 2, 3};
    for (size_t i = 0; i < sizeof probes / sizeof *probes; i++)
        assert_int_equal(ostree_count_less(t, &probes[i]), expected[i]);
    ostree_free(t);
}

static void at_walks_in_order(void **state)
{
    struct ostree *t = tree_of_ints((const int[]){4, 2, 8, 6, 0}, 5);
    for (size_t i = 0; i < 5; i++) assert_int_equal(at_int(t, i), (int)(2 * i));
    assert_null(ostree_at(t, 5));
    assert_null(ostree_at(t, SIZE_MAX));
    ostree_free(t);
}

/* Callers cast the keys they get back: each must be as aligned as its size allows. */
static void keys_are_aligned(void **state)
{
    static const size_t sizes[] = {4, 8, 12, 20, 24, 40};
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
        size_t size = sizes[s], align = size & -size; /* the largest power of 2 dividing it */
        if (align > 16) align = 16;
        struct ostree *t = ostree_new(size, compare_ints, NULL);
        assert_non_null(t);
        unsigned char key[40] = {0};
        for (int k = 0; k < 3000; k++) {
            memcpy(key, &k, sizeof k);
            assert_int_equal(ostree_insert(t, key), 0);
        }
        for (size_t i = 0; i < ostree_size(t); i++)
            assert_int_equal((uintptr_t)ostree_at(t, i) % align, 0);
        ostree_free(t);
    }
}

/* Sorted input is the worst case for an unbalanced tree; here it must stay quick. */
static void sorted_input_both_ways(void **state)
{
    enum { N = 100000 };
    struct ostree *t = tree_of_ints(NULL, 0);
    for (int k = 0; k < N; k += 2) assert_int_equal(ostree_insert(t, &k), 0);
    for (int k = N - 1; k > 0; k -= 2) assert_int_equal(ostree_insert(t, &k), 0);
    assert_int_equal(ostree_size(t), N);
    assert_true(ostree_check(t) >= 1);
    for (int k = 0; k < N; k += 3) assert_int_equal(ostree_remove(t, &k), 0);
    assert_int_equal(ostree_size(t), N - (N + 2) / 3);
    assert_true(ostree_check(t) >= 1);
    for (int k = 0; k < N; k += 997) {
        size_t less = (size_t)k - ((size_t)k + 2) / 3; /* k minus the multiples of 3 below it */
        assert_int_equal(ostree_count_less(t, &k), less);
        if (k % 3 != 0) assert_int_equal(at_int(t, less), k);
    }
    ostree_free(t);
}

struct visit_log {
    int seen[8];
    int n;
    int stop_at; /* returns 99 once this key is seen */
};

static int log_visit(const void *key, void *arg)
{
    struct visit_log *log = arg;
    int k = *(const int *)key;
    log->seen[log->n++] = k;
    return k == log->stop_at ? 99 : 0;
}

static void each_in_order_and_early_stop(void **state)
{
    struct ostree *t = tree_of_ints((const int[]){3, 1, 4, 5, 2}, 5);
    struct visit_log all = {.stop_at = -1};
    assert_int_equal(ostree_each(t, log_visit, &all), 0);
    assert_int_equal(all.n, 5);
    for (int i = 0; i < 5; i++) assert_int_equal(all.seen[i], i + 1);

    struct visit_log early = {.stop_at = 3};
    assert_int_equal(ostree_each(t, log_visit, &early), 99);
    assert_int_equal(early.n, 3);
    ostree_free(t);
}

/* Property test: keys shaped like standings entries, against a sorted array model. */

struct entry {
    int64_t score;
    int64_t tiebreak;
    uint32_t id;
};

/* Score descending, then tiebreak descending, then id ascending. */
static int compare_entries(const void *a, const void *b, void *ctx)
{
    const struct entry *x = a, *y = b;
    if (x->score != y->score) return x->score > y->score ? -1 : 1;
    if (x->tiebreak != y->tiebreak) return x->tiebreak > y->tiebreak ? -1 : 1;
    return (x->id > y->id) - (x->id < y->id);
}

#define CONTESTANTS 1500
#define OPERATIONS 20000
#define FULL_CHECK_EVERY 500

struct model {
    struct entry sorted[CONTESTANTS];
    size_t n;
    struct entry current[CONTESTANTS]; /* each contestant's key while present */
    _Bool present[CONTESTANTS];
};

static size_t model_count_less(const struct model *m, const struct entry *key)
{
    size_t lo = 0, hi = m->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (compare_entries(&m->sorted[mid], key, NULL) < 0) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

static void model_insert(struct model *m, const struct entry *key)
{
    size_t at = model_count_less(m, key);
    memmove(&m->sorted[at + 1], &m->sorted[at], (m->n - at) * sizeof *key);
    m->sorted[at] = *key;
    m->n++;
    m->current[key->id] = *key;
    m->present[key->id] = 1;
}

static void model_remove(struct model *m, const struct entry *key)
{
    size_t at = model_count_less(m, key);
    memmove(&m->sorted[at], &m->sorted[at + 1], (m->n - at - 1) * sizeof *key);
    m->n--;
    m->present[key->id] = 0;
}

static uint64_t rng_next(uint64_t *s) /* xorshift64* */
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545f4914f6cdd1dULL;
}

static uint32_t rng_below(uint64_t *s, uint32_t n) { return (uint32_t)(rng_next(s) >> 32) % n; }

/* Few distinct scores and tiebreaks, so many keys are decided by the id alone. */
static struct entry random_entry(uint64_t *s, uint32_t id)
{
    return (struct entry){.score = (int64_t)rng_below(s, 40) * 500 - 2000,
                          .tiebreak = rng_below(s, 3),
                          .id = id};
}

static void insert_both(struct ostree *t, struct model *m, const struct entry *key)
{
    assert_int_equal(ostree_insert(t, key), 0);
    model_insert(m, key);
}

static void remove_both(struct ostree *t, struct model *m, const struct entry *key)
{
    assert_int_equal(ostree_remove(t, key), 0);
    model_remove(m, key);
}

/* One random operation on contestant id: insert, move to a new key, remove, or a
 * duplicate insert / absent remove that must fail and change nothing. */
static void random_operation(struct ostree *t, struct model *m, uint64_t *s, uint32_t id)
{
    struct entry fresh = random_entry(s, id);
    if (!m->present[id]) {
        if (rng_below(s, 4) == 0) assert_int_equal(ostree_remove(t, &fresh), -1);
        else insert_both(t, m, &fresh);
        return;
    }
    struct entry old = m->current[id];
    switch (rng_below(s, 8)) {
    case 0: assert_int_equal(ostree_insert(t, &old), -1); break;
    case 1: remove_both(t, m, &old); break;
    default:
        if (compare_entries(&old, &fresh, NULL) == 0) break;
        assert_int_equal(ostree_remove(t, &fresh), -1); /* same id, other key: absent */
        remove_both(t, m, &old);
        insert_both(t, m, &fresh);
    }
}

static void assert_entry_at(const struct ostree *t, const struct model *m, size_t i)
{
    const struct entry *got = ostree_at(t, i);
    assert_non_null(got);
    assert_int_equal(compare_entries(got, &m->sorted[i], NULL), 0);
}

static void check_step(const struct ostree *t, const struct model *m, uint64_t *s, uint32_t id)
{
    assert_int_equal(ostree_size(t), m->n);
    assert_null(ostree_at(t, m->n));
    struct entry probes[2] = {m->current[id], random_entry(s, rng_below(s, CONTESTANTS + 50))};
    for (int i = 0; i < 2; i++)
        assert_int_equal(ostree_count_less(t, &probes[i]), model_count_less(m, &probes[i]));
    if (m->n > 0) assert_entry_at(t, m, rng_below(s, (uint32_t)m->n));
}

struct model_cursor {
    const struct model *model;
    size_t next;
};

static int expect_next_entry(const void *key, void *arg)
{
    struct model_cursor *cursor = arg;
    assert_true(cursor->next < cursor->model->n);
    assert_int_equal(compare_entries(key, &cursor->model->sorted[cursor->next++], NULL), 0);
    return 0;
}

static void check_all(const struct ostree *t, const struct model *m)
{
    for (size_t i = 0; i < m->n; i++) {
        assert_entry_at(t, m, i);
        assert_int_equal(ostree_count_less(t, &m->sorted[i]), i);
    }
    struct model_cursor cursor = {m, 0};
    assert_int_equal(ostree_each(t, expect_next_entry, &cursor), 0);
    assert_int_equal(cursor.next, m->n);
}

/* lead: the tree compares the scores itself (ostree_lead_desc), the comparator only ties. */
static void run_model(bool lead)
{
    static struct model m; /* too large for the stack under sanitizers */
    memset(&m, 0, sizeof m);
    uint64_t rng = 0x9e3779b97f4a7c15ULL;
    struct ostree *t = ostree_new(sizeof(struct entry), compare_entries, NULL);
    assert_non_null(t);
    if (lead) ostree_lead_desc(t);
    for (int step = 1; step <= OPERATIONS; step++) {
        uint32_t id = rng_below(&rng, CONTESTANTS);
        random_operation(t, &m, &rng, id);
        check_step(t, &m, &rng, id);
        if (step % FULL_CHECK_EVERY == 0) check_all(t, &m);
    }
    check_all(t, &m);
    assert_true(ostree_check(t) >= 0);
    ostree_free(t);
}

static void matches_sorted_array_model(void **state) { run_model(false); }

static void leading_score_inline_matches_model(void **state) { run_model(true); }

/* Property test with keys of any size: a key is its value in big-endian order in the first
 * bytes, then filler bytes derived from the value, compared with memcmp; so a tree that
 * copies or moves keys wrongly shows up as a wrong key, not only as a wrong order. */

struct bytes_model {
    size_t key_size;
    uint32_t *values; /* sorted */
    size_t n;
    bool *present;
    uint32_t span; /* values are below span */
};

static int compare_bytes(const void *a, const void *b, void *ctx)
{
    return memcmp(a, b, *(const size_t *)ctx);
}

static void make_key(const struct bytes_model *m, uint32_t value, unsigned char *out)
{
    size_t prefix = m->key_size < 4 ? m->key_size : 4;
    for (size_t i = 0; i < prefix; i++) out[i] = (unsigned char)(value >> (8 * (prefix - 1 - i)));
    uint32_t h = value * 2654435761u;
    for (size_t i = prefix; i < m->key_size; i++) {
        h ^= h >> 13;
        h *= 0x5bd1e995u;
        out[i] = (unsigned char)(h >> 24);
    }
}

static size_t bytes_model_less(const struct bytes_model *m, uint32_t value)
{
    size_t lo = 0, hi = m->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (m->values[mid] < value) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* Checks what one value tells: its rank, the key at that rank when present. */
static void check_value(const struct ostree *t, const struct bytes_model *m, uint32_t value)
{
    unsigned char key[256];
    make_key(m, value, key);
    size_t less = bytes_model_less(m, value);
    assert_int_equal(ostree_count_less(t, key), less);
    if (m->present[value]) {
        const unsigned char *got = ostree_at(t, less);
        assert_non_null(got);
        assert_memory_equal(got, key, m->key_size);
    }
}

static void bytes_insert(struct ostree *t, struct bytes_model *m, uint32_t value)
{
    unsigned char key[256];
    make_key(m, value, key);
    if (m->present[value]) {
        assert_int_equal(ostree_insert(t, key), -1); /* duplicates are refused */
        return;
    }
    assert_int_equal(ostree_insert(t, key), 0);
    size_t at = bytes_model_less(m, value);
    memmove(&m->values[at + 1], &m->values[at], (m->n - at) * sizeof *m->values);
    m->values[at] = value;
    m->n++;
    m->present[value] = true;
}

static void bytes_remove(struct ostree *t, struct bytes_model *m, uint32_t value)
{
    unsigned char key[256];
    make_key(m, value, key);
    if (!m->present[value]) {
        assert_int_equal(ostree_remove(t, key), -1);
        return;
    }
    assert_int_equal(ostree_remove(t, key), 0);
    size_t at = bytes_model_less(m, value);
    memmove(&m->values[at], &m->values[at + 1], (m->n - at - 1) * sizeof *m->values);
    m->n--;
    m->present[value] = false;
}

struct bytes_cursor {
    const struct bytes_model *model;
    size_t next, stop_at;
};

static int expect_next_bytes(const void *key, void *arg)
{
    struct bytes_cursor *c = arg;
    unsigned char want[256];
    assert_true(c->next < c->model->n);
    make_key(c->model, c->model->values[c->next], want);
    assert_memory_equal(key, want, c->model->key_size);
    return c->next++ == c->stop_at ? 7 : 0;
}

/* Every position, every rank, the order of ostree_each and its early stop. */
static void check_bytes_all(const struct ostree *t, const struct bytes_model *m, uint64_t *s)
{
    assert_true(ostree_check(t) >= 0);
    assert_int_equal(ostree_size(t), m->n);
    assert_null(ostree_at(t, m->n));
    for (size_t i = 0; i < m->n; i++) {
        unsigned char key[256];
        make_key(m, m->values[i], key);
        const void *got = ostree_at(t, i);
        assert_non_null(got);
        assert_memory_equal(got, key, m->key_size);
        assert_int_equal(ostree_count_less(t, key), i);
    }
    struct bytes_cursor all = {m, 0, SIZE_MAX};
    assert_int_equal(ostree_each(t, expect_next_bytes, &all), 0);
    assert_int_equal(all.next, m->n);
    if (m->n > 0) {
        struct bytes_cursor early = {m, 0, rng_below(s, (uint32_t)m->n)};
        assert_int_equal(ostree_each(t, expect_next_bytes, &early), 7);
        assert_int_equal(early.next, early.stop_at + 1);
    }
}

#define MANY 50000

/* Inserts MANY keys in random order, churns, then removes them all in random order;
 * structure and answers are checked along the way. Returns the greatest height seen. */
static int run_bytes_model(size_t key_size)
{
    struct bytes_model m = {.key_size = key_size, .span = 3 * MANY};
    m.values = calloc(m.span, sizeof *m.values);
    m.present = calloc(m.span, sizeof *m.present);
    assert_non_null(m.values);
    assert_non_null(m.present);
    uint64_t rng = 0x2545f4914f6cdd1dULL ^ key_size;
    struct ostree *t = ostree_new(key_size, compare_bytes, &m.key_size);
    assert_non_null(t);
    int height = 0;

    for (int step = 1; m.n < MANY; step++) { /* about one try in nine is a duplicate */
        uint32_t value = m.n > 0 && rng_below(&rng, 9) == 0
                             ? m.values[rng_below(&rng, (uint32_t)m.n)]
                             : rng_below(&rng, m.span);
        bytes_insert(t, &m, value);
        check_value(t, &m, value);
        check_value(t, &m, rng_below(&rng, m.span)); /* mostly absent */
        if (step % 1000 == 0) {
            int h = ostree_check(t);
            assert_true(h >= 0);
            if (h > height) height = h;
        }
    }
    check_bytes_all(t, &m, &rng);

    for (int step = 1; step <= MANY / 2; step++) { /* churn: remove one, insert one */
        bytes_remove(t, &m, rng_below(&rng, 4) == 0 ? rng_below(&rng, m.span)
                                                   : m.values[rng_below(&rng, (uint32_t)m.n)]);
        uint32_t value = rng_below(&rng, m.span);
        bytes_insert(t, &m, value);
        check_value(t, &m, value); /* right after the insert that put it there */
        if (step % 1000 == 0) assert_true(ostree_check(t) >= 0);
    }
    check_bytes_all(t, &m, &rng);

    uint32_t *order = malloc(m.n * sizeof *order); /* the present values, shuffled */
    assert_non_null(order);
    size_t total = m.n;
    memcpy(order, m.values, total * sizeof *order);
    for (size_t i = total - 1; i > 0; i--) {
        size_t j = rng_below(&rng, (uint32_t)(i + 1));
        uint32_t swap = order[i];
        order[i] = order[j];
        order[j] = swap;
    }
    for (size_t i = 0; i < total; i++) {
        bytes_remove(t, &m, order[i]);
        bytes_remove(t, &m, order[i]); /* now absent */
        check_value(t, &m, order[i]);
        if (m.n > 0) check_value(t, &m, m.values[rng_below(&rng, (uint32_t)m.n)]);
        if (i % 1000 == 0) assert_true(ostree_check(t) >= 0);
        if (i % 20000 == 0 || m.n < 5) check_bytes_all(t, &m, &rng);
    }
    assert_int_equal(ostree_size(t), 0);
    assert_int_equal(ostree_check(t), 0); /* merged all the way back to one leaf */
    free(order);
    ostree_free(t);
    free(m.values);
    free(m.present);
    return height;
}

/* The heights asserted hold for the default node sizes (ostree.c, OSTREE_LEAF_BYTES and
 * OSTREE_INNER_BYTES): every size makes inner nodes, so splits, borrows and merges happen
 * at more than one level. */
static void bytes_model_4(void **state) { assert_true(run_bytes_model(4) >= 2); }
static void bytes_model_20(void **state) { assert_true(run_bytes_model(20) >= 2); }
static void bytes_model_24(void **state) { assert_true(run_bytes_model(24) >= 2); }
static void bytes_model_3(void **state) { assert_true(run_bytes_model(3) >= 1); }
/* Keys this large get nodes of the least fanout, so the tree is deep. */
static void bytes_model_200(void **state) { assert_true(run_bytes_model(200) >= 4); }

/* ostree_move_batch against the same moves made by single calls: two copies of a few trees
 * of different sizes (one key, one leaf, several levels), batches of 1 to 2 * 8 + 1 moves
 * (more than one round of the batch) that may name a tree more than once, an absent old
 * key or a new key already present now and then, and single inserts and removes in between
 * so the trees grow and shrink. The copies must stay equal, with the same ranks and
 * results. */

#define BATCH_TREES 5
#define MOST_MOVES 17

struct twin {
    struct ostree *single, *batch;
    bool *present;
    uint32_t *values; /* the present values, unordered */
    size_t n;
};

static void twin_add(struct twin *w, uint32_t v)
{
    w->present[v] = true;
    w->values[w->n++] = v;
}

static void twin_drop(struct twin *w, uint32_t v)
{
    w->present[v] = false;
    for (size_t i = 0; i < w->n; i++)
        if (w->values[i] == v) {
            w->values[i] = w->values[--w->n];
            return;
        }
    fail_msg("value %u not in the model", v);
}

static uint32_t absent_value(const struct twin *w, uint64_t *s, uint32_t span)
{
    for (;;) {
        uint32_t v = rng_below(s, span);
        if (!w->present[v]) return v;
    }
}

static void assert_twins_equal(const struct twin *w, size_t key_size)
{
    assert_int_equal(ostree_size(w->single), ostree_size(w->batch));
    assert_int_equal(ostree_size(w->batch), w->n);
    assert_int_equal(ostree_check(w->single), ostree_check(w->batch));
    assert_true(ostree_check(w->batch) >= 0);
    for (size_t i = 0; i < w->n; i++)
        assert_memory_equal(ostree_at(w->single, i), ostree_at(w->batch, i), key_size);
}

static void run_batch_model(size_t key_size, uint32_t span, const size_t sizes[BATCH_TREES],
                            int rounds)
{
    struct bytes_model km = {.key_size = key_size};
    struct twin w[BATCH_TREES];
    uint64_t s = 4242 + key_size;
    for (int i = 0; i < BATCH_TREES; i++) {
        w[i].single = ostree_new(key_size, compare_bytes, &km.key_size);
        w[i].batch = ostree_new(key_size, compare_bytes, &km.key_size);
        w[i].present = calloc(span, sizeof *w[i].present);
        w[i].values = calloc(span, sizeof *w[i].values);
        w[i].n = 0;
        assert_true(w[i].single && w[i].batch && w[i].present && w[i].values);
        unsigned char key[256];
        while (w[i].n < sizes[i]) {
            uint32_t v = absent_value(&w[i], &s, span);
            make_key(&km, v, key);
            assert_int_equal(ostree_insert(w[i].single, key), 0);
            assert_int_equal(ostree_insert(w[i].batch, key), 0);
            twin_add(&w[i], v);
        }
    }
    int errors = 0, moves = 0;
    for (int round = 0; round < rounds; round++) {
        struct ostree *trees[MOST_MOVES];
        const void *old_keys[MOST_MOVES], *new_keys[MOST_MOVES];
        unsigned char keys[2][MOST_MOVES][256];
        size_t ranks[MOST_MOVES], want[MOST_MOVES];
        int n = 1 + (int)rng_below(&s, MOST_MOVES), want_rc = 0;
        /* The moves one by one with single calls on the reference copies, the model
         * following; on the first failure the rest are not made. */
        for (int k = 0; k < n; k++) {
            struct twin *t = &w[rng_below(&s, BATCH_TREES)];
            if (t->n == 0) t = &w[BATCH_TREES - 1]; /* the largest */
            uint32_t from = t->values[rng_below(&s, (uint32_t)t->n)], to;
            uint32_t odd = rng_below(&s, 100);
            if (odd == 0) from = absent_value(t, &s, span);
            if (odd == 1) to = t->values[rng_below(&s, (uint32_t)t->n)]; /* may be from */
            else if (odd == 2) to = from;
            else to = absent_value(t, &s, span);
            make_key(&km, from, keys[0][k]);
            make_key(&km, to, keys[1][k]);
            trees[k] = t->batch;
            old_keys[k] = keys[0][k];
            new_keys[k] = keys[1][k];
            if (want_rc != 0) continue;
            if (ostree_remove(t->single, keys[0][k]) != 0) {
                want_rc = -1;
                continue;
            }
            twin_drop(t, from);
            if (ostree_insert(t->single, keys[1][k]) != 0) {
                want_rc = -1;
                continue;
            }
            twin_add(t, to);
            want[k] = ostree_count_less(t->single, keys[1][k]);
            moves++;
        }
        int rc = ostree_move_batch(trees, old_keys, new_keys, round % 4 ? ranks : NULL, n);
        assert_int_equal(rc, want_rc);
        errors += rc != 0;
        if (rc == 0 && round % 4)
            for (int k = 0; k < n; k++) assert_int_equal(ranks[k], want[k]);
        /* Now and then a single insert or remove on both copies, so sizes drift. */
        struct twin *t = &w[rng_below(&s, BATCH_TREES)];
        unsigned char key[256];
        if (rng_below(&s, 3) == 0 && t->n < span / 2) {
            uint32_t v = absent_value(t, &s, span);
            make_key(&km, v, key);
            assert_int_equal(ostree_insert(t->single, key), 0);
            assert_int_equal(ostree_insert(t->batch, key), 0);
            twin_add(t, v);
        } else if (rng_below(&s, 3) == 0 && t->n > 1) {
            uint32_t v = t->values[rng_below(&s, (uint32_t)t->n)];
            make_key(&km, v, key);
            assert_int_equal(ostree_remove(t->single, key), 0);
            assert_int_equal(ostree_remove(t->batch, key), 0);
            twin_drop(t, v);
        }
        if (round % 200 == 0 || round == rounds - 1)
            for (int i = 0; i < BATCH_TREES; i++) assert_twins_equal(&w[i], key_size);
    }
    assert_true(errors > 0 && moves > rounds);
    assert_int_equal(ostree_move_batch(NULL, NULL, NULL, NULL, 0), 0);
    for (int i = 0; i < BATCH_TREES; i++) {
        ostree_free(w[i].single);
        ostree_free(w[i].batch);
        free(w[i].present);
        free(w[i].values);
    }
}

static void move_batch_24(void **state)
{
    run_batch_model(24, 1u << 18, (const size_t[]){1, 40, 900, 6000, 30000}, 4000);
}

static void move_batch_3(void **state)
{
    run_batch_model(3, 1u << 16, (const size_t[]){1, 100, 2000, 5000, 20000}, 3000);
}

static void move_batch_8(void **state)
{
    run_batch_model(8, 1u << 16, (const size_t[]){2, 30, 300, 3000, 10000}, 3000);
}

/* Deep trees: nodes of the least fanout. */
static void move_batch_200(void **state)
{
    run_batch_model(200, 1u << 14, (const size_t[]){1, 10, 100, 1000, 4000}, 3000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(empty_tree),
        cmocka_unit_test(key_size_too_large),
        cmocka_unit_test(insert_remove_duplicate_absent),
        cmocka_unit_test(count_less_present_and_absent),
        cmocka_unit_test(at_walks_in_order),
        cmocka_unit_test(keys_are_aligned),
        cmocka_unit_test(sorted_input_both_ways),
        cmocka_unit_test(each_in_order_and_early_stop),
        cmocka_unit_test(matches_sorted_array_model),
        cmocka_unit_test(leading_score_inline_matches_model),
        cmocka_unit_test(bytes_model_4),
        cmocka_unit_test(bytes_model_20),
        cmocka_unit_test(bytes_model_24),
        cmocka_unit_test(bytes_model_3),
        cmocka_unit_test(bytes_model_200),
        cmocka_unit_test(move_batch_24),
        cmocka_unit_test(move_batch_3),
        cmocka_unit_test(move_batch_8),
        cmocka_unit_test(move_batch_200),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
