/* Order-statistic tree: a balanced search tree (treap) of fixed-size keys whose nodes
 * count their left subtree, so insert, remove, rank and select are all expected
 * O(log n). No I/O, no globals; not thread-safe (callers lock). */
#ifndef JX_CORE_OSTREE_H
#define JX_CORE_OSTREE_H

#include <stddef.h>
#include <stdint.h>

/* Total order on keys: negative when a sorts before b, 0 when equal, positive after. */
typedef int (*ostree_cmp_fn)(const void *a, const void *b, void *ctx);

struct ostree;

/* A new empty tree holding copies of keys of key_size bytes. NULL when out of memory.
 * The seed makes the treap's priorities deterministic (same inserts, same shape). */
struct ostree *ostree_new(size_t key_size, ostree_cmp_fn cmp, void *ctx, uint64_t seed);
void ostree_free(struct ostree *t);

/* Inserts a copy of key. 0 on success, -1 when an equal key is present or out of memory. */
int ostree_insert(struct ostree *t, const void *key);
/* Removes the key equal to key. 0 on success, -1 when absent. */
int ostree_remove(struct ostree *t, const void *key);
/* Number of keys that sort strictly before key (key need not be present). */
size_t ostree_count_less(const struct ostree *t, const void *key);
size_t ostree_size(const struct ostree *t);
/* The key at 0-based in-order position i, or NULL when i >= size. Keys never move in
 * memory: the pointer stays valid until that key is removed or the tree is freed. */
const void *ostree_at(const struct ostree *t, size_t i);
/* Calls fn on every key in order; stops early and returns fn's value when it is non-zero.
 * fn must not insert into or remove from t. */
int ostree_each(const struct ostree *t, int (*fn)(const void *key, void *arg), void *arg);

#endif
