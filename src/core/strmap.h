/* A string → int64 hash map with owned keys (open addressing, linear probing), for
 * contestant ids and idempotency keys. Removal exists only to undo a refused batch. */
#ifndef JX_CORE_STRMAP_H
#define JX_CORE_STRMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct strmap_chunk;

struct strmap_slot {
    uint64_t hash; /* the key's hash (never 0), or 0 when the slot is empty */
    char *key;     /* a copy in chunks */
    int64_t value;
};

struct strmap {
    struct strmap_slot *slots;
    size_t cap, len; /* cap is 0 or a power of two; len < cap * 3/4 */
    struct strmap_chunk *chunks; /* the copied keys, packed; freed with the map */
};

void strmap_release(struct strmap *m);
/* True and *value set when key is present. */
bool strmap_get(const struct strmap *m, const char *key, int64_t *value);
/* Inserts or overwrites. 0 on success, -1 out of memory. */
int strmap_put(struct strmap *m, const char *key, int64_t value);

/* Removes key if present (backward-shift deletion keeps probing chains intact). The key's
 * copy is given back only when it is the newest (remove newest first to leave nothing);
 * otherwise it is kept until the map is released. */
void strmap_remove(struct strmap *m, const char *key);

#endif
