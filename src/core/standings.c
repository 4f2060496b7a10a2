/* Standings trees: a key is the contestant's ranking values (all compared descending)
 * followed by its index, so equal scores sit together and rank = 1 + count strictly ahead. */
#include "core/standings.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/contest.h"
#include "core/ostree.h"

#define MAX_RANK_VALUES 33 /* total + up to 32 tiebreaks */

/* A key is n int64 values followed by the contestant index: its size varies by tree. */
static size_t key_size(int n_values) { return (size_t)(n_values + 1) * sizeof(int64_t); }

/* The comparison context is the number of values, stored in the standings struct. */
static int compare_keys(const void *a, const void *b, void *ctx)
{
    int n = *(const int *)ctx;
    const int64_t *x = a, *y = b;
    for (int i = 0; i < n; i++)
        if (x[i] != y[i]) return x[i] > y[i] ? -1 : 1; /* higher value first */
    return (x[n] > y[n]) - (x[n] < y[n]);               /* then lower index first */
}

static const int one_value = 1;

static void rank_values(const struct scheme *s, const struct result *r, int64_t *out)
{
    out[0] = r->total;
    for (int i = 0; i < s->n_tiebreaks; i++) {
        const struct tiebreak *t = &s->tiebreaks[i];
        out[i + 1] = t->kind == TIEBREAK_COMPONENT ? r->components[t->index]
                     : t->kind == TIEBREAK_MODULE  ? r->modules[t->index]
                                                   : -r->time_sum; /* less time first */
    }
}

/* Writes the tree key of a contestant for the scope's tree into out. */
static void make_key(const struct standings *st, const struct scheme *s, struct scope scope,
                     int contestant, const struct result *r, int64_t *out)
{
    if (scope.kind == SCOPE_MODULE) {
        out[0] = r->modules[scope.index];
        out[1] = contestant;
        return;
    }
    rank_values(s, r, out);
    out[st->n_rank_values] = contestant;
}

static struct ostree *tree_of(const struct standings *st, struct scope scope)
{
    switch (scope.kind) {
    case SCOPE_OVERALL: return st->overall;
    case SCOPE_GROUP: return st->groups[scope.index];
    case SCOPE_VENUE: return st->venues[scope.index];
    case SCOPE_MODULE: return st->modules[scope.index];
    }
    return NULL;
}

/* A tree of ranking keys: their first value (the total, or the module's score) sorts the
 * higher first, so the tree compares it inline. */
static struct ostree *new_tree(size_t size, const int *ctx)
{
    struct ostree *t = ostree_new(size, compare_keys, (void *)ctx);
    if (t) ostree_lead_desc(t);
    return t;
}

static struct ostree **new_trees(int n, size_t size, const int *ctx)
{
    struct ostree **trees = calloc((size_t)n + 1, sizeof *trees);
    for (int i = 0; trees && i < n; i++)
        if (!(trees[i] = new_tree(size, ctx)))
            return NULL; /* the caller releases what was made via standings_release */
    return trees;
}

int standings_init(struct standings *st, const struct scheme *s)
{
    memset(st, 0, sizeof *st);
    if (s->n_tiebreaks + 1 > MAX_RANK_VALUES) return -1;
    st->n_rank_values = 1 + s->n_tiebreaks;
    size_t size = key_size(st->n_rank_values);
    st->n_groups = s->n_groups;
    st->n_venues = s->n_venues;
    st->n_modules = s->n_modules;
    st->overall = new_tree(size, &st->n_rank_values);
    st->groups = new_trees(s->n_groups, size, &st->n_rank_values);
    st->venues = new_trees(s->n_venues, size, &st->n_rank_values);
    st->modules = new_trees(s->n_modules, key_size(1), &one_value);
    if (!st->overall || !st->groups || !st->venues || !st->modules) {
        standings_release(st);
        return -1;
    }
    return 0;
}

static void free_trees(struct ostree **trees, int n)
{
    if (!trees) return;
    for (int i = 0; i < n; i++) ostree_free(trees[i]);
    free(trees);
}

void standings_release(struct standings *st)
{
    ostree_free(st->overall);
    free_trees(st->groups, st->n_groups);
    free_trees(st->venues, st->n_venues);
    free_trees(st->modules, st->n_modules);
    memset(st, 0, sizeof *st);
}

