/* The order-statistic tree behind standings: a counted B+tree with keys inline in fat leaves
 * and, in inner nodes, inline separators and per-child key counts. Owns all node memory. */
#include "core/ostree.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#ifdef __linux__
#include <sys/mman.h>
#endif
#ifdef __SANITIZE_ADDRESS__ /* so that ASan still sees a node used after it is freed */
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

/* Bytes in a leaf and in an inner node (24 cache lines), before rounding up to whole lines;
 * -D may change them (the benchmark does, to compare; 1 and 2 KiB measured about as fast).
 * For keys of 24 bytes a leaf holds up to 62 keys and an inner node has up to 37 children,
 * so 100,000 keys are 3 inner levels above the leaves. Larger keys get larger nodes, never
 * fewer than MIN_FANOUT keys or children. */
#ifndef OSTREE_LEAF_BYTES
#define OSTREE_LEAF_BYTES 1536
#endif
#ifndef OSTREE_INNER_BYTES
#define OSTREE_INNER_BYTES 1536
#endif
#define LINE 64
#define MIN_FANOUT 8
/* Non-root nodes are at least half full, so each level multiplies the keys by at least
 * MIN_FANOUT / 2 = 4: a height of 40 needs more than 2^64 keys. */
#define MAX_HEIGHT 40
/* Nodes are cut from slabs: the first holds a few nodes, each next one is twice as large up
 * to SLAB_SMALL_MAX; after that they are SLAB_MAX, one transparent huge page each where the
 * system allows it, so that a walk to a leaf not in cache seldom misses the TLB as well
 * (measured 10-15% faster at 100,000 keys a tree). A tree of up to about 330 nodes of
 * 1.5 KiB (16,000 keys of 24 bytes) stays in small slabs. */
#define SLAB_SMALL_MAX ((size_t)256 << 10)
#define SLAB_MAX ((size_t)2 << 20)

/* A leaf: n keys in ascending order, key_size bytes apart, starting 16 bytes in (so a key
 * is as aligned as any object of its size). Room for leaf_cap + 1 keys: an insert may
 * overfill it by one before it splits. */
struct leaf {
    size_t n;
    max_align_t keys[];
};

/* An inner node: n children, counts[i] keys below children[i], and n - 1 separators: every
 * key below child i sorts before separator i, which sorts before or equal to every key
 * below child i + 1. Arrays in data: counts, children (both inner_cap + 1 long), then the
 * separators (inner_cap long). */
struct inner {
    size_t n;
    max_align_t data[];
};

/* A slab's first line links it to the one allocated before it; nodes follow. */
struct slab {
    struct slab *next;
};

struct ostree {
    void *root;
    unsigned height; /* inner levels above the leaves: 0 when the root is a leaf */
    size_t size, key_size;
    ostree_cmp_fn cmp;
    void *ctx;
    bool lead_desc;              /* keys begin with an int64_t, higher first (ostree_lead_desc) */
    size_t leaf_cap, leaf_min;   /* keys in a leaf other than the root */
    size_t inner_cap, inner_min; /* children of an inner node other than the root */
    size_t leaf_bytes, inner_bytes;
    size_t children_at, seps_at; /* offsets in an inner node's data */
    /* The leaf the last insert put its key in, while no insert or remove has changed the
     * tree since; the keys before that leaf, and the separators around it (NULL for
     * none). A rank asked for just after an insert, near its key, starts from there. */
    const struct leaf *finger;
    size_t finger_before;
    const void *finger_lo, *finger_hi;
    /* Node memory: every slab, the unused end of the newest, freed leaves and inner nodes
     * (each starts with a pointer to the next), and the size of the next slab. */
    struct slab *slabs;
    unsigned char *unused;
    size_t unused_bytes;
    void *free_leaves, *free_inners;
    size_t slab_bytes;
};

/* The inner nodes on the way down to a leaf: at[level] and the child taken, idx[level],
 * for level = height (the root) down to 1 (the leaf's parent). */
struct path {
    struct inner *at[MAX_HEIGHT + 1];
    size_t idx[MAX_HEIGHT + 1];
};

static unsigned char *leaf_keys(const struct leaf *l) { return (unsigned char *)l->keys; }

