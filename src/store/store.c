/* SQLite schema, the event log's append/scan and its hash chain. The only place that
 * knows the log's table layout; writes happen inside the writer's group transaction. */
#include "store/store.h"

#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS events("
    " seq INTEGER PRIMARY KEY, at_ms INTEGER NOT NULL, competition TEXT NOT NULL,"
    " kind TEXT NOT NULL, actor TEXT NOT NULL, key TEXT, contestant TEXT,"
    " body TEXT NOT NULL, hash BLOB NOT NULL);"
    "CREATE UNIQUE INDEX IF NOT EXISTS events_key ON events(competition, key)"
    " WHERE key IS NOT NULL;"
    "CREATE INDEX IF NOT EXISTS events_contestant ON events(competition, contestant)"
    " WHERE contestant IS NOT NULL;"
    "CREATE TABLE IF NOT EXISTS results("
    " competition TEXT NOT NULL, contestant TEXT NOT NULL, total INTEGER NOT NULL,"
    " complete INTEGER NOT NULL, modules TEXT NOT NULL, seq INTEGER NOT NULL,"
    " PRIMARY KEY(competition, contestant)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS users("
    " id INTEGER PRIMARY KEY, username TEXT UNIQUE NOT NULL, name TEXT NOT NULL,"
    " role TEXT NOT NULL, pw_hash TEXT NOT NULL, created_ms INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS sessions("
    " token_hash BLOB PRIMARY KEY, username TEXT NOT NULL, csrf TEXT NOT NULL,"
    " expires_ms INTEGER NOT NULL);";

int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int store_exec(sqlite3 *db, const char *sql)
{
    char *message = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &message) == SQLITE_OK) return 0;
    fprintf(stderr, "jiangxing: sqlite: %s\n", message ? message : sqlite3_errmsg(db));
    sqlite3_free(message);
    return -1;
}

sqlite3 *store_open(const char *path, struct jx_error *e)
{
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK) {
        jx_fail(e, 500, "store_open", "db", "无法打开数据库 %s / cannot open database: %s", path,
                db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return NULL;
    }
    sqlite3_busy_timeout(db, 10000);
    if (store_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;") !=
            0 ||
        store_exec(db, schema) != 0) {
        jx_fail(e, 500, "store_schema", "db", "数据库初始化失败 / cannot prepare database %s", path);
        sqlite3_close(db);
        return NULL;
    }
    return db;
}

/* Hot statements, prepared once per connection and thread (the writer's connection is
 * used by its thread only; a CLI's by its main thread). */
static __thread struct {
    sqlite3 *db;
    sqlite3_stmt *append, *put_result;
} cached;

static sqlite3_stmt *cached_statement(sqlite3 *db, sqlite3_stmt **slot, const char *sql)
{
    if (cached.db != db) {
        sqlite3_finalize(cached.append);
        sqlite3_finalize(cached.put_result);
        memset(&cached, 0, sizeof cached);
        cached.db = db;
    }
    if (!*slot && sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, slot, NULL) != SQLITE_OK)
        return NULL;
    sqlite3_reset(*slot);
    sqlite3_clear_bindings(*slot);
    return *slot;
}

void store_thread_done(void)
{
    sqlite3_finalize(cached.append);
    sqlite3_finalize(cached.put_result);
    memset(&cached, 0, sizeof cached);
}

void store_close(sqlite3 *db)
{
    if (!db) return;
    if (cached.db == db) store_thread_done();
    sqlite3_close(db);
}

static unsigned char *put_be(unsigned char *p, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; i++) p[i] = (unsigned char)(v >> (8 * (bytes - 1 - i)));
    return p + bytes;
}

/* The bytes of store.h's definition, laid out in one buffer and hashed at once by OpenSSL
 * (with the processor's SHA instructions where it has them). */
