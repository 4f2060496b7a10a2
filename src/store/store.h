/* The durable store: the hash-chained event log (the source of truth), the stored
 * projection of results, users and sessions, in one SQLite file (WAL, synchronous=FULL). */
#ifndef JX_STORE_STORE_H
#define JX_STORE_STORE_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"

#define HASH_SIZE 32

/* One entry of the log. Strings are borrowed (for writing) or point into the statement
 * row (while reading, valid only during the callback). */
struct event {
    int64_t seq;
    int64_t at_ms;
    const char *competition, *kind, *actor;
    const char *key, *contestant; /* NULL when not applicable */
    const char *body;             /* JSON text */
    unsigned char hash[HASH_SIZE];
};

/* hash = SHA-256(previous hash ‖ seq ‖ at ‖ each field, length-prefixed). */
void event_hash(const struct event *ev, const unsigned char previous[HASH_SIZE],
                unsigned char out[HASH_SIZE]);

/* Opens (creating when missing) the database and its schema. */
sqlite3 *store_open(const char *path, struct jx_error *e);
void store_close(sqlite3 *db);
/* Finalizes this thread's cached statements; a thread that wrote calls it before its
 * connection is closed elsewhere. */
void store_thread_done(void);

/* The last event's sequence and hash (0 and zeros for an empty log). */
int store_log_tail(sqlite3 *db, int64_t *seq, unsigned char hash[HASH_SIZE]);
/* Appends one event (inside the caller's transaction). */
int store_append(sqlite3 *db, const struct event *ev);
/* Calls fn on every event with seq > after, in order, of one competition and one
 * contestant when they are not NULL; stops when fn returns non-zero and returns that value. */
int store_each_event(sqlite3 *db, int64_t after, const char *competition, const char *contestant,
                     int (*fn)(const struct event *ev, void *arg), void *arg);

/* The hash chain checked from the first event: count of intact events, the last intact
 * sequence and hash, and the first event that does not follow (0 when none). */
struct chain {
    unsigned char hash[HASH_SIZE];
    int64_t seq, count, bad;
};
/* Checks the whole chain of the database at path on its own connection. -1 when the
 * log cannot be read. Safe to run on a thread of its own. */
int store_verify_chain(const char *path, struct chain *c);
/* Reads the log of the database at path once, on a thread of its own connection that
 * also checks the whole chain into *c, and calls fn on every event in order on the
 * calling thread (the event valid during the call). fn returning non-zero stops the
 * calls (the chain is still checked to its end or first break) and is returned; -1
 * when the log cannot be read. */
int store_replay(const char *path, int (*fn)(const struct event *ev, void *arg), void *arg,
                 struct chain *c);

/* The stored projection of one contestant's result. */
int store_put_result(sqlite3 *db, const char *competition, const char *contestant, int64_t total,
                     bool complete, const char *modules_json, int64_t seq);

/* Runs sql (no results) and reports SQLite's message on failure. */
int store_exec(sqlite3 *db, const char *sql);

int64_t now_ms(void);

#endif
