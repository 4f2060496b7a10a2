/* bench/baseline_txn.c: the naive way to log marks durably, for comparison with the
 * server's group commit. T threads, each with its own SQLite connection on one file
 * (WAL, synchronous=FULL, busy_timeout), each inserting one mark per transaction into
 * an events table shaped like the server's (same columns and indexes, a SHA-256 hash
 * chained to the previous row read inside the transaction), for the same duration.
 * No HTTP, no JSON parsing, no scoring: only the durable insert.
 *
 * Prints a human summary and a RESULT line (key=value) that bench/ingest.sh parses. */
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char schema[] =
    "PRAGMA journal_mode=WAL;"
    "CREATE TABLE IF NOT EXISTS events("
    " seq INTEGER PRIMARY KEY, at_ms INTEGER NOT NULL, competition TEXT NOT NULL,"
    " kind TEXT NOT NULL, actor TEXT NOT NULL, key TEXT, contestant TEXT,"
    " body TEXT NOT NULL, hash BLOB NOT NULL);"
    "CREATE UNIQUE INDEX IF NOT EXISTS events_key ON events(competition, key)"
    " WHERE key IS NOT NULL;"
    "CREATE INDEX IF NOT EXISTS events_contestant ON events(competition, contestant)"
    " WHERE contestant IS NOT NULL;";

static const char *db_path;
static int n_threads = 64;
static double seconds = 10, warmup = 1;
static uint64_t t_measure, t_end;

struct worker {
    pthread_t thread;
    int index;
    uint64_t commits, errors;
    uint64_t *lat_ns;
    size_t n_lat, cap_lat;
    char first_error[200];
};

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static sqlite3 *open_db(void)
{
    sqlite3 *db;
    if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK) {
        fprintf(stderr, "baseline_txn: cannot open %s\n", db_path);
        exit(1);
    }
    sqlite3_busy_timeout(db, 10000);
    if (sqlite3_exec(db, "PRAGMA synchronous=FULL;", NULL, NULL, NULL) != SQLITE_OK) {
        fprintf(stderr, "baseline_txn: %s\n", sqlite3_errmsg(db));
        exit(1);
    }
    return db;
}

