/* Shared inside src/social: the per-competition state and the write jobs. Not for use
 * outside this folder. */
#ifndef JX_SOCIAL_INTERNAL_H
#define JX_SOCIAL_INTERNAL_H

#include <event2/event.h>

#include "core/strmap.h"
#include "social/social.h"

struct device_count {
    int contestant;
    char device[33];
    int likes, cheers;
    bool dirty;
};

struct history_point {
    int64_t at_ms, total; /* total in thousandths */
    int rank;
};

/* A contestant's overall rank over time: at most one point per HISTORY_STEP_MS (changes
 * within a step update its last point), so busy marking cannot flood the table. */
struct history {
    struct history_point *points;
    int n, cap;
    bool dirty; /* the last point is not written yet */
};

struct comp_state {
    char *id;
    int cap;                     /* contestants allocated below */
    int64_t *likes, *cheers;
    bool *changed, any_changed;  /* counts to announce */
    char **pledges;              /* NULL: none */
    bool *photo;
    struct history *history;
    struct strmap by_device;     /* "device contestant-index" → index into counts */
    struct device_count *counts;
    int64_t n_counts, cap_counts;
    struct strmap blocked;       /* device → 1 */
    json_t *settings;
};

struct social {
    sqlite3 *db;
    struct writer *writer;
    const struct app *app;
    announce_fn announce;
    void *target;
    struct event *flush;
    unsigned char key[32]; /* signs device cookies */
    struct comp_state **comps;
    int n_comps;
};

/* The state of a competition, grown to its current field; NULL when out of memory. */
struct comp_state *comp_state(struct social *s, const struct competition *comp);

/* A write job: statements run in order in one writer job; done gets the first's rowid. */
enum param_type { P_NULL, P_INT, P_TEXT, P_BLOB };
struct param {
    enum param_type type;
    int64_t i;
    char *text; /* owned (text or blob bytes) */
    size_t len;
};
struct statement {
    const char *sql;
    struct param params[6];
    int n_params;
};
struct write_job;
struct write_job *job_new(written_fn done, void *arg);
/* Adds a statement; params by format: i = int64, s = text (copied, NULL ok), b = blob
 * (taken: pointer then size_t, freed by the job even when adding fails). 0 or -1 out of
 * memory. */
int job_add(struct write_job *j, const char *sql, const char *format, ...);
void job_submit(struct social *s, struct write_job *j);
/* A job whose done, once durable, announces frame (stolen; NULL: nothing) under name to
 * the competition's viewers (with_id: adding the new row's "id"), then calls done. */
struct write_job *announcing_job(struct social *s, const char *competition, const char *name,
                                 json_t *frame, bool with_id, written_fn done, void *arg);
/* Frees a job that will not be submitted (NULL is fine). */
void job_free(struct write_job *j);

int load_comments_state(struct social *s);
json_t *default_settings(const struct competition *comp);

#endif
