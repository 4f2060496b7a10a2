/* Event application and the registry of competitions. Every kind of event has one
 * apply function here; the kinds and their bodies are listed in docs/design.md §6. */
#include "app/app.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/competition_json.h"
#include "format/mark_fast.h"
#include "format/mark_json.h"
#include "format/signal_json.h"

struct competition *app_competition(const struct app *app, const char *id)
{
    for (int i = 0; i < app->n_competitions; i++)
        if (strcmp(app->competitions[i]->contest.scheme.id, id) == 0) return app->competitions[i];
    return NULL;
}

const struct assignment *competition_assignment(const struct competition *comp, const char *judge)
{
    for (int i = 0; i < comp->n_assignments; i++)
        if (strcmp(comp->assignments[i].judge, judge) == 0) return &comp->assignments[i];
    return NULL;
}

bool assignment_allows(const struct competition *comp, const struct assignment *a, int contestant,
                       int criterion)
{
    const struct scheme *s = &comp->contest.scheme;
    if (!a || contestant < 0 || criterion < 0) return false;
    if (a->venue >= 0 && s->contestants[contestant].venue != a->venue) return false;
    return a->modules[s->criteria[criterion].module];
}

static void free_competition(struct competition *comp)
{
    contest_release(&comp->contest);
    for (int i = 0; i < comp->n_assignments; i++) {
        free(comp->assignments[i].judge);
        free(comp->assignments[i].modules);
    }
    free(comp->assignments);
    for (int i = 0; i < comp->n_rejudges; i++) {
        free(comp->rejudges[i].note);
        free(comp->rejudges[i].by);
    }
    free(comp->rejudges);
    free(comp);
}

static json_t *parse_body(const struct event *ev, struct jx_error *e)
{
    json_error_t jerr;
    json_t *doc = json_loads(ev->body, JSON_REJECT_DUPLICATES, &jerr);
    if (!doc)
        jx_fail(e, 400, "invalid_json", "", "JSON 格式错误（第 %d 行第 %d 列）：%s / malformed JSON",
                jerr.line, jerr.column, jerr.text);
    return doc;
}

static int apply_created(struct app *app, const struct event *ev, struct jx_error *e)
{
    json_t *doc = parse_body(ev, e);
    if (!doc) return -1;
    struct scheme s;
    int rc = competition_from_json(doc, &s, e);
    json_decref(doc);
    if (rc != 0) return -1;
    if (app_competition(app, s.id)) {
        jx_fail(e, 409, "competition_exists", "id", "竞赛 %s 已存在 / competition %s exists", s.id,
                s.id);
        scheme_release(&s);
        return -1;
    }
    struct competition *comp = calloc(1, sizeof *comp);
    struct competition **grown =
        realloc(app->competitions, (size_t)(app->n_competitions + 1) * sizeof *grown);
    if (!comp || !grown) {
        free(comp);
        if (grown) app->competitions = grown;
        scheme_release(&s);
        return jx_fail(e, 500, "out_of_memory", NULL, "out of memory");
    }
    app->competitions = grown;
    if (contest_init(&comp->contest, &s, e) != 0) {
        free(comp);
        return -1;
    }
    if (app->replaying) contest_pause_standings(&comp->contest);
    app->competitions[app->n_competitions++] = comp;
    return 0;
}

/* A new mark on a cell answers every open request to re-judge it. */
static void close_rejudges(struct competition *comp, const struct mark *m)
{
    const struct contest *c = &comp->contest;
    int64_t k;
    int contestant, criterion;
    if (m->type == MARK_VOID) {
        if (!strmap_get(&c->keys, m->void_key, &k)) return;
        contestant = c->key_records[k].contestant;
        criterion = c->key_records[k].criterion;
    } else {
        contestant = scheme_contestant(&c->scheme, m->contestant);
        criterion = scheme_criterion(&c->scheme, m->criterion);
    }
    for (int i = 0; i < comp->n_rejudges; i++)
        if (comp->rejudges[i].contestant == contestant && comp->rejudges[i].criterion == criterion)
            comp->rejudges[i].open = false;
}