static void fail(struct worker *w, sqlite3 *db, const char *what)
{
    w->errors++;
    if (!w->first_error[0])
        snprintf(w->first_error, sizeof w->first_error, "%s: %s", what, sqlite3_errmsg(db));
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    sqlite3 *db = open_db();
    sqlite3_stmt *begin, *tail, *insert, *commit, *rollback;
    if (sqlite3_prepare_v2(db, "BEGIN IMMEDIATE", -1, &begin, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "SELECT hash FROM events ORDER BY seq DESC LIMIT 1", -1, &tail,
                           NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db,
                           "INSERT INTO events(seq, at_ms, competition, kind, actor, key,"
                           " contestant, body, hash) VALUES(NULL,?,?,?,?,?,?,?,?)",
                           -1, &insert, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "COMMIT", -1, &commit, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "ROLLBACK", -1, &rollback, NULL) != SQLITE_OK) {
        fprintf(stderr, "baseline_txn: prepare: %s\n", sqlite3_errmsg(db));
        exit(1);
    }
    static const char *const criteria[] = {"A3", "B2", "E2"};
    static const char groups[] = "WTS";
    for (uint64_t seq = 0;; seq++) {
        uint64_t t0 = now_ns();
        if (t0 >= t_end) break;
        char key[64], contestant[8], body[256];
        int cell = (int)((seq + (uint64_t)w->index * 7919u) % 231u);
        int person = cell % 77, group = person < 30 ? 0 : person < 52 ? 1 : 2;
        int number = person - (group == 0 ? 0 : group == 1 ? 30 : 52) + 1;
        snprintf(key, sizeof key, "base-%d-%llu", w->index, (unsigned long long)seq);
        snprintf(contestant, sizeof contestant, "%c%03d", groups[group], number);
        int body_len = snprintf(body, sizeof body,
                                "{\"contestant\":\"%s\",\"criterion\":\"%s\",\"deduction\":0,"
                                "\"key\":\"%s\",\"reason\":\"bench\"}",
                                contestant, criteria[cell / 77], key);
        if (sqlite3_step(begin) != SQLITE_DONE) {
            sqlite3_reset(begin);
            fail(w, db, "BEGIN IMMEDIATE");
            continue;
        }
        sqlite3_reset(begin);
        unsigned char previous[32] = {0}, hash[32];
        if (sqlite3_step(tail) == SQLITE_ROW && sqlite3_column_bytes(tail, 0) == 32)
            memcpy(previous, sqlite3_column_blob(tail, 0), 32);
        sqlite3_reset(tail);
        crypto_hash_sha256_state st;
        crypto_hash_sha256_init(&st);
        crypto_hash_sha256_update(&st, previous, 32);
        crypto_hash_sha256_update(&st, (const unsigned char *)body, (unsigned long long)body_len);
        crypto_hash_sha256_final(&st, hash);
        sqlite3_bind_int64(insert, 1, wall_ms());
        sqlite3_bind_text(insert, 2, "irom-final-2026", -1, SQLITE_STATIC);
        sqlite3_bind_text(insert, 3, "mark", -1, SQLITE_STATIC);
        sqlite3_bind_text(insert, 4, "admin", -1, SQLITE_STATIC);
        sqlite3_bind_text(insert, 5, key, -1, SQLITE_STATIC);
        sqlite3_bind_text(insert, 6, contestant, -1, SQLITE_STATIC);
        sqlite3_bind_text(insert, 7, body, body_len, SQLITE_STATIC);
        sqlite3_bind_blob(insert, 8, hash, 32, SQLITE_STATIC);
        int rc = sqlite3_step(insert);
        sqlite3_reset(insert);
        if (rc != SQLITE_DONE) {
            fail(w, db, "INSERT");
            sqlite3_step(rollback);
            sqlite3_reset(rollback);
            continue;
        }
        rc = sqlite3_step(commit);
        sqlite3_reset(commit);
        if (rc != SQLITE_DONE) {
            fail(w, db, "COMMIT");
            sqlite3_step(rollback);
            sqlite3_reset(rollback);
            continue;
        }
        uint64_t t1 = now_ns();
        if (t1 >= t_measure && t1 < t_end) {
            w->commits++;
            if (w->n_lat == w->cap_lat) {
                w->cap_lat = w->cap_lat ? w->cap_lat * 2 : 4096;
                if (!(w->lat_ns = realloc(w->lat_ns, w->cap_lat * sizeof *w->lat_ns))) abort();
            }
            w->lat_ns[w->n_lat++] = t1 - t0;
        }
    }
    sqlite3_finalize(begin);
    sqlite3_finalize(tail);
    sqlite3_finalize(insert);
    sqlite3_finalize(commit);
    sqlite3_finalize(rollback);
    sqlite3_close(db);
    return NULL;
}

static int compare_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static double percentile_ms(const uint64_t *sorted, size_t n, double p)
{
    if (n == 0) return 0;
    return (double)sorted[(size_t)(p * (double)(n - 1) + 0.5)] / 1e6;
}