void event_hash(const struct event *ev, const unsigned char previous[HASH_SIZE],
                unsigned char out[HASH_SIZE])
{
    const char *fields[6] = {ev->competition, ev->kind, ev->actor, ev->key, ev->contestant, ev->body};
    size_t lens[6], total = HASH_SIZE + 16;
    for (int i = 0; i < 6; i++) {
        lens[i] = fields[i] ? strlen(fields[i]) : 0;
        total += 4 + lens[i];
    }
    unsigned char stack[2048], *buf = total <= sizeof stack ? stack : malloc(total);
    if (!buf) {
        fprintf(stderr, "jiangxing: out of memory hashing event %lld — stopping\n",
                (long long)ev->seq);
        abort(); /* a link of the chain cannot be left uncomputed */
    }
    unsigned char *p = buf;
    memcpy(p, previous, HASH_SIZE);
    p = put_be(p + HASH_SIZE, (uint64_t)ev->seq, 8);
    p = put_be(p, (uint64_t)ev->at_ms, 8);
    for (int i = 0; i < 6; i++) {
        p = put_be(p, fields[i] ? (uint32_t)lens[i] : 0xffffffffu, 4); /* NULL differs from "" */
        if (fields[i]) memcpy(p, fields[i], lens[i]);
        p += lens[i];
    }
    if (EVP_Digest(buf, total, out, NULL, EVP_sha256(), NULL) != 1) abort();
    if (buf != stack) free(buf);
}

