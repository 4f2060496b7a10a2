/* Open-addressing hash map from strings to int64 (FNV-1a hash, linear probing,
 * doubling at 3/4 load). Keys are copied; the map owns them. */
#include "core/strmap.h"

#include <stdlib.h>
#include <string.h>

static uint64_t hash_string(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static size_t slot_of(char *const *keys, size_t cap, const char *key)
{
    size_t i = hash_string(key) & (cap - 1);
    while (keys[i] && strcmp(keys[i], key) != 0) i = (i + 1) & (cap - 1);
    return i;
}

void strmap_release(struct strmap *m)
{
    for (size_t i = 0; i < m->cap; i++) free(m->keys[i]);
    free(m->keys);
    free(m->values);
    memset(m, 0, sizeof *m);
}

bool strmap_get(const struct strmap *m, const char *key, int64_t *value)
{
    if (m->cap == 0) return false;
    size_t i = slot_of(m->keys, m->cap, key);
    if (!m->keys[i]) return false;
    if (value) *value = m->values[i];
    return true;
}

static int grow(struct strmap *m)
{
    size_t cap = m->cap ? m->cap * 2 : 16;
    char **keys = calloc(cap, sizeof *keys);
    int64_t *values = calloc(cap, sizeof *values);
    if (!keys || !values) {
        free(keys);
        free(values);
        return -1;
    }
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->keys[i]) continue;
        size_t j = slot_of(keys, cap, m->keys[i]);
        keys[j] = m->keys[i];
        values[j] = m->values[i];
    }
    free(m->keys);
    free(m->values);
    m->keys = keys;
    m->values = values;
    m->cap = cap;
    return 0;
}

int strmap_put(struct strmap *m, const char *key, int64_t value)
{
    if ((m->len + 1) * 4 > m->cap * 3 && grow(m) != 0) return -1;
    size_t i = slot_of(m->keys, m->cap, key);
    if (!m->keys[i]) {
        if (!(m->keys[i] = strdup(key))) return -1;
        m->len++;
    }
    m->values[i] = value;
    return 0;
}

void strmap_remove(struct strmap *m, const char *key)
{
    if (m->cap == 0) return;
    size_t mask = m->cap - 1, hole = slot_of(m->keys, m->cap, key);
    if (!m->keys[hole]) return;
    free(m->keys[hole]);
    m->keys[hole] = NULL;
    m->len--;
    /* Move later members of the chain back into the hole when their home allows it. */
    for (size_t i = (hole + 1) & mask; m->keys[i]; i = (i + 1) & mask) {
        size_t home = hash_string(m->keys[i]) & mask;
        bool home_in_gap = hole <= i ? (home > hole && home <= i) : (home > hole || home <= i);
        if (home_in_gap) continue;
        m->keys[hole] = m->keys[i];
        m->values[hole] = m->values[i];
        m->keys[i] = NULL;
        hole = i;
    }
}
