/* Token buckets in a direct-mapped table (FNV-1a of the name picks the slot). */
#include "http/buckets.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "store/store.h"

struct bucket *bucket_of(struct buckets *t, const char *name, double burst, double refill_ms)
{
    uint32_t h = 2166136261u;
    for (const char *p = name; *p; p++) h = (h ^ (unsigned char)*p) * 16777619u;
    struct bucket *b = &t->slots[h % BUCKET_SLOTS];
    int64_t now = now_ms();
    b->tokens += (double)(now - b->at_ms) / refill_ms;
    if (b->tokens > burst || b->at_ms == 0) b->tokens = burst;
    if (strcmp(b->name, name) != 0) snprintf(b->name, sizeof b->name, "%s", name);
    b->at_ms = now;
    return b;
}

int bucket_take(struct buckets *t, const char *name, double burst, double refill_ms)
{
    struct bucket *b = bucket_of(t, name, burst, refill_ms);
    if (b->tokens >= 1) {
        b->tokens -= 1;
        return 0;
    }
    return (int)ceil((1 - b->tokens) * refill_ms / 1000);
}