/* The scopes a contestant belongs to, except module scopes. */
static int ranking_scopes(const struct scheme *s, int contestant, struct scope out[3])
{
    const struct contestant *who = &s->contestants[contestant];
    out[0] = (struct scope){SCOPE_OVERALL, 0};
    out[1] = (struct scope){SCOPE_GROUP, who->group};
    out[2] = (struct scope){SCOPE_VENUE, who->venue};
    return 3;
}

int standings_insert(struct standings *st, const struct scheme *s, int contestant,
                     const struct result *r)
{
    int64_t key[MAX_RANK_VALUES + 1];
    struct scope scopes[3];
    int n = ranking_scopes(s, contestant, scopes);
    for (int i = 0; i < n; i++) {
        make_key(st, s, scopes[i], contestant, r, key);
        if (ostree_insert(tree_of(st, scopes[i]), key) != 0) return -1;
    }
    for (int m = 0; m < s->n_modules; m++) {
        struct scope scope = {SCOPE_MODULE, m};
        make_key(st, s, scope, contestant, r, key);
        if (ostree_insert(tree_of(st, scope), key) != 0) return -1;
    }
    return 0;
}

/* Scopes moved by one ostree_move_batch call, so that their walks overlap in memory. */
#define MOVE_BATCH 8

struct moves {
    int n;
    struct ostree *trees[MOVE_BATCH];
    const void *old_keys[MOVE_BATCH], *new_keys[MOVE_BATCH];
    int64_t keys[2][MOVE_BATCH][MAX_RANK_VALUES + 1]; /* old, new */
};

static int flush_moves(struct moves *m)
{
    int n = m->n;
    m->n = 0;
    return n == 0 ? 0 : ostree_move_batch(m->trees, m->old_keys, m->new_keys, NULL, n);
}

/* Adds the contestant's move in the scope, unless its key there stays the same. */
static int add_move(struct moves *m, struct standings *st, const struct scheme *s,
                    struct scope scope, int contestant, const struct result *before,
                    const struct result *after)
{
    int64_t *old_key = m->keys[0][m->n], *new_key = m->keys[1][m->n];
    make_key(st, s, scope, contestant, before, old_key);
    make_key(st, s, scope, contestant, after, new_key);
    size_t size = key_size(scope.kind == SCOPE_MODULE ? 1 : st->n_rank_values);
    if (memcmp(old_key, new_key, size) == 0) return 0;
    m->trees[m->n] = tree_of(st, scope);
    m->old_keys[m->n] = old_key;
    m->new_keys[m->n] = new_key;
    return ++m->n < MOVE_BATCH ? 0 : flush_moves(m);
}

int standings_move(struct standings *st, const struct scheme *s, int contestant,
                   const struct result *before, const struct result *after)
{
    struct moves m;
    m.n = 0;
    struct scope scopes[3];
    int n = ranking_scopes(s, contestant, scopes);
    for (int i = 0; i < n; i++)
        if (add_move(&m, st, s, scopes[i], contestant, before, after) != 0) return -1;
    for (int k = 0; k < s->n_modules; k++)
        if (add_move(&m, st, s, (struct scope){SCOPE_MODULE, k}, contestant, before, after) != 0)
            return -1;
    return flush_moves(&m);
}

size_t standings_rank(const struct standings *st, const struct scheme *s, struct scope scope,
                      int contestant, const struct result *r)
{
    int64_t probe[MAX_RANK_VALUES + 1];
    make_key(st, s, scope, contestant, r, probe);
    probe[scope.kind == SCOPE_MODULE ? 1 : st->n_rank_values] = -1; /* before any index */
    return 1 + ostree_count_less(tree_of(st, scope), probe);
}

size_t standings_scope_size(const struct standings *st, struct scope scope)
{
    return ostree_size(tree_of(st, scope));
}

struct each_state {
    int n_values;
    const int64_t *previous;
    size_t position, rank;
    int (*fn)(int contestant, size_t rank, void *arg);
    void *arg;
};

static int visit(const void *key, void *arg)
{
    struct each_state *e = arg;
    const int64_t *k = key;
    e->position++;
    if (!e->previous || memcmp(e->previous, k, (size_t)e->n_values * sizeof *k) != 0)
        e->rank = e->position;
    e->previous = k;
    return e->fn((int)k[e->n_values], e->rank, e->arg);
}

