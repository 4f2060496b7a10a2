/* POST /competitions/{id}/marks: a batch of marks, all or nothing, each checked against
 * the caller's assignment, answered {"accepted","duplicates"} once durable. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/command.h"
#include "format/standings_json.h"
#include "live/board.h"

#define MAX_MARKS 1000

/* A judge marks only as themself, only assigned venues and modules (403 otherwise). */
static int authorize(struct ctx *c, const struct competition *comp, json_t *mark, int i,
                     struct jx_error *e)
{
    if (c->session->role >= ROLE_ORGANISER) return 0;
    const struct scheme *s = &comp->contest.scheme;
    const char *judge = json_string_value(json_object_get(mark, "judge"));
    char field[48];
    snprintf(field, sizeof field, "marks[%d].judge", i);
    if (judge && strcmp(judge, c->session->username) != 0)
        return jx_fail(e, 403, "not_your_mark", field,
                       "裁判只能以本人名义评分 / a judge marks only as themself");
    if (!json_object_get(mark, "judge"))
        json_object_set_new(mark, "judge", json_string(c->session->username));
    const char *void_key = json_string_value(json_object_get(mark, "void"));
    int contestant, criterion;
    if (void_key) {
        int64_t k;
        if (!strmap_get(&comp->contest.keys, void_key, &k)) return 0; /* the core says 404 */
        contestant = comp->contest.key_records[k].contestant;
        criterion = comp->contest.key_records[k].criterion;
    } else {
        const char *who = json_string_value(json_object_get(mark, "contestant"));
        const char *what = json_string_value(json_object_get(mark, "criterion"));
        contestant = who ? scheme_contestant(s, who) : -1;
        criterion = what ? scheme_criterion(s, what) : -1;
        if (contestant < 0 || criterion < 0) return 0; /* unknown ids: the core says 404 */
    }
    snprintf(field, sizeof field, "marks[%d]", i);
    if (!assignment_allows(comp, competition_assignment(comp, c->session->username), contestant,
                           criterion))
        return jx_fail(e, 403, "not_assigned", field,
                       "该选手或评分项不在您的分配范围内 / this contestant or criterion is not "
                       "assigned to you");
    return 0;
}

/* The contestant a committed mark concerns (a void's is its deduction's). */
static int mark_contestant(const struct competition *comp, json_t *mark)
{
    const char *void_key = json_string_value(json_object_get(mark, "void"));
    int64_t k;
    if (void_key && strmap_get(&comp->contest.keys, void_key, &k))
        return comp->contest.key_records[k].contestant;
    const char *who = json_string_value(json_object_get(mark, "contestant"));
    return who ? scheme_contestant(&comp->contest.scheme, who) : -1;
}

static void commit_marks(struct ctx *c, struct competition *comp, json_t **marks, int n,
                         const int *outcomes, int64_t at_ms, struct delta *delta)
{
    struct commit *commit = commit_begin(c->app);
    if (!commit) abort();
    commit_set_time(commit, at_ms);
    int accepted = 0;
    for (int i = 0; i < n; i++) {
        if (outcomes[i] != APPLY_ACCEPTED) continue;
        accepted++;
        int contestant = mark_contestant(comp, marks[i]);
        char *body = json_dumps(marks[i], JX_BODY_FLAGS);
        if (!body || contestant < 0 ||
            commit_event(commit, comp->contest.scheme.id, "mark", c->session->username,
                         json_string_value(json_object_get(marks[i], "key")),
                         comp->contest.scheme.contestants[contestant].id, body) != 0 ||
            commit_result(commit, comp, contestant) != 0)
            abort(); /* applied in memory: committing is the only way forward */
        free(body);
    }
    if (accepted) {
        json_t *frame = delta_finish(delta, c->app->last_seq, now_ms());
        if (commit_frame(commit, comp->contest.scheme.id, frame ? "standings" : "reset",
                         frame ? frame : json_object(), false) != 0)
            abort();
    } else {
        delta_free(delta);
    }
    reply_when_durable(c, commit, 200,
                       json_pack("{s:i, s:i}", "accepted", accepted, "duplicates", n - accepted));
}

void handle_post_marks(struct ctx *c)
{
    struct competition *comp = ctx_competition(c);
    json_t *doc = comp ? body_json(c) : NULL;
    if (!doc) return;
    json_t *list = json_object_get(doc, "marks");
    size_t n = json_array_size(list);
    struct jx_error e;
    if (!json_is_array(list) || n == 0 || n > MAX_MARKS) {
        reply_fail(c, 400, "invalid_marks", "marks", "marks 须为 1–1000 条评分的数组 / marks must be an array of 1–1000 marks");
        json_decref(doc);
        return;
    }
    json_t **marks = calloc(n, sizeof *marks);
    int *outcomes = calloc(n, sizeof *outcomes), failed = -1, rc = marks && outcomes ? 0 : -1;
    if (rc != 0) jx_fail(&e, 500, "out_of_memory", NULL, "out of memory");
    for (size_t i = 0; rc == 0 && i < n; i++) {
        marks[i] = json_array_get(list, i);
        if (!json_is_object(marks[i]))
            rc = jx_fail(&e, 400, "invalid_type", "marks", "每条评分须为对象 / each mark must be an object");
        else rc = authorize(c, comp, marks[i], (int)i, &e);
    }
    struct delta *delta = rc == 0 && app_watched(c->app, comp->contest.scheme.id)
                              ? delta_begin(&comp->contest) : NULL;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        int who = mark_contestant(comp, marks[i]);
        if (who >= 0 && delta_touch(delta, who) != 0)
            rc = jx_fail(&e, 500, "out_of_memory", NULL, "out of memory");
    }
    int64_t at_ms = now_ms();
    if (rc == 0) rc = app_apply_marks(c->app, comp, marks, (int)n, at_ms, outcomes, &failed, &e);
    if (rc != 0) {
        delta_free(delta);
        if (failed >= 0 && strncmp(e.field, "marks[", 6) != 0) {
            char field[sizeof e.field];
            snprintf(field, sizeof field, "marks[%d].%.100s", failed, e.field);
            snprintf(e.field, sizeof e.field, "%s", field);
        }
        reply_error(c, &e);
    } else {
        commit_marks(c, comp, marks, (int)n, outcomes, at_ms, delta);
    }
    free(marks);
    free(outcomes);
    json_decref(doc);
}
