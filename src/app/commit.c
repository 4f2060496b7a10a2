/* Building and submitting commits. Events are stamped (sequence, hash chain) here, on
 * the loop thread, in the same order they were applied to the in-memory state. */
#include "app/commit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/standings_json.h"
#include "store/writer.h"

struct owned_event {
    struct event ev;
    char *strings[6];
};

struct result_row {
    char *competition, *contestant, *modules;
    int64_t total, seq;
    bool complete;
};

struct live_frame {
    char *competition, *name;
    json_t *data;
    int64_t seq;
    bool end_public;
};

struct commit {
    struct app *app;
    struct owned_event *events;
    int n_events, cap_events;
    struct result_row *rows;
    int n_rows, cap_rows;
    struct live_frame *frames;
    int n_frames, cap_frames;
    int64_t at_ms;
    void (*done)(void *arg);
    void *done_arg;
};

struct commit *commit_begin(struct app *app)
{
    struct commit *c = calloc(1, sizeof *c);
    if (c) {
        c->app = app;
        c->at_ms = now_ms();
    }
    return c;
}

void commit_set_time(struct commit *c, int64_t at_ms) { c->at_ms = at_ms; }

static char *copy_or_null(const char *s) { return s ? strdup(s) : NULL; }

int commit_event(struct commit *c, const char *competition, const char *kind, const char *actor,
                 const char *key, const char *contestant, const char *body)
{
    if (c->n_events == c->cap_events) {
        int cap = c->cap_events ? c->cap_events * 2 : 8;
        struct owned_event *grown = realloc(c->events, (size_t)cap * sizeof *grown);
        if (!grown) return -1;
        c->events = grown;
        c->cap_events = cap;
    }
    struct owned_event *o = &c->events[c->n_events];
    memset(o, 0, sizeof *o);
    const char *sources[6] = {competition, kind, actor, key, contestant, body};
    for (int i = 0; i < 6; i++)
        if (sources[i] && !(o->strings[i] = strdup(sources[i]))) {
            while (i-- > 0) free(o->strings[i]);
            return -1;
        }
    struct app *app = c->app;
    o->ev = (struct event){.seq = ++app->last_seq, .at_ms = c->at_ms, .competition = o->strings[0],
                           .kind = o->strings[1], .actor = o->strings[2], .key = o->strings[3],
                           .contestant = o->strings[4], .body = o->strings[5]};
    event_hash(&o->ev, app->last_hash, o->ev.hash);
    struct competition *comp = app_competition(app, competition);
    if (comp) comp->last_seq = o->ev.seq;
    memcpy(app->last_hash, o->ev.hash, HASH_SIZE);
    c->n_events++;
    return 0;
}

char *result_modules_json(const struct contest *contest, int contestant)
{
    const struct scheme *s = &contest->scheme;
    size_t cap = 2 + (size_t)s->n_modules * (64 + 4 + 32), len = 0;
    char *text = malloc(cap), score[32];
    if (!text) return NULL;
    text[len++] = '{';
    /* Module ids are plain [A-Za-z0-9_.-], so they need no escaping. */
    for (int m = 0; m < s->n_modules; m++)
        len += (size_t)snprintf(text + len, cap - len, "%s\"%s\":%s", m ? "," : "", s->modules[m].id,
                                milli_format(contest->results[contestant].modules[m], score));
    snprintf(text + len, cap - len, "}");
    return text;
}

int commit_result(struct commit *c, const struct competition *comp, int contestant)
{
    if (c->n_rows == c->cap_rows) {
        int cap = c->cap_rows ? c->cap_rows * 2 : 8;
        struct result_row *grown = realloc(c->rows, (size_t)cap * sizeof *grown);
        if (!grown) return -1;
        c->rows = grown;
        c->cap_rows = cap;
    }
    const struct contest *contest = &comp->contest;
    struct result_row *r = &c->rows[c->n_rows];
    r->competition = copy_or_null(contest->scheme.id);
    r->contestant = copy_or_null(contest->scheme.contestants[contestant].id);
    r->modules = result_modules_json(contest, contestant);
    r->total = contest->results[contestant].total;
    r->complete = contest_complete(contest, contestant);
    r->seq = c->app->last_seq;
    if (!r->competition || !r->contestant || !r->modules) {
        free(r->competition);
        free(r->contestant);
        free(r->modules);
        return -1;
    }
    c->n_rows++;
    return 0;
}

int commit_frame(struct commit *c, const char *competition, const char *name, json_t *data,
                 bool end_public)
{
    if (c->n_frames == c->cap_frames) {
        int cap = c->cap_frames ? c->cap_frames * 2 : 2;
        struct live_frame *grown = realloc(c->frames, (size_t)cap * sizeof *grown);
        if (!grown) {
            json_decref(data);
            return -1;
        }
        c->frames = grown;
        c->cap_frames = cap;
    }
    struct live_frame *f = &c->frames[c->n_frames];
    const struct competition *comp = app_competition(c->app, competition);
    *f = (struct live_frame){strdup(competition), strdup(name), data,
                             comp ? comp->last_seq : c->app->last_seq, end_public};
    if (!f->competition || !f->name || !f->data) {
        free(f->competition);
        free(f->name);
        json_decref(f->data);
        return -1;
    }
    c->n_frames++;
    return 0;
}

static void commit_free(struct commit *c)
{
    for (int i = 0; i < c->n_frames; i++) {
        free(c->frames[i].competition);
        free(c->frames[i].name);
        json_decref(c->frames[i].data);
    }
    free(c->frames);
    for (int i = 0; i < c->n_events; i++)
        for (int k = 0; k < 6; k++) free(c->events[i].strings[k]);
    for (int i = 0; i < c->n_rows; i++) {
        free(c->rows[i].competition);
        free(c->rows[i].contestant);
        free(c->rows[i].modules);
    }
    free(c->events);
    free(c->rows);
    free(c);
}

void commit_abandon(struct commit *c) { commit_free(c); }

static int commit_write(sqlite3 *db, void *arg)
{
    struct commit *c = arg;
    for (int i = 0; i < c->n_events; i++)
        if (store_append(db, &c->events[i].ev) != 0) return -1;
    for (int i = 0; i < c->n_rows; i++) {
        const struct result_row *r = &c->rows[i];
        if (store_put_result(db, r->competition, r->contestant, r->total, r->complete, r->modules,
                             r->seq) != 0)
            return -1;
    }
    return 0;
}

static void commit_done(void *arg)
{
    struct commit *c = arg;
    struct app *app = c->app;
    for (int i = 0; app->publish && i < c->n_frames; i++) {
        const struct live_frame *f = &c->frames[i];
        app->publish(app->publish_target, f->competition, f->seq, f->name, f->data, f->end_public);
    }
    if (c->done) c->done(c->done_arg);
    commit_free(c);
}

void commit_submit(struct commit *c, void (*done)(void *arg), void *arg)
{
    c->done = done;
    c->done_arg = arg;
    if (c->app->writer) {
        writer_submit(c->app->writer, commit_write, commit_done, c);
        return;
    }
    sqlite3 *db = c->app->db;
    if (store_exec(db, "BEGIN IMMEDIATE") != 0 || commit_write(db, c) != 0 ||
        store_exec(db, "COMMIT") != 0) {
        fprintf(stderr, "jiangxing: cannot write the event log — stopping\n");
        abort();
    }
    commit_done(c);
}
