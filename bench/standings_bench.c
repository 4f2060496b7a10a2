/* Standings benchmark: a score update moves a contestant's key in the trees of its four
 * scopes and reads its new ranks; compared with a full re-sort, and Redis when built in.
 * Usage: standings_bench [redis-port]   (the port only when compiled with HAVE_HIREDIS).
 * Run it through bench/standings.sh, which builds it and starts a private redis-server. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/ostree.h"

#ifdef HAVE_HIREDIS
#include <hiredis/hiredis.h>
#endif

#ifndef CONTESTANTS /* both may be set with -D, e.g. to see a cache-resident run */
#define CONTESTANTS 100000
#endif
#ifndef UPDATES
#define UPDATES 1000000
#endif
#define RESORT_UPDATES 2000
#define CHECKED_UPDATES RESORT_UPDATES /* every contender runs at least these */
#define REDIS_UPDATES 200000
#define GROUPS 3
#define VENUES 2
#define MODULES 4
#define MODULE_MAX 25000 /* thousandths of a point */
#define SCOPES_PER_UPDATE 4
/* Trees in order: overall, groups, venues, modules. */
#define GROUP_SCOPE(g) (1 + (g))
#define VENUE_SCOPE(v) (1 + GROUPS + (v))
#define MODULE_SCOPE(m) (1 + GROUPS + VENUES + (m))
#define SCOPES (1 + GROUPS + VENUES + MODULES)

/* The key the standings use: score and tiebreak descending, then id ascending. */
struct entry {
    int64_t score;
    int64_t tiebreak;
    uint32_t id;
};

static int compare_entries(const void *a, const void *b, void *ctx)
{
    const struct entry *x = a, *y = b;
    if (x->score != y->score) return x->score > y->score ? -1 : 1;
    if (x->tiebreak != y->tiebreak) return x->tiebreak > y->tiebreak ? -1 : 1;
    return (x->id > y->id) - (x->id < y->id);
}

struct contestant {
    int group, venue;
    int64_t modules[MODULES];
};

struct update {
    uint32_t contestant, module;
    int64_t score;
};

/* One update in scope terms: for each of the four scopes, the key before and after. */
struct move {
    int scope[SCOPES_PER_UPDATE];
    struct entry before[SCOPES_PER_UPDATE], after[SCOPES_PER_UPDATE];
};

static uint64_t rng_next(uint64_t *s) /* xorshift64* */
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545f4914f6cdd1dULL;
}

static uint32_t rng_below(uint64_t *s, uint32_t n) { return (uint32_t)(rng_next(s) >> 32) % n; }

static void die(const char *what)
{
    fprintf(stderr, "standings_bench: %s\n", what);
    exit(1);
}

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n, size);
    if (!p) die("out of memory");
    return p;
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The same contestants for every contender: fixed seed. */
static void init_contestants(struct contestant *cs)
{
    uint64_t rng = 20260101;
    for (uint32_t i = 0; i < CONTESTANTS; i++) {
        cs[i].group = (int)rng_below(&rng, GROUPS);
        cs[i].venue = (int)rng_below(&rng, VENUES);
        for (int m = 0; m < MODULES; m++) cs[i].modules[m] = rng_below(&rng, MODULE_MAX + 1);
    }
}

static struct update *make_updates(size_t n)
{
    struct update *us = xcalloc(n, sizeof *us);
    uint64_t rng = 777;
    for (size_t i = 0; i < n; i++) {
        us[i].contestant = rng_below(&rng, CONTESTANTS);
        us[i].module = rng_below(&rng, MODULES);
        us[i].score = rng_below(&rng, MODULE_MAX + 1);
    }
    return us;
}

/* Overall, group and venue rank by total, then by module 0's score (a "module:A" tiebreak). */
static struct entry ranking_key(const struct contestant *c, uint32_t id)
{
    int64_t total = 0;
    for (int m = 0; m < MODULES; m++) total += c->modules[m];
    return (struct entry){.score = total, .tiebreak = c->modules[0], .id = id};
}

