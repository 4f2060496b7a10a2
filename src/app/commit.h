/* A commit: the events of one command, stamped with sequence and hash in order, plus
 * the projection rows they change, handed to the writer as one job. The caller is told
 * (done) only after the group transaction holding it has committed. */
#ifndef JX_APP_COMMIT_H
#define JX_APP_COMMIT_H

#include "app/app.h"

struct commit;

struct commit *commit_begin(struct app *app);
/* Stamps the events queued from now on with at_ms (server ms) instead of the time the commit
 * began: the time their commands were applied with, so that replay applies them alike. */
void commit_set_time(struct commit *c, int64_t at_ms);
/* Stamps and queues an event (strings copied). 0, or -1 out of memory. */
int commit_event(struct commit *c, const char *competition, const char *kind, const char *actor,
                 const char *key, const char *contestant, const char *body);
/* Queues the current result of a contestant for the stored projection. */
int commit_result(struct commit *c, const struct competition *comp, int contestant);
/* Queues a live frame named name for the competition's displays, with the sequence of the
 * competition's last event stamped so far; it is published once the commit is durable.
 * data is stolen. */
int commit_frame(struct commit *c, const char *competition, const char *name, json_t *data,
                 bool end_public);
/* Hands the commit to the writer (or, without a writer, writes it now in its own
 * transaction); done(arg) runs once it is durable. Frees c. */
void commit_submit(struct commit *c, void (*done)(void *arg), void *arg);
/* Frees a commit that will not be submitted. Its events must not have been applied. */
void commit_abandon(struct commit *c);

/* Imports contestant rows (objects of the competition file's contestant shape) all or
 * nothing, adding their events to commit. Returns how many were added, or -1 with e. */
int app_import_contestants(struct app *app, struct competition *comp, json_t *rows,
                           const char *actor, struct commit *commit, struct jx_error *e);

/* The stored projection's modules text for a contestant: {"A":12.5,...}. Caller frees. */
char *result_modules_json(const struct contest *contest, int contestant);

#endif