static unsigned char *leaf_key(const struct ostree *t, const struct leaf *l, size_t i)
{
    return leaf_keys(l) + i * t->key_size;
}

static size_t *counts_of(const struct inner *p) { return (size_t *)p->data; }

static void **children_of(const struct ostree *t, const struct inner *p)
{
    return (void **)((unsigned char *)p->data + t->children_at);
}

static unsigned char *seps_of(const struct ostree *t, const struct inner *p)
{
    return (unsigned char *)p->data + t->seps_at;
}

static unsigned char *sep(const struct ostree *t, const struct inner *p, size_t i)
{
    return seps_of(t, p) + i * t->key_size;
}

/* counts[0] + ... + counts[n - 1]. */
static size_t sum(const size_t *counts, size_t n)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++) total += counts[i];
    return total;
}

static inline int64_t lead(const void *key)
{
    int64_t v;
    memcpy(&v, key, sizeof v);
    return v;
}

static int compare(const struct ostree *t, const void *a, const void *b)
{
    if (t->lead_desc && lead(a) != lead(b)) return lead(a) > lead(b) ? -1 : 1;
    return t->cmp(a, b, t->ctx);
}

/* Whether the key at `at` sorts before key (or_equal: before it or equal to it). Different
 * leading values decide inline; the comparator is called for ties. */
static inline bool counts(const struct ostree *t, const void *at, const void *key, bool or_equal)
{
    if (t->lead_desc && lead(at) != lead(key)) return lead(at) > lead(key);
    return or_equal ? t->cmp(key, at, t->ctx) >= 0 : t->cmp(at, key, t->ctx) < 0;
}

/* How many of the n keys from base sort before key (or_equal: before it or equal to it).
 * Without branches on the comparison, so the loads of a node the walk has just prefetched
 * do not wait on mispredictions. Inlined, so or_equal is a constant in each caller. */
#ifdef __GNUC__
__attribute__((always_inline))
#endif
static inline size_t count_keys(const struct ostree *t, const unsigned char *base, size_t n,
                                const void *key, bool or_equal)
{
    if (n == 0) return 0;
    size_t ks = t->key_size, lo = 0;
    while (n > 1) {
        size_t half = n / 2;
        lo = counts(t, base + (lo + half) * ks, key, or_equal) ? lo + half : lo;
        n -= half;
    }
    return lo + counts(t, base + lo * ks, key, or_equal);
}

static size_t count_before(const struct ostree *t, const unsigned char *base, size_t n,
                           const void *key)
{
    return count_keys(t, base, n, key, false);
}

static size_t count_not_after(const struct ostree *t, const unsigned char *base, size_t n,
                              const void *key)
{
    return count_keys(t, base, n, key, true);
}

/* The prefetching functions are always inlined: gcc 12 finds a function that only
 * prefetches "pure" and deletes the calls to it, as their result is unused. */
#ifdef __GNUC__
#define PREFETCHING __attribute__((always_inline)) inline
#else
#define PREFETCHING inline
#endif

/* Asks for the cache lines from..end at once (four per turn: fewer instructions), so a
 * node not in cache costs about one memory latency rather than one per step of the binary
 * search. */
static PREFETCHING void prefetch(const void *from, const void *end)
{
    const char *at = from;
    for (; at + 3 * LINE < (const char *)end; at += 4 * LINE) {
        __builtin_prefetch(at);
        __builtin_prefetch(at + LINE);
        __builtin_prefetch(at + 2 * LINE);
        __builtin_prefetch(at + 3 * LINE);
    }
    for (; at < (const char *)end; at += LINE) __builtin_prefetch(at);
}

static PREFETCHING void prefetch_inner(const struct ostree *t, const struct inner *p)
{
    prefetch(p, (const char *)p + t->inner_bytes);
}

/* Only the lines that hold the leaf's n keys (its parent knows n). */
static PREFETCHING void prefetch_leaf(const struct ostree *t, const struct leaf *l, size_t n)
{
    prefetch(l, (const char *)l->keys + n * t->key_size);
}

static size_t round_up(size_t n, size_t to) { return (n + to - 1) / to * to; }