/* --fsync-probe FILE: the disk's own cost, 200 times "overwrite 4 KB, fdatasync". */
static int fsync_probe(const char *path)
{
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    char page[4096];
    memset(page, 'x', sizeof page);
    uint64_t lat[200];
    if (fd < 0) return 1;
    for (int i = 0; i < 16; i++)
        if (pwrite(fd, page, sizeof page, (off_t)i * 4096) != (ssize_t)sizeof page) return 1;
    if (fsync(fd) != 0) return 1;
    for (int i = 0; i < 200; i++) {
        page[0] = (char)i;
        if (pwrite(fd, page, sizeof page, (off_t)(i % 16) * 4096) != (ssize_t)sizeof page) return 1;
        uint64_t t0 = now_ns();
        if (fdatasync(fd) != 0) return 1;
        lat[i] = now_ns() - t0;
    }
    close(fd);
    unlink(path);
    qsort(lat, 200, sizeof *lat, compare_u64);
    printf("fsync probe (4 KB overwrite + fdatasync, 200 times): p10 %.3f ms, p50 %.3f ms, "
           "p90 %.3f ms, max %.3f ms\n",
           (double)lat[20] / 1e6, (double)lat[100] / 1e6, (double)lat[180] / 1e6,
           (double)lat[199] / 1e6);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "--fsync-probe")) return fsync_probe(argv[2]);
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--db")) db_path = argv[i + 1];
        else if (!strcmp(argv[i], "--threads")) n_threads = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--seconds")) seconds = atof(argv[i + 1]);
        else if (!strcmp(argv[i], "--warmup")) warmup = atof(argv[i + 1]);
        else break;
    }
    if (!db_path || n_threads < 1 || seconds <= 0 || argc % 2 == 0) {
        fprintf(stderr, "usage: baseline_txn --db FILE [--threads 64] [--seconds 10] [--warmup 1]\n");
        return 2;
    }
    if (sodium_init() < 0) return 1;
    sqlite3 *db = open_db();
    if (sqlite3_exec(db, schema, NULL, NULL, NULL) != SQLITE_OK) {
        fprintf(stderr, "baseline_txn: schema: %s\n", sqlite3_errmsg(db));
        return 1;
    }
    sqlite3_close(db);
    struct worker *workers = calloc((size_t)n_threads, sizeof *workers);
    if (!workers) return 1;
    uint64_t t_start = now_ns();
    t_measure = t_start + (uint64_t)(warmup * 1e9);
    t_end = t_measure + (uint64_t)(seconds * 1e9);
    for (int i = 0; i < n_threads; i++) {
        workers[i].index = i;
        if (pthread_create(&workers[i].thread, NULL, worker_main, &workers[i]) != 0) {
            perror("pthread_create");
            return 1;
        }
    }
    uint64_t commits = 0, errors = 0;
    size_t n = 0;
    for (int i = 0; i < n_threads; i++) {
        pthread_join(workers[i].thread, NULL);
        commits += workers[i].commits;
        errors += workers[i].errors;
        n += workers[i].n_lat;
    }
    uint64_t *lat = malloc((n + 1) * sizeof *lat);
    if (!lat) return 1;
    size_t k = 0;
    int failing = 0;
    for (int i = 0; i < n_threads; i++) {
        memcpy(lat + k, workers[i].lat_ns, workers[i].n_lat * sizeof *lat);
        k += workers[i].n_lat;
        if (workers[i].first_error[0] && failing++ == 0)
            printf("  first error (thread %d): %s\n", i, workers[i].first_error);
        free(workers[i].lat_ns);
    }
    if (failing > 1) printf("  (%d threads had errors)\n", failing);
    qsort(lat, n, sizeof *lat, compare_u64);
    double p50 = percentile_ms(lat, n, 0.5), p99 = percentile_ms(lat, n, 0.99);
    double max = n ? (double)lat[n - 1] / 1e6 : 0, sum = 0;
    for (size_t i = 0; i < n; i++) sum += (double)lat[i];
    double mean = n ? sum / (double)n / 1e6 : 0;
    /* Busy waits are unfair (a thread that just committed often wins again while the
     * others sleep in SQLite's back-off), so the mean says more than the median here. */
    printf("threads %d, %.1f s measured: %llu commits, %.0f marks/s, p50 %.3f ms, mean %.3f ms, "
           "p99 %.3f ms, max %.3f ms, errors %llu\n",
           n_threads, seconds, (unsigned long long)commits, (double)commits / seconds, p50, mean,
           p99, max, (unsigned long long)errors);
    printf("RESULT threads=%d seconds=%.1f marks=%llu marks_per_s=%.0f p50_ms=%.3f mean_ms=%.3f "
           "p99_ms=%.3f max_ms=%.3f errors=%llu\n",
           n_threads, seconds, (unsigned long long)commits, (double)commits / seconds, p50, mean,
           p99, max, (unsigned long long)errors);
    free(lat);
    free(workers);
    return 0;
}
