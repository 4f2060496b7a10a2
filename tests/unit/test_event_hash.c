/* The event log's hash (store.h): event_hash gives SHA-256 of previous ‖ seq ‖ at ‖ each
 * field length-prefixed (NULL differs from ""), computed here piece by piece with libsodium. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"

static void feed_int(crypto_hash_sha256_state *st, int64_t v)
{
    unsigned char bytes[8];
    for (int i = 0; i < 8; i++) bytes[i] = (unsigned char)((uint64_t)v >> (56 - 8 * i));
    crypto_hash_sha256_update(st, bytes, 8);
}

static void feed_field(crypto_hash_sha256_state *st, const char *s)
{
    uint32_t len = s ? (uint32_t)strlen(s) : 0xffffffffu;
    unsigned char prefix[4] = {len >> 24, len >> 16, len >> 8, len};
    crypto_hash_sha256_update(st, prefix, 4);
    if (s) crypto_hash_sha256_update(st, (const unsigned char *)s, strlen(s));
}

static void definition(const struct event *ev, const unsigned char previous[HASH_SIZE],
                       unsigned char out[HASH_SIZE])
{
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, previous, HASH_SIZE);
    feed_int(&st, ev->seq);
    feed_int(&st, ev->at_ms);
    const char *fields[6] = {ev->competition, ev->kind, ev->actor, ev->key, ev->contestant, ev->body};
    for (int i = 0; i < 6; i++) feed_field(&st, fields[i]);
    crypto_hash_sha256_final(&st, out);
}

/* Bodies on both sides of the one-buffer size, NULL and empty fields, and a chain of them. */
static void test_event_hash_is_the_definition(void **state)
{
    unsigned char previous[HASH_SIZE] = {0}, got[HASH_SIZE], want[HASH_SIZE];
    size_t sizes[] = {0, 1, 1900, 1980, 2047, 2048, 5000, 300000};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        char *body = malloc(sizes[k] + 1);
        assert_non_null(body);
        for (size_t i = 0; i < sizes[k]; i++) body[i] = (char)('a' + (i * 7 + k) % 26);
        body[sizes[k]] = '\0';
        struct event ev = {.seq = (int64_t)k + 1, .at_ms = 1795450000000 + (int64_t)k,
                           .competition = "irom-final-2026", .kind = "mark", .actor = "j-wz-A-1",
                           .key = k % 2 ? NULL : "", .contestant = k % 3 ? "W001" : NULL,
                           .body = body};
        event_hash(&ev, previous, got);
        definition(&ev, previous, want);
        assert_memory_equal(got, want, HASH_SIZE);
        memcpy(previous, got, HASH_SIZE);
        free(body);
    }
}

int main(void)
{
    if (sodium_init() < 0) return 1;
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_event_hash_is_the_definition)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