/* A leaf, or an inner node when inner is true. */
static void *node_alloc(struct ostree *t, bool inner)
{
    void **free_list = inner ? &t->free_inners : &t->free_leaves;
    size_t node_bytes = inner ? t->inner_bytes : t->leaf_bytes;
    void *node = *free_list;
    if (node) {
        UNPOISON(node, node_bytes);
        *free_list = *(void **)node;
        return node;
    }
    if (t->unused_bytes < node_bytes) { /* what is left of the old slab is lost */
        size_t bytes = t->slab_bytes;
        bool huge = bytes % SLAB_MAX == 0;
        struct slab *slab = aligned_alloc(huge ? SLAB_MAX : LINE, bytes);
        if (!slab) return NULL;
#ifdef MADV_HUGEPAGE
        if (huge) madvise(slab, bytes, MADV_HUGEPAGE); /* only advice: failure is harmless */
#endif
        slab->next = t->slabs;
        t->slabs = slab;
        t->unused = (unsigned char *)slab + LINE;
        t->unused_bytes = bytes - LINE;
        POISON(t->unused, t->unused_bytes);
        if (bytes < SLAB_MAX) t->slab_bytes = bytes < SLAB_SMALL_MAX ? 2 * bytes : SLAB_MAX;
    }
    node = t->unused;
    t->unused += node_bytes;
    t->unused_bytes -= node_bytes;
    UNPOISON(node, node_bytes);
    return node;
}

static void node_free(struct ostree *t, void *node, bool inner)
{
    void **free_list = inner ? &t->free_inners : &t->free_leaves;
    *(void **)node = *free_list;
    *free_list = node;
    POISON(node, inner ? t->inner_bytes : t->leaf_bytes);
}

struct ostree *ostree_new(size_t key_size, ostree_cmp_fn cmp, void *ctx)
{
    /* Larger keys would overflow the sizes below. */
    if (key_size > (SIZE_MAX / 4 - 4 * LINE) / (4 * MIN_FANOUT + 4)) return NULL;
    size_t ks = key_size ? key_size : 1;
    size_t least_leaf = sizeof(struct leaf) + (MIN_FANOUT + 1) * ks;
    size_t least_inner = sizeof(struct inner) + (MIN_FANOUT + 1) * 2 * sizeof(size_t) +
                         MIN_FANOUT * ks;
    size_t leaf_bytes =
        round_up(OSTREE_LEAF_BYTES > least_leaf ? OSTREE_LEAF_BYTES : least_leaf, LINE);
    size_t inner_bytes =
        round_up(OSTREE_INNER_BYTES > least_inner ? OSTREE_INNER_BYTES : least_inner, LINE);

    struct ostree *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    t->key_size = key_size;
    t->cmp = cmp;
    t->ctx = ctx;
    t->leaf_bytes = leaf_bytes;
    t->inner_bytes = inner_bytes;
    t->leaf_cap = (leaf_bytes - sizeof(struct leaf)) / ks - 1; /* one spare */
    t->leaf_min = t->leaf_cap / 2;
    t->inner_cap = (inner_bytes - sizeof(struct inner) - 2 * sizeof(size_t)) /
                   (ks + 2 * sizeof(size_t));
    t->inner_min = t->inner_cap / 2;
    t->children_at = (t->inner_cap + 1) * sizeof(size_t);
    t->seps_at = t->children_at + (t->inner_cap + 1) * sizeof(void *);
    t->slab_bytes = LINE; /* a power of two, so doubling reaches SLAB_MAX */
    size_t node_bytes = leaf_bytes > inner_bytes ? leaf_bytes : inner_bytes;
    while (t->slab_bytes < LINE + 4 * node_bytes) t->slab_bytes *= 2;
    struct leaf *root = node_alloc(t, false);
    if (!root) {
        free(t);
        return NULL;
    }
    root->n = 0;
    t->root = root;
    return t;
}

void ostree_lead_desc(struct ostree *t)
{
    if (t->key_size >= sizeof(int64_t)) t->lead_desc = true;
}

void ostree_free(struct ostree *t)
{
    if (!t) return;
    for (struct slab *slab = t->slabs, *next; slab; slab = next) {
        next = slab->next;
        free(slab);
    }
    free(t);
}