static int apply_rejudge(struct competition *comp, const struct event *ev, struct jx_error *e)
{
    json_t *doc = parse_body(ev, e);
    if (!doc) return -1;
    const struct scheme *s = &comp->contest.scheme;
    const char *who = json_string_value(json_object_get(doc, "contestant"));
    const char *what = json_string_value(json_object_get(doc, "criterion"));
    const char *note = json_string_value(json_object_get(doc, "note"));
    struct rejudge r = {who ? scheme_contestant(s, who) : -1, what ? scheme_criterion(s, what) : -1,
                        NULL, NULL, true};
    int rc = 0;
    if (r.contestant < 0) rc = jx_fail(e, 404, "unknown_contestant", "contestant", "未知选手 / unknown contestant");
    else if (r.criterion < 0) rc = jx_fail(e, 404, "unknown_criterion", "criterion", "未知评分项 / unknown criterion");
    else if (comp->contest.locked[s->criteria[r.criterion].module])
        rc = jx_fail(e, 409, "module_locked", "criterion", "模块已签核锁定，请先解锁 / the module is locked: unlock it first");
    else if (note && strlen(note) > 500) rc = jx_fail(e, 400, "too_long", "note", "说明过长（≤500）/ note too long");
    struct rejudge *grown = rc == 0 ? realloc(comp->rejudges, (size_t)(comp->n_rejudges + 1) * sizeof *grown) : NULL;
    if (rc == 0 && (!grown || !(r.note = strdup(note ? note : "")) || !(r.by = strdup(ev->actor)))) {
        if (grown) comp->rejudges = grown;
        free(r.note);
        rc = jx_fail(e, 500, "out_of_memory", NULL, "out of memory");
    } else if (rc == 0) {
        comp->rejudges = grown;
        comp->rejudges[comp->n_rejudges++] = r;
    }
    json_decref(doc);
    return rc;
}

bool app_watched(const struct app *app, const char *competition)
{
    return app->watched && app->watched(app->publish_target, competition);
}

/* Applies parsed marks as one batch and closes the re-judge requests they answer. */
static int apply_parsed(struct competition *comp, const struct mark *parsed, int n, int *outcomes,
                        int *failed, struct jx_error *e)
{
    int rc = contest_apply_batch(&comp->contest, parsed, n, outcomes, failed, e);
    for (int i = 0; rc == 0 && i < n; i++)
        if (outcomes[i] == APPLY_ACCEPTED && comp->n_rejudges) close_rejudges(comp, &parsed[i]);
    return rc;
}

int app_apply_marks(struct app *app, struct competition *comp, json_t *const *marks, int n,
                    int64_t at_ms, int *outcomes, int *failed, struct jx_error *e)
{
    struct mark few[8];
    struct mark *parsed = n <= 8 ? few : calloc((size_t)n, sizeof *parsed);
    if (!parsed) return jx_fail(e, 500, "out_of_memory", NULL, "out of memory");
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        char field[32];
        snprintf(field, sizeof field, "marks[%d]", i);
        if (mark_from_json(marks[i], field, &parsed[i], e) != 0) {
            *failed = i;
            rc = -1;
        }
        parsed[i].at_ms = at_ms;
    }
    if (rc == 0) rc = apply_parsed(comp, parsed, n, outcomes, failed, e);
    if (parsed != few) free(parsed);
    return rc;
}

/* A mark event: the server's plain form of the body is read directly (mark_fast.h), any
 * other through jansson; both give the same mark, so the same outcome. */
static int apply_mark(struct app *app, struct competition *comp, const struct event *ev,
                      struct jx_error *e)
{
    char scratch[2048];
    struct mark m;
    int outcome, failed;
    if (mark_fast_decode(ev->body, scratch, sizeof scratch, &m) == 0) {
        m.at_ms = ev->at_ms;
        return apply_parsed(comp, &m, 1, &outcome, &failed, e);
    }
    json_t *doc = parse_body(ev, e);
    if (!doc) return -1;
    int rc = app_apply_marks(app, comp, &doc, 1, ev->at_ms, &outcome, &failed, e);
    json_decref(doc);
    return rc;
}

int app_apply_signal(struct competition *comp, const json_t *body, struct derived *out,
                     int max_out, int *n_out, struct jx_error *e)
{
    struct signal sig;
    if (signal_from_json(body, &sig, e) != 0) return -1;
    return contest_apply_signal(&comp->contest, &sig, out, max_out, n_out, e);
}

