/* Group commit: the loop thread queues jobs; the writer takes all queued jobs, runs
 * them in one transaction, commits (fsync), then hands them back to the loop to answer.
 * A failed write or commit is fatal: the process stops rather than acknowledge it.
 * Checkpoints run on a thread of their own, so no commit waits for one. */
#include "store/writer.h"

#include <event2/event.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "store/store.h"

struct writer_job {
    int (*run)(sqlite3 *db, void *arg);
    void (*done)(void *arg);
    void *arg;
    struct writer_job *next;
};

/* WAL pages after which a checkpoint is started (~32 MB): hot pages (index leaves, result
 * rows) are copied back once per checkpoint, so fewer checkpoints copy far less. */
#define CHECKPOINT_PAGES 8000

struct writer {
    sqlite3 *db, *checkpoint_db;
    pthread_t thread, checkpointer;
    pthread_mutex_t lock;
    pthread_cond_t wake, checkpoint_wake;
    bool checkpoint_wanted;
    struct writer_job *queue, **queue_tail; /* waiting to be written */
    struct writer_job *done, **done_tail;   /* committed, waiting for the loop */
    struct event *done_event;
    bool stopping;
};

static void fatal(struct writer *w, const char *what)
{
    fprintf(stderr, "jiangxing: writer: %s failed: %s — stopping without acknowledging\n", what,
            sqlite3_errmsg(w->db));
    abort();
}

static struct writer_job *take_all(struct writer_job **head, struct writer_job ***tail)
{
    struct writer_job *all = *head;
    *head = NULL;
    *tail = head;
    return all;
}

static void *writer_main(void *arg)
{
    struct writer *w = arg;
    pthread_mutex_lock(&w->lock);
    for (;;) {
        while (!w->queue && !w->stopping) pthread_cond_wait(&w->wake, &w->lock);
        if (!w->queue && w->stopping) break;
        struct writer_job *group = take_all(&w->queue, &w->queue_tail), *last = NULL;
        pthread_mutex_unlock(&w->lock);
        if (store_exec(w->db, "BEGIN IMMEDIATE") != 0) fatal(w, "BEGIN");
        for (struct writer_job *j = group; j; j = j->next) {
            if (j->run && j->run(w->db, j->arg) != 0) fatal(w, "write");
            last = j;
        }
        if (store_exec(w->db, "COMMIT") != 0) fatal(w, "COMMIT");
        pthread_mutex_lock(&w->lock);
        *w->done_tail = group;
        w->done_tail = &last->next;
        event_active(w->done_event, EV_READ, 0);
    }
    pthread_mutex_unlock(&w->lock);
    store_thread_done();
    return NULL;
}

/* On the writer thread, after each commit: from a quarter of CHECKPOINT_PAGES on, the
 * checkpointer copies the WAL back while commits go on. Racing a stream of commits, its
 * PASSIVE checkpoints seldom reach the end, and only then may the WAL start over; so at
 * CHECKPOINT_PAGES the writer checkpoints between two transactions itself, which costs
 * little once the checkpointer has copied nearly everything. */
static int on_wal(void *arg, sqlite3 *db, const char *name, int pages)
{
    struct writer *w = arg;
    if (pages >= CHECKPOINT_PAGES)
        sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
    else if (pages >= CHECKPOINT_PAGES / 4) {
        pthread_mutex_lock(&w->lock);
        w->checkpoint_wanted = true;
        pthread_cond_signal(&w->checkpoint_wake);
        pthread_mutex_unlock(&w->lock);
    }
    return SQLITE_OK;
}

/* Copies the WAL back into the database on its own connection (PASSIVE: the writer keeps
 * committing meanwhile; SQLite starts the WAL over once it has all been copied back). */
static void *checkpointer_main(void *arg)
{
    struct writer *w = arg;
    pthread_mutex_lock(&w->lock);
    for (;;) {
        while (!w->checkpoint_wanted && !w->stopping) pthread_cond_wait(&w->checkpoint_wake, &w->lock);
        if (w->stopping) break;
        w->checkpoint_wanted = false;
        pthread_mutex_unlock(&w->lock);
        sqlite3_wal_checkpoint_v2(w->checkpoint_db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
        pthread_mutex_lock(&w->lock);
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

/* On the loop thread: answer every committed job. */
static void run_done(evutil_socket_t fd, short what, void *arg)
{
    struct writer *w = arg;
    pthread_mutex_lock(&w->lock);
    struct writer_job *jobs = take_all(&w->done, &w->done_tail);
    pthread_mutex_unlock(&w->lock);
    while (jobs) {
        struct writer_job *next = jobs->next;
        if (jobs->done) jobs->done(jobs->arg);
        free(jobs);
        jobs = next;
    }
}

struct writer *writer_start(const char *path, struct event_base *base)
{
    struct writer *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    struct jx_error e;
    if (!(w->db = store_open(path, &e)) || !(w->checkpoint_db = store_open(path, &e))) {
        fprintf(stderr, "jiangxing: %s\n", e.message);
        store_close(w->db);
        free(w);
        return NULL;
    }
    sqlite3_wal_hook(w->db, on_wal, w); /* instead of checkpointing inside a COMMIT */
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->wake, NULL);
    pthread_cond_init(&w->checkpoint_wake, NULL);
    w->queue_tail = &w->queue;
    w->done_tail = &w->done;
    w->done_event = event_new(base, -1, 0, run_done, w);
    /* Committed answers go out before new requests are read (priority 0 of 2). */
    if (w->done_event) event_priority_set(w->done_event, 0);
    if (!w->done_event || pthread_create(&w->checkpointer, NULL, checkpointer_main, w) != 0) {
        if (w->done_event) event_free(w->done_event);
        store_close(w->checkpoint_db);
        store_close(w->db);
        free(w);
        return NULL;
    }
    if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
        fprintf(stderr, "jiangxing: writer: cannot start its thread — stopping\n");
        abort();
    }
    return w;
}

void writer_submit(struct writer *w, int (*run)(sqlite3 *db, void *arg), void (*done)(void *arg),
                   void *arg)
{
    struct writer_job *job = malloc(sizeof *job);
    if (!job) {
        fprintf(stderr, "jiangxing: writer: out of memory queueing a write — stopping\n");
        abort(); /* the caller's change is applied in memory: it must not go unwritten */
    }
    *job = (struct writer_job){run, done, arg, NULL};
    pthread_mutex_lock(&w->lock);
    *w->queue_tail = job;
    w->queue_tail = &job->next;
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->lock);
}

void writer_stop(struct writer *w)
{
    pthread_mutex_lock(&w->lock);
    w->stopping = true;
    pthread_cond_signal(&w->wake);
    pthread_cond_signal(&w->checkpoint_wake);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    pthread_join(w->checkpointer, NULL);
    run_done(-1, 0, w);
    event_free(w->done_event);
    store_close(w->checkpoint_db);
    store_close(w->db);
    pthread_mutex_destroy(&w->lock);
    pthread_cond_destroy(&w->wake);
    pthread_cond_destroy(&w->checkpoint_wake);
    free(w);
}