/* Walks from the root to the leaf where key belongs, noting the way in path. */
static struct leaf *descend(const struct ostree *t, const void *key, struct path *path)
{
    void *node = t->root;
    for (unsigned level = t->height; level > 0; level--) {
        struct inner *p = node;
        size_t i = count_not_after(t, seps_of(t, p), p->n - 1, key);
        path->at[level] = p;
        path->idx[level] = i;
        node = children_of(t, p)[i];
        if (level > 1) prefetch_inner(t, node);
        else prefetch_leaf(t, node, counts_of(p)[i]);
    }
    return node;
}

/* Makes room at position i of an inner node and puts there the separator before child
 * i + 1, that child and its count. */
static void inner_insert(const struct ostree *t, struct inner *p, size_t i, const void *key,
                         void *child, size_t count)
{
    size_t *counts = counts_of(p);
    void **children = children_of(t, p);
    memmove(&counts[i + 2], &counts[i + 1], (p->n - i - 1) * sizeof *counts);
    memmove(&children[i + 2], &children[i + 1], (p->n - i - 1) * sizeof *children);
    memmove(sep(t, p, i + 1), sep(t, p, i), (p->n - 1 - i) * t->key_size);
    memcpy(sep(t, p, i), key, t->key_size);
    children[i + 1] = child;
    counts[i + 1] = count;
    counts[i] -= count;
    p->n++;
}

/* Moves the upper half of an overfull leaf into the empty leaf right. */
static void split_leaf(const struct ostree *t, struct leaf *l, struct leaf *right)
{
    size_t keep = l->n / 2;
    right->n = l->n - keep;
    memcpy(leaf_keys(right), leaf_key(t, l, keep), right->n * t->key_size);
    l->n = keep;
}

/* Moves the upper half of an overfull inner node into the empty node right. The separator
 * between the halves stays readable in p's memory at the returned address until p changes.
 * *moved is the number of keys below the children that moved. */
static const void *split_inner(const struct ostree *t, struct inner *p, struct inner *right,
                               size_t *moved)
{
    size_t keep = p->n / 2;
    right->n = p->n - keep;
    memcpy(counts_of(right), &counts_of(p)[keep], right->n * sizeof(size_t));
    memcpy(children_of(t, right), &children_of(t, p)[keep], right->n * sizeof(void *));
    memcpy(seps_of(t, right), sep(t, p, keep), (right->n - 1) * t->key_size);
    *moved = sum(counts_of(right), right->n);
    p->n = keep;
    return sep(t, p, keep - 1);
}

/* Entries of a node: keys in a leaf, children in an inner node (both start with n). */
static size_t entries(const void *node) { return *(const size_t *)node; }

/* Moves k entries from the end of child j of p to the front of child j + 1 (the children
 * are leaves when level is 1). */
static void shift_right(struct ostree *t, struct inner *p, size_t j, size_t k,
                        unsigned level)
{
    void *a_node = children_of(t, p)[j], *b_node = children_of(t, p)[j + 1];
    size_t ks = t->key_size, moved = k;
    if (level == 1) {
        struct leaf *a = a_node, *b = b_node;
        memmove(leaf_key(t, b, k), leaf_keys(b), b->n * ks);
        memcpy(leaf_keys(b), leaf_key(t, a, a->n - k), k * ks);
        a->n -= k;
        b->n += k;
        memcpy(sep(t, p, j), leaf_keys(b), ks);
    } else {
        struct inner *a = a_node, *b = b_node;
        size_t *ac = counts_of(a), *bc = counts_of(b);
        void **ach = children_of(t, a), **bch = children_of(t, b);
        memmove(&bc[k], bc, b->n * sizeof *bc);
        memmove(&bch[k], bch, b->n * sizeof *bch);
        memmove(sep(t, b, k), seps_of(t, b), (b->n - 1) * ks);
        memcpy(bc, &ac[a->n - k], k * sizeof *bc);
        memcpy(bch, &ach[a->n - k], k * sizeof *bch);
        memcpy(sep(t, b, k - 1), sep(t, p, j), ks);
        memcpy(seps_of(t, b), sep(t, a, a->n - k), (k - 1) * ks);
        memcpy(sep(t, p, j), sep(t, a, a->n - k - 1), ks);
        moved = sum(bc, k);
        a->n -= k;
        b->n += k;
    }
    counts_of(p)[j] -= moved;
    counts_of(p)[j + 1] += moved;
}