static int apply_signal(struct competition *comp, const struct event *ev, struct jx_error *e)
{
    json_t *doc = parse_body(ev, e);
    if (!doc) return -1;
    struct derived out[MAX_DERIVED];
    int n;
    int rc = app_apply_signal(comp, doc, out, MAX_DERIVED, &n, e);
    json_decref(doc);
    return rc < 0 ? -1 : 0;
}

static int module_of(const struct competition *comp, const json_t *doc, struct jx_error *e)
{
    const char *id = json_string_value(json_object_get(doc, "module"));
    int module = id ? scheme_module(&comp->contest.scheme, id) : -1;
    if (module < 0) jx_fail(e, 404, "unknown_module", "module", "未知模块 / unknown module");
    return module;
}

static int apply_lock(struct competition *comp, const struct event *ev, bool lock,
                      struct jx_error *e)
{
    json_t *doc = parse_body(ev, e);
    if (!doc) return -1;
    int module = module_of(comp, doc, e), rc = -1;
    if (module >= 0)
        rc = lock ? contest_lock_module(&comp->contest, module, e)
                  : contest_unlock_module(&comp->contest, module,
                                          json_string_value(json_object_get(doc, "reason")), e);
    json_decref(doc);
    return rc;
}

static int fill_assignment(const struct competition *comp, const json_t *doc, struct assignment *a,
                           struct jx_error *e)
{
    const struct scheme *s = &comp->contest.scheme;
    const char *judge = json_string_value(json_object_get(doc, "judge"));
    const char *venue = json_string_value(json_object_get(doc, "venue"));
    const json_t *modules = json_object_get(doc, "modules");
    if (!judge || !*judge)
        return jx_fail(e, 400, "missing_field", "judge", "缺少裁判 / judge is required");
    if (!venue)
        return jx_fail(e, 400, "missing_field", "venue",
                       "须指定赛场编号，或 \"*\" 表示全部赛场 / venue is required: an id, or \"*\" for all");
    a->venue = strcmp(venue, "*") != 0 ? scheme_venue(s, venue) : -1;
    if (strcmp(venue, "*") != 0 && a->venue < 0)
        return jx_fail(e, 404, "unknown_venue", "venue", "未知赛场 / unknown venue");
    if (!json_is_array(modules))
        return jx_fail(e, 400, "invalid_type", "modules", "modules 须为数组 / modules must be an array");
    if (!(a->modules = calloc((size_t)s->n_modules, sizeof *a->modules)))
        return jx_fail(e, 500, "out_of_memory", NULL, "out of memory");
    size_t i;
    const json_t *m;
    json_array_foreach(modules, i, m) {
        int index = json_is_string(m) ? scheme_module(s, json_string_value(m)) : -1;
        if (index < 0) {
            free(a->modules);
            return jx_fail(e, 404, "unknown_module", "modules", "未知模块 / unknown module");
        }
        a->modules[index] = true;
    }
    if (!(a->judge = strdup(judge))) {
        free(a->modules);
        return jx_fail(e, 500, "out_of_memory", NULL, "out of memory");
    }
    return 0;
}

/* A later assignment of the same judge replaces the earlier one. */
static int apply_assignment(struct competition *comp, const struct event *ev, struct jx_error *e)
{
    json_t *doc = parse_body(ev, e);
    if (!doc) return -1;
    struct assignment a = {0};
    int rc = fill_assignment(comp, doc, &a, e);
    json_decref(doc);
    if (rc != 0) return -1;
    struct assignment *old = (struct assignment *)competition_assignment(comp, a.judge);
    if (old) {
        free(old->judge);
        free(old->modules);
        *old = a;
        return 0;
    }
    struct assignment *grown =
        realloc(comp->assignments, (size_t)(comp->n_assignments + 1) * sizeof *grown);
    if (!grown) {
        free(a.judge);
        free(a.modules);
        return jx_fail(e, 500, "out_of_memory", NULL, "out of memory");
    }
    comp->assignments = grown;
    comp->assignments[comp->n_assignments++] = a;
    return 0;
}

static int apply_contestant(struct competition *comp, const struct event *ev, struct jx_error *e)
{
    json_t *doc = parse_body(ev, e);
    if (!doc) return -1;
    struct contestant c;
    int rc = contestant_from_json(doc, &comp->contest.scheme, "contestant", &c, e);
    json_decref(doc);
    if (rc == 0 && (rc = contest_add_contestant(&comp->contest, &c, e)) != 0) {
        free(c.id);
        free(c.name);
        free(c.station);
        free(c.org);
    }
    return rc;
}

