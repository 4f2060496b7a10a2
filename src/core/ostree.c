/* A treap whose nodes carry subtree sizes: insert and remove by split/merge, rank by
 * walking down once. Deterministic priorities (splitmix64 from the seed). */
#include "core/ostree.h"

#include <stdlib.h>
#include <string.h>

struct node {
    struct node *left, *right;
    uint64_t priority;
    size_t size;
    unsigned char key[];
};

struct ostree {
    struct node *root;
    size_t key_size;
    ostree_cmp_fn cmp;
    void *ctx;
    uint64_t rng;
};

static uint64_t next_priority(struct ostree *t)
{
    uint64_t z = (t->rng += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static size_t size_of(const struct node *n) { return n ? n->size : 0; }

static void update(struct node *n) { n->size = 1 + size_of(n->left) + size_of(n->right); }

struct ostree *ostree_new(size_t key_size, ostree_cmp_fn cmp, void *ctx, uint64_t seed)
{
    struct ostree *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    t->key_size = key_size;
    t->cmp = cmp;
    t->ctx = ctx;
    t->rng = seed;
    return t;
}

static void free_nodes(struct node *n)
{
    while (n) { /* recurse on one side only, loop on the other */
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

/* Splits n into keys < key (left) and keys >= key (right). */
static void split(struct ostree *t, struct node *n, const void *key, struct node **left,
                  struct node **right)
{
    if (!n) {
        *left = *right = NULL;
    } else if (t->cmp(n->key, key, t->ctx) < 0) {
        split(t, n->right, key, &n->right, right);
        *left = n;
        update(n);
    } else {
        split(t, n->left, key, left, &n->left);
        *right = n;
        update(n);
    }
}

/* Joins two treaps where every key of a sorts before every key of b. */
static struct node *merge(struct node *a, struct node *b)
{
    if (!a) return b;
    if (!b) return a;
    if (a->priority > b->priority) {
        a->right = merge(a->right, b);
        update(a);
        return a;
    }
    b->left = merge(a, b->left);
    update(b);
    return b;
}

static struct node *find(const struct ostree *t, const void *key)
{
    struct node *n = t->root;
    while (n) {
        int c = t->cmp(key, n->key, t->ctx);
        if (c == 0) return n;
        n = c < 0 ? n->left : n->right;
    }
    return NULL;
}

int ostree_insert(struct ostree *t, const void *key)
{
    if (find(t, key)) return -1;
    struct node *n = malloc(sizeof *n + t->key_size);
    if (!n) return -1;
    memcpy(n->key, key, t->key_size);
    n->left = n->right = NULL;
    n->priority = next_priority(t);
    n->size = 1;
    struct node *left, *right;
    split(t, t->root, key, &left, &right);
    t->root = merge(merge(left, n), right);
    return 0;
}

int ostree_remove(struct ostree *t, const void *key)
{
    struct node **link = &t->root;
    while (*link) {
        int c = t->cmp(key, (*link)->key, t->ctx);
        if (c == 0) break;
        link = c < 0 ? &(*link)->left : &(*link)->right;
    }
    struct node *gone = *link;
    if (!gone) return -1;
    *link = merge(gone->left, gone->right);
    free(gone);
    /* Walk down again to shrink the sizes on the path. */
    for (struct node *n = t->root; n && n != *link;) {
        n->size--;
        n = t->cmp(key, n->key, t->ctx) < 0 ? n->left : n->right;
    }
    return 0;
}

size_t ostree_count_less(const struct ostree *t, const void *key)
{
    size_t count = 0;
    for (const struct node *n = t->root; n;) {
        if (t->cmp(n->key, key, t->ctx) < 0) {
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
        if (i < left) n = n->left;
        else if (i == left) return n->key;
        else {
            i -= left + 1;
            n = n->right;
        }
    }
    return NULL;
}

static int each_node(const struct node *n, int (*fn)(const void *, void *), void *arg)
{
    while (n) {
        int rc = each_node(n->left, fn, arg);
        if (rc || (rc = fn(n->key, arg))) return rc;
        n = n->right;
    }
    return 0;
}

int ostree_each(const struct ostree *t, int (*fn)(const void *key, void *arg), void *arg)
{
    return each_node(t->root, fn, arg);
}
