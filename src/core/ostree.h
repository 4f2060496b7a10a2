/* Order-statistic tree: a counted B+tree of fixed-size keys (kept inline in fat leaves;
 * inner nodes count the keys below each child), so insert, remove, rank and select are all
 * O(log n) with few cache misses. No I/O, no globals; not thread-safe (callers lock). */
#ifndef JX_CORE_OSTREE_H
#define JX_CORE_OSTREE_H

#include <stddef.h>
#include <stdint.h>

/* Total order on keys: negative when a sorts before b, 0 when equal, positive after. */
typedef int (*ostree_cmp_fn)(const void *a, const void *b, void *ctx);

struct ostree;

/* A new empty tree holding copies of keys of key_size bytes. NULL when out of memory or
 * key_size is absurdly large. Its shape depends only on the sequence of inserts and removes. */
struct ostree *ostree_new(size_t key_size, ostree_cmp_fn cmp, void *ctx);
/* Declares that every key begins with an int64_t and that the key with the higher one always
 * sorts first (the comparator agrees): those are then compared inline, and the comparator
 * is called only when they are equal. Call before the first insert; ignored for keys
 * smaller than an int64_t. */
void ostree_lead_desc(struct ostree *t);
void ostree_free(struct ostree *t);

/* Inserts a copy of key. 0 on success, -1 when an equal key is present or out of memory. */
int ostree_insert(struct ostree *t, const void *key);
/* Removes the key equal to key. 0 on success, -1 when absent. */
int ostree_remove(struct ostree *t, const void *key);
/* Number of keys that sort strictly before key (key need not be present). Cheaper just
 * after an insert when key falls in the leaf that insert used (as a rank asked for the
 * key just inserted, or one just before it, mostly does). */
size_t ostree_count_less(const struct ostree *t, const void *key);
/* For i = 0 .. n - 1 in turn: removes old_keys[i] from trees[i], inserts new_keys[i] and,
 * when ranks is not NULL, sets ranks[i] to ostree_count_less(trees[i], new_keys[i]); the
 * same as those single calls (a tree may appear more than once), but the walks to the
 * leaves of all the keys are made together, so their cache misses overlap. Returns 0, or
 * -1 at the first old key that is absent or new key that cannot be inserted (the moves
 * before it are done; when the insert failed, that old key is already removed). */
int ostree_move_batch(struct ostree *const *trees, const void *const *old_keys,
                      const void *const *new_keys, size_t *ranks, int n);
size_t ostree_size(const struct ostree *t);
/* The key at 0-based in-order position i, or NULL when i >= size. Keys move in memory as
 * others come and go: the pointer stays valid only until the next insert into or remove
 * from t (or ostree_free). It is aligned as well as any object of key_size bytes needs. */
const void *ostree_at(const struct ostree *t, size_t i);
/* Calls fn on every key in order; stops early and returns fn's value when it is non-zero.
 * fn must not insert into or remove from t. */
int ostree_each(const struct ostree *t, int (*fn)(const void *key, void *arg), void *arg);
/* Checks the structural invariants (key order, separators, counts, node occupancy): the
 * height (0 while the root is a leaf), or -1 when one is broken. O(n); for tests. */
int ostree_check(const struct ostree *t);

#endif