static int apply_published(struct competition *comp, const struct event *ev, struct jx_error *e)
{
    json_t *doc = parse_body(ev, e);
    if (!doc) return -1;
    const json_t *published = json_object_get(doc, "published");
    int rc = json_is_boolean(published) ? 0
                                        : jx_fail(e, 400, "invalid_type", "published",
                                                  "published 须为 true 或 false / must be a boolean");
    if (rc == 0) comp->published = json_is_true(published);
    json_decref(doc);
    return rc;
}

int app_apply_event(struct app *app, const struct event *ev, struct jx_error *e)
{
    if (strcmp(ev->kind, "competition.created") == 0) return apply_created(app, ev, e);
    struct competition *comp = app_competition(app, ev->competition);
    if (!comp)
        return jx_fail(e, 404, "unknown_competition", "competition", "未知竞赛 / unknown competition");
    int rc;
    if (strcmp(ev->kind, "mark") == 0) rc = apply_mark(app, comp, ev, e);
    else if (strcmp(ev->kind, "module.locked") == 0) rc = apply_lock(comp, ev, true, e);
    else if (strcmp(ev->kind, "module.unlocked") == 0) rc = apply_lock(comp, ev, false, e);
    else if (strcmp(ev->kind, "signal") == 0) rc = apply_signal(comp, ev, e);
    else if (strcmp(ev->kind, "judge.assigned") == 0) rc = apply_assignment(comp, ev, e);
    else if (strcmp(ev->kind, "contestant.added") == 0) rc = apply_contestant(comp, ev, e);
    else if (strcmp(ev->kind, "standings.published") == 0) rc = apply_published(comp, ev, e);
    else if (strcmp(ev->kind, "rejudge.requested") == 0) rc = apply_rejudge(comp, ev, e);
    else rc = jx_fail(e, 400, "unknown_event", "kind", "未知事件类型 %s / unknown event kind", ev->kind);
    return rc;
}

struct replay {
    struct app *app;
    struct jx_error *e;
};

static int replay_one(const struct event *ev, void *arg)
{
    struct replay *r = arg;
    if (app_apply_event(r->app, ev, r->e) != 0) {
        struct jx_error why = *r->e;
        jx_fail(r->e, why.status, why.code, why.field,
                "事件 %lld 无法重放 / event %lld cannot be replayed: %.200s", (long long)ev->seq,
                (long long)ev->seq, why.message);
        return 1;
    }
    memcpy(r->app->last_hash, ev->hash, HASH_SIZE);
    r->app->last_seq = ev->seq;
    struct competition *comp = app_competition(r->app, ev->competition);
    if (comp) comp->last_seq = ev->seq;
    return 0;
}

/* The log is read once: on a second thread, which also checks its hash chain, while
 * this thread replays it (store_replay). */
int app_open(struct app *app, const char *db_path, struct jx_error *e)
{
    memset(app, 0, sizeof *app);
    if (!(app->db = store_open(db_path, e))) return -1;
    struct chain chain;
    struct replay r = {app, e};
    app->replaying = true;
    int rc = store_replay(db_path, replay_one, &r, &chain);
    app->replaying = false;
    if (rc < 0)
        rc = jx_fail(e, 500, "store_read", "db", "读取事件日志失败 / cannot read the event log");
    else if (chain.bad)
        rc = jx_fail(e, 500, "hash_mismatch", "events",
                     "事件 %lld 破坏了哈希链（被篡改、重排或缺失），请运行 jiangxing verify / event "
                     "%lld breaks the hash chain: run jiangxing verify",
                     (long long)chain.bad, (long long)chain.bad);
    for (int i = 0; rc == 0 && i < app->n_competitions; i++)
        if (contest_resume_standings(&app->competitions[i]->contest) != 0)
            rc = jx_fail(e, 500, "out_of_memory", NULL, "内存不足 / out of memory");
    if (rc != 0) {
        app_close(app);
        return -1;
    }
    return 0;
}

void app_close(struct app *app)
{
    for (int i = 0; i < app->n_competitions; i++) free_competition(app->competitions[i]);
    free(app->competitions);
    store_close(app->db);
    memset(app, 0, sizeof *app);
}
