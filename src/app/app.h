/* The application state: every competition's live contest, judge assignments and
 * publication, rebuilt from the event log at start and advanced by the same function
 * (app_apply_event) for live commands and for replay, so both give the same state. */
#ifndef JX_APP_APP_H
#define JX_APP_APP_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdbool.h>

#include "core/contest.h"
#include "store/store.h"

struct assignment {
    char *judge;     /* username */
    int venue;       /* -1: every venue (a chief judge over all) */
    bool *modules;   /* per module: may mark it */
};

/* A chief judge's request to re-judge one contestant's criterion; it closes by itself
 * when a new mark lands on that criterion. */
struct rejudge {
    int contestant, criterion;
    char *note, *by;
    bool open;
};

struct competition {
    struct contest contest;
    bool published;
    struct assignment *assignments;
    int n_assignments;
    struct rejudge *rejudges;
    int n_rejudges;
    int64_t last_seq; /* of its last applied event */
};

struct app {
    sqlite3 *db; /* the loop thread's connection (reads; writes go through the writer) */
    struct writer *writer;
    _Atomic int helper_threads; /* hashing threads that will still submit to the writer */
    bool replaying;             /* app_open is replaying the log */
    struct competition **competitions;
    int n_competitions;
    int64_t last_seq;
    unsigned char last_hash[HASH_SIZE];
    /* Told of each committed live frame, in commit order (the server's hub; NULL in the
     * CLI). data is the frame's JSON; end_public ends anonymous viewers' streams after it. */
    void (*publish)(void *target, const char *competition, int64_t seq, const char *name,
                    json_t *data, bool end_public);
    /* True while a display watches the competition (NULL: never). */
    bool (*watched)(void *target, const char *competition);
    void *publish_target;
};

/* Takes the database's writer lock for this process; -1 with e when another holds it. */
int app_lock(const char *db_path, struct jx_error *e);
/* Opens the database and replays the whole log into memory. */
int app_open(struct app *app, const char *db_path, struct jx_error *e);
void app_close(struct app *app);

struct competition *app_competition(const struct app *app, const char *id);

/* True while a display watches the competition: only then is a commit's live delta worth
 * building; otherwise its frame is a reset marker (resuming across it gives a snapshot). */
bool app_watched(const struct app *app, const char *competition);

/* Validates an event against the current state and applies it; -1 with e filled and
 * nothing changed when it is refused. Used for live commands (before commit) and replay. */
int app_apply_event(struct app *app, const struct event *ev, struct jx_error *e);
/* Applies a batch of mark events all or nothing; outcomes[i] is APPLY_ACCEPTED or
 * APPLY_DUPLICATE. *failed is the refused mark's index on error. */
int app_apply_marks(struct app *app, struct competition *comp, json_t *const *marks, int n,
                    int64_t at_ms, int *outcomes, int *failed, struct jx_error *e);

struct signal;
struct derived;
/* Applies a device signal event's body (docs/devices.md); out receives the marks its rules
 * yield. The return value is contest_apply_signal's. */
int app_apply_signal(struct competition *comp, const json_t *body, struct derived *out,
                     int max_out, int *n_out, struct jx_error *e);

/* The assignment of a judge in a competition, or NULL. */
const struct assignment *competition_assignment(const struct competition *comp, const char *judge);
/* True when the judge is assigned to the contestant's venue and the criterion's module. */
bool assignment_allows(const struct competition *comp, const struct assignment *a, int contestant,
                       int criterion);

#endif