int standings_each(const struct standings *st, struct scope scope,
                   int (*fn)(int contestant, size_t rank, void *arg), void *arg)
{
    struct each_state e = {scope.kind == SCOPE_MODULE ? 1 : st->n_rank_values, NULL, 0, 0, fn,
                           arg};
    return ostree_each(tree_of(st, scope), visit, &e);
}

/* Positions [*from, *to) of the keys whose values equal those of r or lie between. */
static void value_range(const struct standings *st, const struct scheme *s, struct scope scope,
                        const struct result *r, size_t *from, size_t *to)
{
    int64_t probe[MAX_RANK_VALUES + 1];
    int n = scope.kind == SCOPE_MODULE ? 1 : st->n_rank_values;
    make_key(st, s, scope, 0, r, probe);
    probe[n] = -1; /* before every index with these values */
    size_t first = ostree_count_less(tree_of(st, scope), probe);
    probe[n] = INT64_MAX; /* after every index with these values */
    size_t last = ostree_count_less(tree_of(st, scope), probe);
    if (first < *from) *from = first;
    if (last > *to) *to = last;
}

size_t standings_between(const struct standings *st, const struct scheme *s, struct scope scope,
                         const struct result *a, const struct result *b, size_t limit,
                         int (*fn)(int contestant, size_t rank, void *arg), void *arg)
{
    int64_t key_a[MAX_RANK_VALUES + 1], key_b[MAX_RANK_VALUES + 1];
    size_t n_values = (size_t)(scope.kind == SCOPE_MODULE ? 1 : st->n_rank_values);
    make_key(st, s, scope, 0, a, key_a);
    make_key(st, s, scope, 0, b, key_b);
    if (memcmp(key_a, key_b, n_values * sizeof *key_a) == 0) return 0; /* nobody moved */
    size_t from = SIZE_MAX, to = 0;
    value_range(st, s, scope, a, &from, &to);
    value_range(st, s, scope, b, &from, &to);
    if (to - from > limit) return to - from;
    const struct ostree *tree = tree_of(st, scope);
    const int64_t *previous = NULL;
    size_t rank = from + 1; /* everything before from is strictly ahead of the first */
    for (size_t i = from; i < to; i++) {
        const int64_t *key = ostree_at(tree, i);
        if (previous && memcmp(previous, key, n_values * sizeof *key) != 0) rank = i + 1;
        previous = key;
        if (fn((int)key[n_values], rank, arg) != 0) break;
    }
    return to - from;
}

struct scope standings_award_scope(const struct scheme *s, int contestant)
{
    const struct contestant *who = &s->contestants[contestant];
    switch (s->award_scope) {
    case AWARD_SCOPE_GROUP: return (struct scope){SCOPE_GROUP, who->group};
    case AWARD_SCOPE_VENUE: return (struct scope){SCOPE_VENUE, who->venue};
    default: return (struct scope){SCOPE_OVERALL, 0};
    }
}

bool scope_parse(const struct scheme *s, const char *text, struct scope *out)
{
    if (strcmp(text, "overall") == 0) {
        *out = (struct scope){SCOPE_OVERALL, 0};
        return true;
    }
    static const struct {
        const char *prefix;
        enum scope_kind kind;
        int (*find)(const struct scheme *, const char *);
    } kinds[] = {{"group:", SCOPE_GROUP, scheme_group},
                 {"venue:", SCOPE_VENUE, scheme_venue},
                 {"module:", SCOPE_MODULE, scheme_module}};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        size_t len = strlen(kinds[i].prefix);
        if (strncmp(text, kinds[i].prefix, len) != 0) continue;
        int index = kinds[i].find(s, text + len);
        if (index < 0) return false;
        *out = (struct scope){kinds[i].kind, index};
        return true;
    }
    return false;
}

bool scope_contains(const struct scheme *s, struct scope scope, int contestant)
{
    const struct contestant *who = &s->contestants[contestant];
    switch (scope.kind) {
    case SCOPE_GROUP: return who->group == scope.index;
    case SCOPE_VENUE: return who->venue == scope.index;
    default: return true;
    }
}
