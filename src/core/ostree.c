/* The order-statistic tree behind standings: a treap whose nodes carry subtree sizes and
 * hold their key inline. Owns node memory and the deterministic priority sequence. */
#include "core/ostree.h"

#include <stdlib.h>
#include <string.h>

struct node {
    struct node *left, *right;
    uint64_t priority; /* max-heap order: a parent's priority exceeds its children's */
    size_t size;       /* nodes in this subtree, this one included */
    unsigned char key[];
};

struct ostree {
    struct node *root;
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

static size_t size_of(const struct node *n) { return n ? n->size : 0; }

static void update_size(struct node *n) { n->size = 1 + size_of(n->left) + size_of(n->right); }

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

/* The link (parent's child pointer, or the root pointer) that holds key or would hold it. */
static struct node **find_link(struct ostree *t, const void *key)
{
    struct node **link = &t->root;
    while (*link) {
        int c = compare(t, key, (*link)->key);
        if (c == 0) break;
        link = c < 0 ? &(*link)->left : &(*link)->right;
    }
    return link;
}

/* Splits the subtree n into keys before key (*before) and keys after it (*after); key
 * itself must be absent. Recursive: the sizes are fixed on the way back up. */
static void split(const struct ostree *t, struct node *n, const void *key, struct node **before,
                  struct node **after)
{
    if (!n) {
        *before = *after = NULL;
    } else if (compare(t, n->key, key) < 0) {
        split(t, n->right, key, &n->right, after);
        update_size(n);
        *before = n;
    } else {
        split(t, n->left, key, before, &n->left);
        update_size(n);
        *after = n;
    }
}

/* Joins two treaps when every key of a sorts before every key of b. */
static struct node *merge(struct node *a, struct node *b)
{
    struct node *joined;
    struct node **link = &joined;
    while (a && b) { /* the winner gains the whole other side below it */
        if (a->priority > b->priority) {
            a->size += b->size;
            *link = a;
            link = &a->right;
            a = a->right;
        } else {
            b->size += a->size;
            *link = b;
            link = &b->left;
            b = b->left;
        }
    }
    *link = a ? a : b;
    return joined;
}

static struct node *new_node(struct ostree *t, const void *key)
{
    struct node *n = malloc(sizeof *n + t->key_size);
    if (!n) return NULL;
    n->left = n->right = NULL;
    n->priority = next_priority(t);
    n->size = 1;
    memcpy(n->key, key, t->key_size);
    return n;
}

/* Walks down from the root while the nodes outrank n (growing their sizes on the way),
 * then puts n there with the subtree it displaces split beneath it. */
int ostree_insert(struct ostree *t, const void *key)
{
    if (*find_link(t, key)) return -1;
    struct node *n = new_node(t, key);
    if (!n) return -1;
    struct node **link = &t->root;
    while (*link && (*link)->priority > n->priority) {
        (*link)->size++;
        link = compare(t, key, (*link)->key) < 0 ? &(*link)->left : &(*link)->right;
    }
    split(t, *link, key, &n->left, &n->right);
    update_size(n);
    *link = n;
    return 0;
}

/* Shrinks the sizes on the path to key, then replaces its node by its children merged. */
int ostree_remove(struct ostree *t, const void *key)
{
    struct node **gone_link = find_link(t, key);
    struct node *gone = *gone_link;
    if (!gone) return -1;
    for (struct node *n = t->root; n != gone;) {
        n->size--;
        n = compare(t, key, n->key) < 0 ? n->left : n->right;
    }
    *gone_link = merge(gone->left, gone->right);
    free(gone);
    return 0;
}

size_t ostree_count_less(const struct ostree *t, const void *key)
{
    size_t count = 0;
    for (const struct node *n = t->root; n;) {
        if (compare(t, n->key, key) < 0) {
            count += size_of(n->left) + 1;
            n = n->right;
        } else {
            n = n->left;
        }
    }
    return count;
}

size_t ostree_size(const struct ostree *t) { return size_of(t->root); }

const void *ostree_at(const struct ostree *t, size_t i)
{
    for (const struct node *n = t->root; n;) {
        size_t left = size_of(n->left);
        if (i == left) return n->key;
        if (i < left) {
            n = n->left;
        } else {
            i -= left + 1;
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
