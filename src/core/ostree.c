/* The order-statistic tree behind standings: a treap whose nodes count their left subtree
 * and hold their key inline. Owns node memory and the deterministic priority sequence. */
#include "core/ostree.h"

#include <stdlib.h>
#include <string.h>

struct node {
    struct node *left, *right;
    uint64_t priority; /* heap order: a parent's priority exceeds its children's */
    size_t left_size;  /* keys in the left subtree: a node's rank needs no child read */
    unsigned char key[];
};

struct ostree {
    struct node *root;
    size_t size;
    size_t key_size;
    ostree_cmp_fn cmp;
    void *ctx;
    uint64_t rng_state;
};

/* splitmix64: a full-period, well-mixed sequence from any seed, zero included. */
static uint64_t next_priority(struct ostree *t)
{
    uint64_t z = (t->rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static int compare(const struct ostree *t, const void *a, const void *b)
{
    return t->cmp(a, b, t->ctx);
}

struct ostree *ostree_new(size_t key_size, ostree_cmp_fn cmp, void *ctx, uint64_t seed)
{
    if (key_size > SIZE_MAX - sizeof(struct node)) return NULL;
    struct ostree *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    t->key_size = key_size;
    t->cmp = cmp;
    t->ctx = ctx;
    t->rng_state = seed;
    return t;
}

static void free_nodes(struct node *n)
{
    while (n) { /* recurse left, loop right: depth stays within the tree's height */
        free_nodes(n->left);
        struct node *right = n->right;
        free(n);
        n = right;
    }
}

void ostree_free(struct ostree *t)
{
    if (!t) return;
    free_nodes(t->root);
    free(t);
}

static struct node *new_node(struct ostree *t, const void *key)
{
    struct node *n = malloc(sizeof *n + t->key_size);
    if (!n) return NULL;
    n->left = n->right = NULL;
    n->priority = next_priority(t);
    n->left_size = 0;
    memcpy(n->key, key, t->key_size);
    return n;
}

/* Lifts n's left child above it; in-order sequence unchanged. */
static struct node *rotate_right(struct node *n)
{
    struct node *up = n->left;
    n->left = up->right;
    n->left_size -= up->left_size + 1;
    up->right = n;
    return up;
}

/* Lifts n's right child above it; in-order sequence unchanged. */
static struct node *rotate_left(struct node *n)
{
    struct node *up = n->right;
    n->right = up->left;
    up->left = n;
    up->left_size += n->left_size + 1;
    return up;
}

/* Inserts key in the subtree at *link: one walk down to find its place (or an equal key),
 * then, on the way back up, the counts are fixed and rotations restore heap order.
 * Recursive because that way back up is needed; the depth is the tree's height. */
static int insert_below(struct ostree *t, struct node **link, const void *key)
{
    struct node *n = *link;
    if (!n) return (*link = new_node(t, key)) ? 0 : -1;
    int c = compare(t, key, n->key);
    if (c == 0) return -1;
    if (c < 0) {
        if (insert_below(t, &n->left, key) != 0) return -1;
        n->left_size++;
        if (n->left->priority > n->priority) *link = rotate_right(n);
    } else {
        if (insert_below(t, &n->right, key) != 0) return -1;
        if (n->right->priority > n->priority) *link = rotate_left(n);
    }
    return 0;
}

int ostree_insert(struct ostree *t, const void *key)
{
    if (insert_below(t, &t->root, key) != 0) return -1;
    t->size++;
    return 0;
}

/* Walks from the root toward key, adding delta (+1 or -1, in modular arithmetic) to the
 * left size of each node it leaves by the left. Returns the link that holds key, or the
 * empty link where key would go. */
static struct node **walk_adjusting(struct ostree *t, const void *key, int delta)
{
    struct node **link = &t->root;
    while (*link) {
        struct node *n = *link;
        int c = compare(t, key, n->key);
        if (c == 0) break;
        if (c < 0) {
            n->left_size += (size_t)delta;
            link = &n->left;
        } else {
            link = &n->right;
        }
    }
    return link;
}

/* Joins two treaps, a (of a_size keys) sorting wholly before b. */
static struct node *merge(struct node *a, size_t a_size, struct node *b)
{
    struct node *joined;
    struct node **link = &joined;
    while (a && b) {
        if (a->priority > b->priority) { /* a on top; its right part meets b below */
            *link = a;
            link = &a->right;
            a_size -= a->left_size + 1;
            a = a->right;
        } else { /* b on top; all that is left of a goes below its left */
            b->left_size += a_size;
            *link = b;
            link = &b->left;
            b = b->left;
        }
    }
    *link = a ? a : b;
    return joined;
}

/* One walk down that already shrinks the counts, undone in the rare case key is absent. */
int ostree_remove(struct ostree *t, const void *key)
{
    struct node **link = walk_adjusting(t, key, -1);
    struct node *gone = *link;
    if (!gone) {
        walk_adjusting(t, key, +1);
        return -1;
    }
    *link = merge(gone->left, gone->left_size, gone->right);
    free(gone);
    t->size--;
    return 0;
}

size_t ostree_count_less(const struct ostree *t, const void *key)
{
    size_t count = 0;
    for (const struct node *n = t->root; n;) {
        if (compare(t, n->key, key) < 0) {
            count += n->left_size + 1;
            n = n->right;
        } else {
            n = n->left;
        }
    }
    return count;
}

size_t ostree_size(const struct ostree *t) { return t->size; }

const void *ostree_at(const struct ostree *t, size_t i)
{
    for (const struct node *n = t->root; n;) {
        if (i == n->left_size) return n->key;
        if (i < n->left_size) {
            n = n->left;
        } else {
            i -= n->left_size + 1;
            n = n->right;
        }
    }
    return NULL;
}

static int each_node(const struct node *n, int (*fn)(const void *key, void *arg), void *arg)
{
    while (n) { /* recurse left, loop right */
        int rc = each_node(n->left, fn, arg);
        if (rc == 0) rc = fn(n->key, arg);
        if (rc != 0) return rc;
        n = n->right;
    }
    return 0;
}

int ostree_each(const struct ostree *t, int (*fn)(const void *key, void *arg), void *arg)
{
    return each_node(t->root, fn, arg);
}