static struct entry module_key(const struct contestant *c, uint32_t id, int m)
{
    return (struct entry){.score = c->modules[m], .id = id};
}

static void keys_into(const struct contestant *c, uint32_t id, int m, struct entry out[4])
{
    out[0] = out[1] = out[2] = ranking_key(c, id);
    out[3] = module_key(c, id, m);
}

/* Applies u to the contestant and says which keys move where. */
static struct move apply_update(struct contestant *cs, const struct update *u)
{
    struct contestant *c = &cs[u->contestant];
    struct move mv = {.scope = {0, GROUP_SCOPE(c->group), VENUE_SCOPE(c->venue),
                                MODULE_SCOPE(u->module)}};
    keys_into(c, u->contestant, (int)u->module, mv.before);
    c->modules[u->module] = u->score;
    keys_into(c, u->contestant, (int)u->module, mv.after);
    return mv;
}

/* Calls fn with every (scope, key) pair of the initial standings. */
static void each_initial_key(const struct contestant *cs, void (*fn)(void *, int, struct entry),
                             void *arg)
{
    for (uint32_t i = 0; i < CONTESTANTS; i++) {
        struct entry rank = ranking_key(&cs[i], i);
        fn(arg, 0, rank);
        fn(arg, GROUP_SCOPE(cs[i].group), rank);
        fn(arg, VENUE_SCOPE(cs[i].venue), rank);
        for (int m = 0; m < MODULES; m++) fn(arg, MODULE_SCOPE(m), module_key(&cs[i], i, m));
    }
}

/* A contender keeps the standings of every scope and applies moves, returning the sum of
 * the new ranks (which also keeps the compiler from skipping the work). */
struct contender {
    const char *name;
    void *state;
    void (*add)(void *state, int scope, struct entry key);
    void (*ready)(void *state); /* after the initial keys, before timing; may be NULL */
    uint64_t (*move)(void *state, const struct move *mv);
};

/* --- Order-statistic trees --- */

static void tree_add(void *state, int scope, struct entry key)
{
    struct ostree **trees = state;
    if (ostree_insert(trees[scope], &key) != 0) die("tree insert failed");
}

static uint64_t tree_move(void *state, const struct move *mv)
{
    struct ostree **trees = state;
    struct ostree *moved[SCOPES_PER_UPDATE];
    const void *before[SCOPES_PER_UPDATE], *after[SCOPES_PER_UPDATE];
    size_t ranks[SCOPES_PER_UPDATE];
    for (int i = 0; i < SCOPES_PER_UPDATE; i++) {
        moved[i] = trees[mv->scope[i]];
        before[i] = &mv->before[i];
        after[i] = &mv->after[i];
    }
    /* One call for the four scopes, as standings_move makes: their walks overlap. */
    if (ostree_move_batch(moved, before, after, ranks, SCOPES_PER_UPDATE) != 0)
        die("tree move failed");
    uint64_t rank_sum = 0;
    for (int i = 0; i < SCOPES_PER_UPDATE; i++) rank_sum += 1 + ranks[i];
    return rank_sum;
}

/* --- Baseline: one array per scope, re-sorted after every change --- */

struct sorted_scopes {
    struct entry *keys[SCOPES];
    size_t n[SCOPES];
};

static int qsort_entries(const void *a, const void *b) { return compare_entries(a, b, NULL); }

static void resort_add(void *state, int scope, struct entry key)
{
    struct sorted_scopes *s = state;
    s->keys[scope][s->n[scope]++] = key;
}

static void resort_ready(void *state)
{
    struct sorted_scopes *s = state;
    for (int i = 0; i < SCOPES; i++) qsort(s->keys[i], s->n[i], sizeof *s->keys[i], qsort_entries);
}