/* Moves k entries from the front of child j + 1 of p to the end of child j. When k is all
 * of child j + 1, that child is then dropped from p and freed (a merge). */
static void shift_left(struct ostree *t, struct inner *p, size_t j, size_t k,
                       unsigned level)
{
    void *a_node = children_of(t, p)[j], *b_node = children_of(t, p)[j + 1];
    size_t ks = t->key_size, moved = k;
    bool merge = k == entries(b_node);
    if (level == 1) {
        struct leaf *a = a_node, *b = b_node;
        memcpy(leaf_key(t, a, a->n), leaf_keys(b), k * ks);
        memmove(leaf_keys(b), leaf_key(t, b, k), (b->n - k) * ks);
        a->n += k;
        b->n -= k;
        if (!merge) memcpy(sep(t, p, j), leaf_keys(b), ks);
    } else {
        struct inner *a = a_node, *b = b_node;
        size_t *ac = counts_of(a), *bc = counts_of(b);
        void **ach = children_of(t, a), **bch = children_of(t, b);
        moved = sum(bc, k);
        memcpy(&ac[a->n], bc, k * sizeof *bc);
        memcpy(&ach[a->n], bch, k * sizeof *bch);
        memcpy(sep(t, a, a->n - 1), sep(t, p, j), ks);
        memcpy(sep(t, a, a->n), seps_of(t, b), (k - 1) * ks);
        if (!merge) {
            memcpy(sep(t, p, j), sep(t, b, k - 1), ks);
            memmove(bc, &bc[k], (b->n - k) * sizeof *bc);
            memmove(bch, &bch[k], (b->n - k) * sizeof *bch);
            memmove(seps_of(t, b), sep(t, b, k), (b->n - k - 1) * ks);
        }
        a->n += k;
        b->n -= k;
    }
    counts_of(p)[j] += moved;
    counts_of(p)[j + 1] -= moved;
    if (!merge) return;
    size_t *counts = counts_of(p);
    void **children = children_of(t, p);
    memmove(&counts[j + 1], &counts[j + 2], (p->n - j - 2) * sizeof *counts);
    memmove(&children[j + 1], &children[j + 2], (p->n - j - 2) * sizeof *children);
    memmove(sep(t, p, j), sep(t, p, j + 1), (p->n - j - 2) * ks);
    p->n--;
    node_free(t, b_node, level > 1);
}

static void set_finger(struct ostree *t, const struct path *path, const struct leaf *l)
{
    size_t before = 0;
    const void *lo = NULL, *hi = NULL;
    for (unsigned level = t->height; level > 0; level--) { /* the lowest bounds are tightest */
        const struct inner *p = path->at[level];
        size_t i = path->idx[level];
        before += sum(counts_of(p), i);
        if (i > 0) lo = sep(t, p, i - 1);
        if (i + 1 < p->n) hi = sep(t, p, i);
    }
    t->finger = l;
    t->finger_before = before;
    t->finger_lo = lo;
    t->finger_hi = hi;
}

/* Inserts key into leaf l, which path leads to from the root (as descend finds them).
 * *at is where in l it went (until l changes; it is the finger when l is t->finger). */
static int insert_at(struct ostree *t, const void *key, const struct path *path,
                     struct leaf *l, size_t *at)
{
    size_t pos = count_before(t, leaf_keys(l), l->n, key);
    if (pos < l->n && compare(t, key, leaf_key(t, l, pos)) == 0) return -1;
    *at = pos;