int store_log_tail(sqlite3 *db, int64_t *seq, unsigned char hash[HASH_SIZE])
{
    sqlite3_stmt *st;
    *seq = 0;
    memset(hash, 0, HASH_SIZE);
    if (sqlite3_prepare_v2(db, "SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1", -1, &st,
                           NULL) != SQLITE_OK)
        return -1;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_bytes(st, 1) == HASH_SIZE) {
        *seq = sqlite3_column_int64(st, 0);
        memcpy(hash, sqlite3_column_blob(st, 1), HASH_SIZE);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

static void bind_text_or_null(sqlite3_stmt *st, int i, const char *s)
{
    if (s) sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
    else sqlite3_bind_null(st, i);
}

int store_append(sqlite3 *db, const struct event *ev)
{
    sqlite3_stmt *st = cached_statement(db, &cached.append,
                                        "INSERT INTO events(seq, at_ms, competition, kind, actor,"
                                        " key, contestant, body, hash) VALUES(?,?,?,?,?,?,?,?,?)");
    if (!st) return -1;
    sqlite3_bind_int64(st, 1, ev->seq);
    sqlite3_bind_int64(st, 2, ev->at_ms);
    sqlite3_bind_text(st, 3, ev->competition, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, ev->kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, ev->actor, -1, SQLITE_STATIC);
    bind_text_or_null(st, 6, ev->key);
    bind_text_or_null(st, 7, ev->contestant);
    sqlite3_bind_text(st, 8, ev->body, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 9, ev->hash, HASH_SIZE, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_DONE) fprintf(stderr, "jiangxing: append: %s\n", sqlite3_errmsg(db));
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

static const char *column_text(sqlite3_stmt *st, int i)
{
    return (const char *)sqlite3_column_text(st, i);
}

int store_each_event(sqlite3 *db, int64_t after, const char *competition, const char *contestant,
                     int (*fn)(const struct event *ev, void *arg), void *arg)
{
    static const char columns[] =
        "SELECT seq, at_ms, competition, kind, actor, key, contestant, body, hash FROM events";
    char sql[300];
    /* One contestant's events come through the (competition, contestant) index. */
    snprintf(sql, sizeof sql, "%s WHERE %s ORDER BY seq", columns,
             contestant ? "competition = ?2 AND contestant = ?3 AND seq > ?1"
                        : "seq > ?1 AND (?2 IS NULL OR competition = ?2)");
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) return -1;
    sqlite3_bind_int64(st, 1, after);
    bind_text_or_null(st, 2, competition);
    if (contestant) sqlite3_bind_text(st, 3, contestant, -1, SQLITE_STATIC);
    int rc, stopped = 0;
    while (!stopped && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct event ev = {sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
                           column_text(st, 2), column_text(st, 3), column_text(st, 4),
                           column_text(st, 5), column_text(st, 6), column_text(st, 7), {0}};
        if (sqlite3_column_bytes(st, 8) == HASH_SIZE)
            memcpy(ev.hash, sqlite3_column_blob(st, 8), HASH_SIZE);
        stopped = fn(&ev, arg);
    }
    sqlite3_finalize(st);
    if (stopped) return stopped;
    return rc == SQLITE_DONE ? 0 : -1;
}

static int check_link(const struct event *ev, void *arg)
{
    struct chain *c = arg;
    unsigned char expected[HASH_SIZE];
    event_hash(ev, c->hash, expected);
    if (ev->seq != c->seq + 1 || memcmp(expected, ev->hash, HASH_SIZE) != 0) {
        c->bad = ev->seq;
        return 1;
    }
    memcpy(c->hash, ev->hash, HASH_SIZE);
    c->seq = ev->seq;
    c->count++;
    return 0;
}

int store_verify_chain(const char *path, struct chain *c)
{
    memset(c, 0, sizeof *c);
    sqlite3 *db = store_open(path, NULL);
    int rc = db ? store_each_event(db, 0, NULL, NULL, check_link, c) : -1;
    store_close(db);
    return rc < 0 ? -1 : 0;
}

/* ---- replay: the log read once, its chain checked beside the reading ------------------
 * A reader thread scans the log on its own connection, checks each link and copies each
 * event into a batch; the calling thread takes the batches in order and applies them.
 * The batches form a ring: the reader fills slot (head + count) % RING while the caller
 * works on slot head, which stays counted until it is handed back. */

#define RING 8
#define BATCH_EVENTS 1024
#define BATCH_BYTES (256 * 1024)
#define ABSENT UINT32_MAX /* a NULL string */

struct copied_event {
    int64_t seq, at_ms;
    uint32_t text[6]; /* offsets in bytes: competition, kind, actor, key, contestant, body */
    unsigned char hash[HASH_SIZE];
};

struct batch {
    int n;
    size_t used, cap;
    char *bytes;
    struct copied_event events[BATCH_EVENTS];
};

struct pipe {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    struct batch *ring[RING];
    int head, count;
    bool done;    /* the reader has published its last batch */
    bool stopped; /* the caller wants no more events (the chain is still checked) */
    int read_rc;  /* store_each_event's answer on the reader's connection */
    const char *path;
    struct chain *chain;
    struct batch *filling;
};

static void publish(struct pipe *p)
{
    pthread_mutex_lock(&p->lock);
    p->count++;
    pthread_cond_broadcast(&p->changed);
    while (p->count == RING && !p->stopped) pthread_cond_wait(&p->changed, &p->lock);
    p->filling = p->stopped ? NULL : p->ring[(p->head + p->count) % RING];
    pthread_mutex_unlock(&p->lock);
    if (p->filling) p->filling->n = 0, p->filling->used = 0;
}

/* Room for len more bytes in the batch being filled (publishing it when full). */
static int make_room(struct pipe *p, size_t len)
{
    struct batch *b = p->filling;
    if (b->n < BATCH_EVENTS && b->cap - b->used >= len) return 0;
    if (b->n > 0) {
        publish(p);
        if (!(b = p->filling)) return 0;
    }
    if (b->cap < len) {
        char *grown = realloc(b->bytes, len);
        if (!grown) return -1;
        b->bytes = grown;
        b->cap = len;
    }
    return 0;
}

static uint32_t copy_text(struct batch *b, const char *s)
{
    if (!s) return ABSENT;
    size_t len = strlen(s) + 1;
    uint32_t at = (uint32_t)b->used;
    memcpy(b->bytes + b->used, s, len);
    b->used += len;
    return at;
}

static int read_one(const struct event *ev, void *arg)
{
    struct pipe *p = arg;
    if (!p->chain->bad) check_link(ev, p->chain);
    if (!p->filling) return p->chain->bad ? 1 : 0; /* the caller stopped: only the chain */
    const char *texts[6] = {ev->competition, ev->kind, ev->actor, ev->key, ev->contestant, ev->body};
    size_t len = 0;
    for (int i = 0; i < 6; i++) len += texts[i] ? strlen(texts[i]) + 1 : 0;
    if (len > UINT32_MAX / 2) return -1;
    if (make_room(p, len) != 0) return -1;
    struct batch *b = p->filling;
    if (!b) return p->chain->bad ? 1 : 0;
    struct copied_event *c = &b->events[b->n++];
    c->seq = ev->seq;
    c->at_ms = ev->at_ms;
    memcpy(c->hash, ev->hash, HASH_SIZE);
    for (int i = 0; i < 6; i++) c->text[i] = copy_text(b, texts[i]);
    return 0;
}

static void *reader(void *arg)
{
    struct pipe *p = arg;
    sqlite3 *db = store_open(p->path, NULL);
    int rc = db ? store_each_event(db, 0, NULL, NULL, read_one, p) : -1;
    store_close(db);
    pthread_mutex_lock(&p->lock);
    p->read_rc = rc < 0 ? -1 : 0;
    if (p->filling && p->filling->n > 0) p->count++;
    p->done = true;
    pthread_cond_broadcast(&p->changed);
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

static const char *text_at(const struct batch *b, uint32_t at)
{
    return at == ABSENT ? NULL : b->bytes + at;
}

static struct event event_at(const struct batch *b, int i)
{
    const struct copied_event *c = &b->events[i];
    struct event ev = {c->seq, c->at_ms, text_at(b, c->text[0]), text_at(b, c->text[1]),
                       text_at(b, c->text[2]), text_at(b, c->text[3]), text_at(b, c->text[4]),
                       text_at(b, c->text[5]), {0}};
    memcpy(ev.hash, c->hash, HASH_SIZE);
    return ev;
}

int store_replay(const char *path, int (*fn)(const struct event *ev, void *arg), void *arg,
                 struct chain *chain)
{
    memset(chain, 0, sizeof *chain);
    struct pipe p = {.path = path, .chain = chain};
    int rc = 0;
    for (int i = 0; i < RING && rc == 0; i++)
        if (!(p.ring[i] = calloc(1, sizeof *p.ring[i])) ||
            !(p.ring[i]->bytes = malloc(p.ring[i]->cap = BATCH_BYTES)))
            rc = -1;
    pthread_t thread;
    bool locks = rc == 0 && pthread_mutex_init(&p.lock, NULL) == 0;
    if (locks && pthread_cond_init(&p.changed, NULL) != 0) {
        pthread_mutex_destroy(&p.lock);
        locks = false;
    }
    p.filling = p.ring[0];
    if (!locks || pthread_create(&thread, NULL, reader, &p) != 0) rc = -1;
    if (rc != 0) { /* no thread: the same work, one after the other */
        if (locks) {
            pthread_mutex_destroy(&p.lock);
            pthread_cond_destroy(&p.changed);
        }
        for (int i = 0; i < RING; i++)
            if (p.ring[i]) free(p.ring[i]->bytes), free(p.ring[i]);
        sqlite3 *db = store_open(path, NULL);
        rc = db ? store_each_event(db, 0, NULL, NULL, fn, arg) : -1;
        store_close(db);
        if (store_verify_chain(path, chain) != 0) rc = -1;
        return rc;
    }
    int stopped = 0;
    for (;;) {
        pthread_mutex_lock(&p.lock);
        while (p.count == 0 && !p.done) pthread_cond_wait(&p.changed, &p.lock);
        bool last = p.count == 0;
        pthread_mutex_unlock(&p.lock);
        if (last) break;
        const struct batch *b = p.ring[p.head];
        for (int i = 0; i < b->n && !stopped; i++) {
            struct event ev = event_at(b, i);
            stopped = fn(&ev, arg);
        }
        pthread_mutex_lock(&p.lock);
        p.head = (p.head + 1) % RING;
        p.count--;
        if (stopped) p.stopped = true;
        pthread_cond_broadcast(&p.changed);
        pthread_mutex_unlock(&p.lock);
    }
    pthread_join(thread, NULL);
    pthread_mutex_destroy(&p.lock);
    pthread_cond_destroy(&p.changed);
    for (int i = 0; i < RING; i++) {
        free(p.ring[i]->bytes);
        free(p.ring[i]);
    }
    return p.read_rc < 0 ? -1 : stopped;
}

int store_put_result(sqlite3 *db, const char *competition, const char *contestant, int64_t total,
                     bool complete, const char *modules_json, int64_t seq)
{
    sqlite3_stmt *st = cached_statement(db, &cached.put_result,
                                        "INSERT OR REPLACE INTO results(competition, contestant,"
                                        " total, complete, modules, seq) VALUES(?,?,?,?,?,?)");
    if (!st) return -1;
    sqlite3_bind_text(st, 1, competition, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, contestant, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, total);
    sqlite3_bind_int(st, 4, complete);
    sqlite3_bind_text(st, 5, modules_json, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, seq);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : -1;
}
