/* The single writer: a thread that runs every write job in one transaction per group
 * (group commit) and reports each job done on the event loop only after COMMIT. */
#ifndef JX_STORE_WRITER_H
#define JX_STORE_WRITER_H

#include <sqlite3.h>

struct event_base;
struct writer;

/* Opens its own connection to path. NULL with a message on stderr on failure. */
struct writer *writer_start(const char *path, struct event_base *base);
/* Queues a write: run(db, arg) in the writer thread inside the group's transaction (it
 * must return 0; anything else is fatal; NULL runs nothing), then done(arg) on the loop
 * thread after the commit. Any thread may submit. */
void writer_submit(struct writer *w, int (*run)(sqlite3 *db, void *arg), void (*done)(void *arg),
                   void *arg);
/* Commits what is queued, runs the done callbacks, and stops the thread. */
void writer_stop(struct writer *w);

#endif