    /* A full leaf passes keys to a sibling with room rather than split, which keeps leaves
     * about 80% full instead of 63%: fewer nodes, more of them in cache. Its parent's
     * counts tell how full the siblings are without reading them. */
    int spill = 0; /* -1 to the left sibling, +1 to the right one */
    size_t *counts = t->height > 0 ? counts_of(path->at[1]) : NULL;
    size_t i = t->height > 0 ? path->idx[1] : 0;
    if (l->n == t->leaf_cap && counts) {
        size_t left = i > 0 ? counts[i - 1] : t->leaf_cap;
        size_t right = i + 1 < path->at[1]->n ? counts[i + 1] : t->leaf_cap;
        if (left < t->leaf_cap || right < t->leaf_cap) spill = left <= right ? -1 : 1;
    }
    /* Otherwise every node that will split gets its new sibling now, and so does a new
     * root, so a failed allocation leaves the tree as it was. */
    void *fresh[MAX_HEIGHT + 2];
    unsigned splits = 0;
    if (l->n == t->leaf_cap && !spill) {
        splits = 1;
        while (splits <= t->height && path->at[splits]->n == t->inner_cap) splits++;
    }
    for (unsigned n = 0; n < splits + (splits > t->height); n++) {
        if (!(fresh[n] = node_alloc(t, n > 0))) {
            while (n-- > 0) node_free(t, fresh[n], n > 0);
            return -1;
        }
    }

    memmove(leaf_key(t, l, pos + 1), leaf_key(t, l, pos), (l->n - pos) * t->key_size);
    memcpy(leaf_key(t, l, pos), key, t->key_size);
    l->n++;
    for (unsigned level = 1; level <= t->height; level++)
        counts_of(path->at[level])[path->idx[level]]++;
    t->size++;
    t->finger = NULL;
    if (spill < 0) {
        shift_left(t, path->at[1], i - 1, (l->n - counts[i - 1]) / 2, 1);
        return 0;
    }
    if (spill > 0) {
        shift_right(t, path->at[1], i, (l->n - counts[i + 1]) / 2, 1);
        return 0;
    }
    if (splits == 0) {
        set_finger(t, path, l);
        return 0;
    }

    /* Bottom up: each split hands its parent a separator and a new right sibling. */
    void *left = l, *right = fresh[0];
    split_leaf(t, l, right);
    const void *up = leaf_keys(right);
    size_t moved = ((struct leaf *)right)->n;
    for (unsigned level = 1; level <= t->height; level++) {
        struct inner *p = path->at[level];
        inner_insert(t, p, path->idx[level], up, right, moved);
        if (p->n <= t->inner_cap) return 0;
        left = p;
        right = fresh[level];
        up = split_inner(t, p, right, &moved);
    }
    struct inner *root = fresh[t->height + 1];
    root->n = 2;
    counts_of(root)[0] = t->size - moved;
    counts_of(root)[1] = moved;
    children_of(t, root)[0] = left;
    children_of(t, root)[1] = right;
    memcpy(sep(t, root, 0), up, t->key_size);
    t->root = root;
    t->height++;
    return 0;
}

/* After a removal, refills every node on the path that fell below half full from a sibling
 * with entries to spare, or merges it with a sibling; then drops a root left with one
 * child. */
static void rebalance(struct ostree *t, const struct path *path)
{
    for (unsigned level = 1; level <= t->height; level++) {
        struct inner *p = path->at[level];
        size_t i = path->idx[level];
        size_t min = level == 1 ? t->leaf_min : t->inner_min;
        void **children = children_of(t, p);
        size_t have = entries(children[i]);
        if (have >= min) break;
        size_t left = i > 0 ? entries(children[i - 1]) : 0;
        size_t right = i + 1 < p->n ? entries(children[i + 1]) : 0;
        if (left > min && left >= right) {
            shift_right(t, p, i - 1, (left - have) / 2, level);
            break;
        }
        if (right > min) {
            shift_left(t, p, i, (right - have) / 2, level);
            break;
        }
        if (i > 0) shift_left(t, p, i - 1, have, level); /* into the left sibling */
        else shift_left(t, p, i, right, level);         /* the right sibling into it */
    }
    while (t->height > 0 && ((struct inner *)t->root)->n == 1) {
        struct inner *old = t->root;
        t->root = children_of(t, old)[0];
        t->height--;
        node_free(t, old, true);
    }
}

int ostree_insert(struct ostree *t, const void *key)
{
    struct path path;
    struct leaf *l = descend(t, key, &path);
    size_t at;
    return insert_at(t, key, &path, l, &at);
}

