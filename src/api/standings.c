/* Standings in any scope, and the score sheet of one contestant: total, ranks, each
 * module's score and rank, each criterion's score with its marks, judges and times. */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/score.h"
#include "format/standings_json.h"

static void reply_standings(struct ctx *c, struct competition *comp)
{
    char *scope_text = query_param(c, "scope");
    struct scope scope;
    const char *text = scope_text ? scope_text : "overall";
    if (!scope_parse(&comp->contest.scheme, text, &scope))
        reply_fail(c, 400, "unknown_scope", "scope",
                   "未知范围，可用 overall、group:ID、venue:ID、module:ID / unknown scope");
    else reply_json(c, 200, standings_to_json(&comp->contest, scope, text));
    free(scope_text);
}

void handle_standings(struct ctx *c)
{
    struct competition *comp = ctx_competition(c);
    if (comp && ctx_assigned(c, comp, -1, -1)) reply_standings(c, comp);
}

void handle_public_standings(struct ctx *c)
{
    struct competition *comp = ctx_competition(c);
    if (!comp) return;
    if (!comp->published)
        reply_fail(c, 403, "not_published", NULL, "成绩尚未公布 / the standings are not published yet");
    else reply_standings(c, comp);
}

struct sheet_marks {
    const char *contestant;
    json_t *by_criterion; /* criterion id → array of marks */
    json_t *voids;        /* mark key → void mark */
};

static void collect_mark(struct sheet_marks *s, const struct event *ev, json_t *mark)
{
    json_object_set_new(mark, "at_ms", json_integer(ev->at_ms));
    json_object_set_new(mark, "actor", json_string(ev->actor));
    json_object_set_new(mark, "seq", json_integer(ev->seq));
    const char *criterion = json_string_value(json_object_get(mark, "criterion"));
    const char *void_key = json_string_value(json_object_get(mark, "void"));
    if (void_key) {
        json_object_set(s->voids, void_key, mark);
    } else if (criterion) {
        json_t *list = json_object_get(s->by_criterion, criterion);
        if (!list) json_object_set_new(s->by_criterion, criterion, list = json_array());
        json_array_append(list, mark);
    }
}

/* A judge's mark, or the automatic marks of a device signal. */
static int collect_marks(const struct event *ev, void *arg)
{
    struct sheet_marks *s = arg;
    bool signal = strcmp(ev->kind, "signal") == 0;
    if ((!signal && strcmp(ev->kind, "mark") != 0) || !ev->contestant ||
        strcmp(ev->contestant, s->contestant))
        return 0;
    json_t *doc = json_loads(ev->body, 0, NULL);
    if (!doc) return 0;
    if (signal) {
        size_t i;
        json_t *mark;
        json_array_foreach(json_object_get(doc, "marks"), i, mark) collect_mark(s, ev, mark);
    } else {
        collect_mark(s, ev, doc);
    }
    json_decref(doc);
    return 0;
}

static json_t *criteria_json(const struct contest *contest, int who, struct sheet_marks *marks,
                             int m)
{
    const struct scheme *s = &contest->scheme;
    const struct module *mod = &s->modules[m];
    json_t *list = json_array();
    for (int k = mod->first_criterion; k < mod->first_criterion + mod->n_criteria; k++) {
        const struct criterion *crit = &s->criteria[k];
        const struct cell *cell = contest_cell(contest, who, k);
        json_t *item = criterion_json(crit);
        json_t *history = json_object_get(marks->by_criterion, crit->id);
        size_t i;
        json_t *mark;
        json_array_foreach(history, i, mark) {
            json_t *voided = json_object_get(marks->voids,
                                             json_string_value(json_object_get(mark, "key")));
            if (voided) json_object_set(mark, "voided_by", voided);
        }
        json_object_set_new(item, "score", score_to_json(score_cell(crit, cell)));
        json_object_set_new(item, "complete", json_boolean(cell_complete(crit, cell)));
        json_object_set_new(item, "disputed", json_boolean(cell_disputed(crit, cell)));
        json_object_set(item, "marks", history ? history : json_array());
        if (!history) json_decref(json_object_get(item, "marks"));
        json_array_append_new(list, item);
    }
    return list;
}

void handle_sheet(struct ctx *c)
{
    struct competition *comp = ctx_competition(c);
    if (!comp) return;
    const struct contest *contest = &comp->contest;
    const struct scheme *s = &contest->scheme;
    int who = scheme_contestant(s, c->params[1]);
    if (who < 0) {
        reply_fail(c, 404, "unknown_contestant", "contestant", "未知选手 / unknown contestant");
        return;
    }
    if (!ctx_assigned(c, comp, -1, who)) return;
    const struct result *r = &contest->results[who];
    const struct contestant *person = &s->contestants[who];
    struct sheet_marks marks = {person->id, json_object(), json_object()};
    store_each_event(c->app->db, 0, s->id, person->id, collect_marks, &marks);
    json_t *modules = json_array();
    for (int m = 0; m < s->n_modules; m++) {
        struct scope scope = {SCOPE_MODULE, m};
        json_array_append_new(
            modules, json_pack("{s:s, s:s, s:o, s:o, s:I, s:b, s:o}", "id", s->modules[m].id, "name",
                               s->modules[m].name, "score", score_to_json(r->modules[m]), "max",
                               score_to_json(s->modules[m].max), "rank",
                               (json_int_t)standings_rank(&contest->standings, s, scope, who, r),
                               "locked", contest->locked[m], "criteria",
                               criteria_json(contest, who, &marks, m)));
    }
    struct scope overall = {SCOPE_OVERALL, 0}, group = {SCOPE_GROUP, person->group};
    int award = contest_award(contest, who);
    json_t *sheet = json_pack(
        "{s:s, s:s, s:{s:s, s:s, s:s, s:s, s:s, s:s}, s:o, s:I, s:I, s:I, s:b, s:o}", "competition",
        s->id, "title", s->title, "contestant", "id", person->id, "name", person->name, "group",
        s->groups[person->group].name, "venue", s->venues[person->venue].name, "station",
        person->station, "org", person->org, "total", score_to_json(r->total), "rank",
        (json_int_t)standings_rank(&contest->standings, s, overall, who, r), "group_rank",
        (json_int_t)standings_rank(&contest->standings, s, group, who, r), "field",
        (json_int_t)s->n_contestants, "complete", contest_complete(contest, who), "modules",
        modules);
    if (award >= 0) json_object_set_new(sheet, "award", json_string(s->awards[award].name));
    json_decref(marks.by_criterion);
    json_decref(marks.voids);
    reply_json(c, 200, sheet);
}
