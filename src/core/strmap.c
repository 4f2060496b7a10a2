/* Open-addressing hash map from strings to int64 (FNV-1a hash, linear probing,
 * doubling at 3/4 load). Each slot keeps its key's hash beside the key and value, so a
 * probe compares integers and reads a key only when the hashes match, a new key costs one
 * cache line, and growing never rehashes a key.
 * Keys are copied into chunks the map owns (no allocation per key). */
#include "core/strmap.h"

#include <stdlib.h>
#include <string.h>

struct strmap_chunk {
    struct strmap_chunk *next;
    size_t used, size;
    char data[];
};

#define FIRST_CHUNK 256
#define LARGEST_CHUNK 65536

/* FNV-1a of the key, never 0 (0 marks an empty slot); *len receives strlen(key). */
static uint64_t hash_string(const char *s, size_t *len)
{
    uint64_t h = 1469598103934665603ULL;
    const char *p = s;
    for (; *p; p++) h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    *len = (size_t)(p - s);
    return h ? h : 1;
}

/* FNV's low bits mix poorly: fold the high half in before masking. */
static size_t home_of(uint64_t h, size_t cap)
{
    return (size_t)(h ^ (h >> 32)) & (cap - 1);
}

static size_t slot_of(const struct strmap *m, const char *key, uint64_t h)
{
    size_t mask = m->cap - 1, i = home_of(h, m->cap);
    while (m->slots[i].hash && (m->slots[i].hash != h || strcmp(m->slots[i].key, key) != 0))
        i = (i + 1) & mask;
    return i;
}

void strmap_release(struct strmap *m)
{
    for (struct strmap_chunk *c = m->chunks, *next; c; c = next) {
        next = c->next;
        free(c);
    }
    free(m->slots);
    memset(m, 0, sizeof *m);
}

bool strmap_get(const struct strmap *m, const char *key, int64_t *value)
{
    if (m->cap == 0) return false;
    size_t len;
    size_t i = slot_of(m, key, hash_string(key, &len));
    if (!m->slots[i].hash) return false;
    if (value) *value = m->slots[i].value;
    return true;
}

static int grow(struct strmap *m)
{
    size_t cap = m->cap ? m->cap * 2 : 16;
    struct strmap_slot *slots = calloc(cap, sizeof *slots);
    if (!slots) return -1;
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->slots[i].hash) continue;
        size_t j = home_of(m->slots[i].hash, cap);
        while (slots[j].hash) j = (j + 1) & (cap - 1);
        slots[j] = m->slots[i];
    }
    free(m->slots);
    m->slots = slots;
    m->cap = cap;
    return 0;
}

/* A copy of key (len bytes and its NUL) in the map's chunks. */
static char *copy_key(struct strmap *m, const char *key, size_t len)
{
    struct strmap_chunk *c = m->chunks;
    if (!c || c->size - c->used < len + 1) {
        size_t size = c ? c->size * 2 : FIRST_CHUNK;
        if (size > LARGEST_CHUNK) size = LARGEST_CHUNK;
        if (size < len + 1) size = len + 1;
        if (!(c = malloc(sizeof *c + size))) return NULL;
        c->next = m->chunks;
        c->used = 0;
        c->size = size;
        m->chunks = c;
    }
    char *copy = c->data + c->used;
    memcpy(copy, key, len + 1);
    c->used += len + 1;
    return copy;
}

int strmap_put(struct strmap *m, const char *key, int64_t value)
{
    if ((m->len + 1) * 4 > m->cap * 3 && grow(m) != 0) return -1;
    size_t len;
    uint64_t h = hash_string(key, &len);
    size_t i = slot_of(m, key, h);
    struct strmap_slot *slot = &m->slots[i];
    if (!slot->hash) {
        if (!(slot->key = copy_key(m, key, len))) return -1;
        slot->hash = h;
        m->len++;
    }
    slot->value = value;
    return 0;
}

void strmap_remove(struct strmap *m, const char *key)
{
    if (m->cap == 0) return;
    size_t len, mask = m->cap - 1, hole = slot_of(m, key, hash_string(key, &len));
    if (!m->slots[hole].hash) return;
    /* The newest copy is given back, so removing keys newest first (as a refused batch
     * is undone) leaves no garbage behind. */
    struct strmap_chunk *c = m->chunks;
    if (m->slots[hole].key + len + 1 == c->data + c->used) {
        c->used -= len + 1;
        if (c->used == 0 && c->next) {
            m->chunks = c->next;
            free(c);
        }
    }
    m->slots[hole].hash = 0;
    m->len--;
    /* Move later members of the chain back into the hole when their home allows it. */
    for (size_t i = (hole + 1) & mask; m->slots[i].hash; i = (i + 1) & mask) {
        size_t home = home_of(m->slots[i].hash, m->cap);
        bool home_in_gap = hole <= i ? (home > hole && home <= i) : (home > hole || home <= i);
        if (home_in_gap) continue;
        m->slots[hole] = m->slots[i];
        m->slots[i].hash = 0;
        hole = i;
    }
}
