/* Token buckets for rate limits: a fixed, direct-mapped table keyed by name (an address,
 * a device, "address username"), so memory stays bounded whoever floods us. */
#ifndef JX_HTTP_BUCKETS_H
#define JX_HTTP_BUCKETS_H

#include <stdint.h>

#define BUCKET_SLOTS 4096

struct bucket {
    char name[160];
    double tokens;
    int64_t at_ms;
};

struct buckets {
    struct bucket slots[BUCKET_SLOTS];
};

/* The bucket for name, refilled to now at one token per refill_ms, at most burst. A name
 * sharing a slot with another keeps the slot's level: alternating cannot refill it. */
struct bucket *bucket_of(struct buckets *t, const char *name, double burst, double refill_ms);
/* Takes one token from name's bucket: 0 when taken, else the seconds until one is back. */
int bucket_take(struct buckets *t, const char *name, double burst, double refill_ms);

#endif