/* Removes key from leaf l, which path leads to from the root. 1 when that changed the
 * tree's shape (nodes merged, borrowed or freed), so other paths into it are stale; 0 when
 * only l's keys and the counts on path changed; -1 when key is absent. */
static int remove_at(struct ostree *t, const void *key, const struct path *path, struct leaf *l)
{
    size_t pos = count_before(t, leaf_keys(l), l->n, key);
    if (pos == l->n || compare(t, key, leaf_key(t, l, pos)) != 0) return -1;
    memmove(leaf_key(t, l, pos), leaf_key(t, l, pos + 1), (l->n - pos - 1) * t->key_size);
    l->n--;
    for (unsigned level = 1; level <= t->height; level++)
        counts_of(path->at[level])[path->idx[level]]--;
    t->size--;
    t->finger = NULL;
    if (l->n >= t->leaf_min) return 0;
    rebalance(t, path);
    return 1;
}

int ostree_remove(struct ostree *t, const void *key)
{
    struct path path;
    struct leaf *l = descend(t, key, &path);
    return remove_at(t, key, &path, l) < 0 ? -1 : 0;
}

/* Trees moved per round of ostree_move_batch: two walks each. */
#define BATCH 8

int ostree_move_batch(struct ostree *const *trees, const void *const *old_keys,
                      const void *const *new_keys, size_t *ranks, int n)
{
    for (int from = 0; from < n; from += BATCH) {
        int m = n - from < BATCH ? n - from : BATCH;
        struct ostree *const *ts = trees + from;
        /* Walk 2i finds the leaf of old_keys[from + i], walk 2i + 1 that of its new key.
         * Each round takes every walk one level down and prefetches the node it reaches,
         * so the cache misses of all the walks overlap instead of following one another. */
        struct path paths[2 * BATCH];
        void *node[2 * BATCH];
        unsigned level[2 * BATCH];
        bool more = false;
        for (int w = 0; w < 2 * m; w++) {
            node[w] = ts[w / 2]->root;
            level[w] = ts[w / 2]->height;
            more |= level[w] > 0;
        }
        while (more) {
            more = false;
            for (int w = 0; w < 2 * m; w++) {
                if (level[w] == 0) continue;
                const struct ostree *t = ts[w / 2];
                const void *key = w % 2 ? new_keys[from + w / 2] : old_keys[from + w / 2];
                struct inner *p = node[w];
                size_t i = count_not_after(t, seps_of(t, p), p->n - 1, key);
                paths[w].at[level[w]] = p;
                paths[w].idx[level[w]] = i;
                node[w] = children_of(t, p)[i];
                if (--level[w] > 0) {
                    prefetch_inner(t, node[w]);
                    more = true;
                } else {
                    prefetch_leaf(t, node[w], counts_of(p)[i]);
                }
            }
        }
        /* Then the moves, in order. A tree met earlier in this round has changed since its
         * walks, and so has one whose removal reshaped it: those walk again. */
        for (int i = 0; i < m; i++) {
            struct ostree *t = ts[i];
            const void *old_key = old_keys[from + i], *new_key = new_keys[from + i];
            struct path *old_path = &paths[2 * i], *new_path = &paths[2 * i + 1];
            struct leaf *old_leaf = node[2 * i], *new_leaf = node[2 * i + 1];
            bool stale = false;
            for (int j = 0; j < i; j++) stale |= ts[j] == t;
            if (stale) old_leaf = descend(t, old_key, old_path);
            int removed = remove_at(t, old_key, old_path, old_leaf);
            if (removed < 0) return -1;
            if (stale || removed > 0) new_leaf = descend(t, new_key, new_path);
            size_t at;
            if (insert_at(t, new_key, new_path, new_leaf, &at) != 0) return -1;
            if (!ranks) continue;
            /* Still in the leaf insert_at used (no split or spill): its rank is known. */
            ranks[from + i] = t->finger == new_leaf ? t->finger_before + at
                                                    : ostree_count_less(t, new_key);
        }
    }
    return 0;
}