static size_t index_of_id(const struct entry *keys, size_t n, uint32_t id)
{
    for (size_t i = 0; i < n; i++)
        if (keys[i].id == id) return i;
    die("resort: contestant missing");
    return 0;
}

static size_t lower_bound(const struct entry *keys, size_t n, const struct entry *key)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (compare_entries(&keys[mid], key, NULL) < 0) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

static uint64_t resort_move(void *state, const struct move *mv)
{
    struct sorted_scopes *s = state;
    uint64_t rank_sum = 0;
    for (int i = 0; i < SCOPES_PER_UPDATE; i++) {
        struct entry *keys = s->keys[mv->scope[i]];
        size_t n = s->n[mv->scope[i]];
        keys[index_of_id(keys, n, mv->after[i].id)] = mv->after[i];
        qsort(keys, n, sizeof *keys, qsort_entries);
        rank_sum += 1 + lower_bound(keys, n, &mv->after[i]);
    }
    return rank_sum;
}

/* --- Redis sorted sets: ZADD (replaces the member's score) + ZREVRANK, pipelined --- */

#ifdef HAVE_HIREDIS
#define ID_SPAN (1 << 17)
_Static_assert(CONTESTANTS <= ID_SPAN, "ids must fit in the Redis score");

/* The whole key as one integer below 2^53, so exact as Redis's double score: higher is
 * ahead, and the id is folded in reversed, so ZREVRANK counts exactly the keys before. */
static long long redis_score(const struct entry *e)
{
    long long score_then_tiebreak = e->score * (MODULE_MAX + 1) + e->tiebreak;
    return score_then_tiebreak * ID_SPAN + (ID_SPAN - 1 - (long long)e->id);
}

static void redis_expect_reply(redisContext *rc)
{
    redisReply *reply;
    if (redisGetReply(rc, (void **)&reply) != REDIS_OK) die("redis: connection lost");
    if (reply->type == REDIS_REPLY_ERROR) die(reply->str);
    freeReplyObject(reply);
}

struct redis {
    redisContext *rc;
    size_t pending; /* replies still to read while loading */
};

static void redis_ready(void *state)
{
    struct redis *r = state;
    for (; r->pending > 0; r->pending--) redis_expect_reply(r->rc);
}

static void redis_add(void *state, int scope, struct entry key)
{
    struct redis *r = state;
    redisAppendCommand(r->rc, "ZADD jxbench:%d %lld %u", scope, redis_score(&key), key.id);
    if (++r->pending == 10000) redis_ready(r);
}

static uint64_t redis_move(void *state, const struct move *mv)
{
    redisContext *rc = ((struct redis *)state)->rc;
    uint64_t rank_sum = 0;
    for (int i = 0; i < SCOPES_PER_UPDATE; i++) {
        redisAppendCommand(rc, "ZADD jxbench:%d %lld %u", mv->scope[i],
                           redis_score(&mv->after[i]), mv->after[i].id);
        redisAppendCommand(rc, "ZREVRANK jxbench:%d %u", mv->scope[i], mv->after[i].id);
    }
    for (int i = 0; i < SCOPES_PER_UPDATE; i++) {
        redisReply *reply;
        redis_expect_reply(rc);
        if (redisGetReply(rc, (void **)&reply) != REDIS_OK || reply->type != REDIS_REPLY_INTEGER)
            die("redis: bad ZREVRANK reply");
        rank_sum += 1 + (uint64_t)reply->integer;
        freeReplyObject(reply);
    }
    return rank_sum;
}

static redisContext *redis_connect(int port)
{
    redisContext *rc = redisConnect("127.0.0.1", port);
    if (!rc || rc->err) die("redis: cannot connect");
    for (int scope = 0; scope < SCOPES; scope++) {
        redisReply *reply = redisCommand(rc, "DEL jxbench:%d", scope);
        if (!reply) die("redis: DEL failed");
        freeReplyObject(reply);
    }
    return rc;
}
#endif

/* --- Measurement --- */

static int compare_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static void report(const char *name, uint64_t *samples, size_t n, uint64_t wall_ns,
                   const char *note)
{
    qsort(samples, n, sizeof *samples, compare_u64);
    printf("%-8s %8zu updates  p50 %10.2f us  p99 %10.2f us  max %10.2f us  %12.0f updates/s%s\n",
           name, n, samples[n / 2] / 1e3, samples[n * 99 / 100] / 1e3, samples[n - 1] / 1e3,
           n / (wall_ns / 1e9), note);
}

/* Loads the initial standings into c, then times each of the first n updates. The ranks
 * read in the first CHECKED_UPDATES updates are summed: every contender must agree. */
static void run(const struct contender *c, const struct update *updates, size_t n,
                const char *note)
{
    struct contestant *cs = xcalloc(CONTESTANTS, sizeof *cs);
    uint64_t *samples = xcalloc(n, sizeof *samples);
    init_contestants(cs);
    each_initial_key(cs, c->add, c->state);
    if (c->ready) c->ready(c->state);
    uint64_t checksum = 0, start = now_ns();
    for (size_t i = 0; i < n; i++) {
        struct move mv = apply_update(cs, &updates[i]);
        uint64_t t0 = now_ns();
        uint64_t rank_sum = c->move(c->state, &mv);
        samples[i] = now_ns() - t0;
        if (i < CHECKED_UPDATES) checksum += rank_sum;
    }
    uint64_t wall = now_ns() - start;
    report(c->name, samples, n, wall, note);
    printf("         ranks read in the first %d updates sum to %llu\n", CHECKED_UPDATES,
           (unsigned long long)checksum);
    free(samples);
    free(cs);
}

static void run_trees(const struct update *updates)
{
    struct ostree *trees[SCOPES];
    for (int s = 0; s < SCOPES; s++)
        if (!(trees[s] = ostree_new(sizeof(struct entry), compare_entries, NULL)))
            die("out of memory");
#ifndef NO_LEAD /* JX_BENCH_CFLAGS=-DNO_LEAD: every comparison through the comparator */
        else ostree_lead_desc(trees[s]); /* score first, higher first */
#endif
    struct contender c = {"ostree", trees, tree_add, NULL, tree_move};
    run(&c, updates, UPDATES, "");
    for (int s = 0; s < SCOPES; s++) ostree_free(trees[s]);
}

static void run_resort(const struct update *updates)
{
    struct sorted_scopes s = {0};
    for (int i = 0; i < SCOPES; i++) s.keys[i] = xcalloc(CONTESTANTS, sizeof(struct entry));
    struct contender c = {"re-sort", &s, resort_add, resort_ready, resort_move};
    run(&c, updates, RESORT_UPDATES, "  (fewer updates: each one re-sorts 4 scopes)");
    for (int i = 0; i < SCOPES; i++) free(s.keys[i]);
}

int main(int argc, char **argv)
{
    struct update *updates = make_updates(UPDATES);
    printf("standings: %d contestants, %d groups, %d venues, %d modules; each update moves one\n"
           "contestant's key in 4 scopes (overall, group, venue, module) and reads its 4 ranks.\n"
           "Latency is per update (clock_gettime around it); updates/s is over the timed loop.\n",
           CONTESTANTS, GROUPS, VENUES, MODULES);
    run_trees(updates);
    run_resort(updates);
#ifdef HAVE_HIREDIS
    if (argc > 1) {
        struct redis r = {redis_connect(atoi(argv[1])), 0};
        struct contender c = {"redis", &r, redis_add, redis_ready, redis_move};
        run(&c, updates, REDIS_UPDATES,
            "  (fewer updates; one pipelined round trip of 4 ZADD + 4 ZREVRANK each)");
        redisFree(r.rc);
    }
#endif
    free(updates);
    return 0;
}