size_t ostree_count_less(const struct ostree *t, const void *key)
{
    const struct leaf *f = t->finger;
    if (f && (!t->finger_lo || compare(t, key, t->finger_lo) >= 0) &&
        (!t->finger_hi || compare(t, key, t->finger_hi) < 0))
        return t->finger_before + count_before(t, leaf_keys(f), f->n, key);
    size_t count = 0;
    const void *node = t->root;
    for (unsigned level = t->height; level > 0; level--) {
        const struct inner *p = node;
        size_t i = count_not_after(t, seps_of(t, p), p->n - 1, key);
        const size_t *counts = counts_of(p);
        count += sum(counts, i);
        node = children_of(t, p)[i];
        if (level > 1) prefetch_inner(t, node);
        else prefetch_leaf(t, node, counts[i]);
    }
    const struct leaf *l = node;
    return count + count_before(t, leaf_keys(l), l->n, key);
}

size_t ostree_size(const struct ostree *t) { return t->size; }

const void *ostree_at(const struct ostree *t, size_t i)
{
    if (i >= t->size) return NULL;
    const void *node = t->root;
    for (unsigned level = t->height; level > 0; level--) {
        const struct inner *p = node;
        const size_t *counts = counts_of(p);
        size_t c = 0;
        while (i >= counts[c]) i -= counts[c++];
        node = children_of(t, p)[c];
    }
    return leaf_key(t, node, i);
}

static int each_below(const struct ostree *t, const void *node, unsigned level,
                      int (*fn)(const void *key, void *arg), void *arg)
{
    if (level == 0) {
        const struct leaf *l = node;
        for (size_t i = 0; i < l->n; i++) {
            int rc = fn(leaf_key(t, l, i), arg);
            if (rc != 0) return rc;
        }
        return 0;
    }
    const struct inner *p = node;
    for (size_t i = 0; i < p->n; i++) {
        int rc = each_below(t, children_of(t, p)[i], level - 1, fn, arg);
        if (rc != 0) return rc;
    }
    return 0;
}

int ostree_each(const struct ostree *t, int (*fn)(const void *key, void *arg), void *arg)
{
    return each_below(t, t->root, t->height, fn, arg);
}

/* Checks the subtree at node against the bounds lo (keys sort at or after it) and hi (keys
 * sort before it), either NULL for none. Returns its number of keys, or SIZE_MAX. */
static size_t check_below(const struct ostree *t, const void *node, unsigned level,
                          const void *lo, const void *hi)
{
    int is_root = level == t->height;
    if (level == 0) {
        const struct leaf *l = node;
        if (l->n > t->leaf_cap || (!is_root && l->n < t->leaf_min)) return SIZE_MAX;
        for (size_t i = 0; i < l->n; i++) {
            const void *k = leaf_key(t, l, i);
            if (i > 0 && compare(t, leaf_key(t, l, i - 1), k) >= 0) return SIZE_MAX;
            if ((lo && compare(t, k, lo) < 0) || (hi && compare(t, k, hi) >= 0)) return SIZE_MAX;
        }
        return l->n;
    }
    const struct inner *p = node;
    if (p->n > t->inner_cap || p->n < (is_root ? 2 : t->inner_min)) return SIZE_MAX;
    for (size_t i = 0; i + 1 < p->n; i++) { /* lo < separators, ascending, < hi */
        const void *before = i > 0 ? sep(t, p, i - 1) : lo;
        if ((before && compare(t, before, sep(t, p, i)) >= 0) ||
            (hi && compare(t, sep(t, p, i), hi) >= 0))
            return SIZE_MAX;
    }
    size_t total = 0;
    for (size_t i = 0; i < p->n; i++) {
        const void *below_lo = i > 0 ? sep(t, p, i - 1) : lo;
        const void *below_hi = i + 1 < p->n ? sep(t, p, i) : hi;
        size_t n = check_below(t, children_of(t, p)[i], level - 1, below_lo, below_hi);
        if (n == SIZE_MAX || n != counts_of(p)[i]) return SIZE_MAX;
        total += n;
    }
    return total;
}

int ostree_check(const struct ostree *t)
{
    if (t->height > MAX_HEIGHT) return -1;
    if (check_below(t, t->root, t->height, NULL, NULL) != t->size) return -1;
    return (int)t->height;
}
