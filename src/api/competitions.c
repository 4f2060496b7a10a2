/* Competitions: list, create from the competition file, read the scheme, the judge's
 * own view (assigned contestants and criteria, own marks), assignments, publication. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/command.h"
#include "core/score.h"
#include "format/standings_json.h"

static const char *const deduction_reasons[] = {
    "未佩戴安全防护用品", "工具摆放不规范", "操作顺序错误", "未按图接线",
    "现场未清理",         "损坏器件",       "超时操作",     "安全操作不规范"};

void handle_list_competitions(struct ctx *c)
{
    json_t *list = json_array();
    for (int i = 0; i < c->app->n_competitions; i++) {
        const struct scheme *s = &c->app->competitions[i]->contest.scheme;
        json_array_append_new(list, json_pack("{s:s, s:s, s:i, s:b}", "id", s->id, "title",
                                              s->title, "contestants", s->n_contestants,
                                              "published", c->app->competitions[i]->published));
    }
    reply_json(c, 200, json_pack("{s:o}", "competitions", list));
}

void handle_create_competition(struct ctx *c)
{
    json_t *doc = body_json(c);
    if (!doc) return;
    const char *id = json_string_value(json_object_get(doc, "id"));
    char *body = json_dumps(doc, JX_BODY_FLAGS);
    struct commit *commit = NULL;
    if (!id || !body) reply_fail(c, 400, "missing_field", "id", "缺少竞赛编号 id / id is required");
    else if ((commit = apply_command(c, id, "competition.created", body))) {
        const struct competition *comp = app_competition(c->app, id);
        for (int i = 0; i < comp->contest.scheme.n_contestants; i++)
            if (commit_result(commit, comp, i) != 0) abort(); /* applied: must commit */
        reply_when_durable(c, commit, 201, json_pack("{s:s}", "id", id));
    }
    free(body);
    json_decref(doc);
}

json_t *criterion_json(const struct criterion *k)
{
    json_t *j = json_pack("{s:s, s:s, s:s, s:o}", "id", k->id, "name", *k->name ? k->name : k->id,
                          "kind", criterion_kind_name(k->kind), "max", score_to_json(k->max));
    if (k->kind == KIND_JUDGEMENT) json_object_set_new(j, "judges", json_integer(k->judges));
    if (k->kind == KIND_TIME) {
        json_object_set_new(j, "full_within_s", score_to_json(k->full_within));
        json_object_set_new(j, "zero_after_s", score_to_json(k->zero_after));
    }
    return j;
}

static json_t *module_json(const struct competition *comp, int m)
{
    const struct scheme *s = &comp->contest.scheme;
    const struct module *mod = &s->modules[m];
    json_t *criteria = json_array();
    for (int k = mod->first_criterion; k < mod->first_criterion + mod->n_criteria; k++)
        json_array_append_new(criteria, criterion_json(&s->criteria[k]));
    return json_pack("{s:s, s:s, s:s, s:o, s:b, s:o}", "id", mod->id, "name", mod->name,
                     "component", s->components[mod->component].id, "max", score_to_json(mod->max),
                     "locked", comp->contest.locked[m], "criteria", criteria);
}

static json_t *contestant_json(const struct scheme *s, int i)
{
    const struct contestant *who = &s->contestants[i];
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "id", who->id, "name", who->name, "group",
                     s->groups[who->group].id, "venue", s->venues[who->venue].id, "station",
                     who->station, "org", who->org);
}

static json_t *named_json(const struct named *items, int n)
{
    json_t *list = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(list, json_pack("{s:s, s:s}", "id", items[i].id, "name", items[i].name));
    return list;
}

void handle_get_competition(struct ctx *c)
{
    struct competition *comp = ctx_competition(c);
    if (!comp || !ctx_assigned(c, comp, -1, -1)) return;
    const struct scheme *s = &comp->contest.scheme;
    json_t *modules = json_array(), *contestants = json_array(), *components = json_array();
    for (int m = 0; m < s->n_modules; m++) json_array_append_new(modules, module_json(comp, m));
    for (int i = 0; i < s->n_contestants; i++)
        json_array_append_new(contestants, contestant_json(s, i));
    for (int i = 0; i < s->n_components; i++)
        json_array_append_new(components,
                              json_pack("{s:s, s:s, s:f}", "id", s->components[i].id, "name",
                                        s->components[i].name,
                                        "weight", (double)s->components[i].weight_micro / 1e6));
    reply_json(c, 200,
               json_pack("{s:s, s:s, s:b, s:o, s:o, s:o, s:o, s:o}", "id", s->id, "title", s->title,
                         "published", comp->published, "groups", named_json(s->groups, s->n_groups),
                         "venues", named_json(s->venues, s->n_venues), "components", components,
                         "modules", modules, "contestants", contestants));
}

struct own_marks {
    const char *judge;
    json_t *list;
};

/* The judge's marks: those they posted and those keyed in for them under their name. */
static int collect_own_mark(const struct event *ev, void *arg)
{
    struct own_marks *o = arg;
    if (strcmp(ev->kind, "mark") != 0) return 0;
    json_t *mark = json_loads(ev->body, 0, NULL);
    const char *judge = json_string_value(json_object_get(mark, "judge"));
    if (!mark || (strcmp(ev->actor, o->judge) != 0 && (!judge || strcmp(judge, o->judge) != 0))) {
        json_decref(mark);
        return 0;
    }
    json_object_set_new(mark, "at_ms", json_integer(ev->at_ms));
    json_array_append_new(o->list, mark);
    return 0;
}

void handle_judge_view(struct ctx *c)
{
    struct competition *comp = ctx_competition(c);
    if (!comp) return;
    const struct scheme *s = &comp->contest.scheme;
    const struct assignment *a = competition_assignment(comp, c->session->username);
    if (!a) {
        reply_fail(c, 403, "not_assigned", NULL, "您未被分配到本竞赛 / you are not assigned to this competition");
        return;
    }
    json_t *modules = json_array(), *contestants = json_array();
    for (int m = 0; m < s->n_modules; m++)
        if (a->modules[m]) json_array_append_new(modules, module_json(comp, m));
    for (int i = 0; i < s->n_contestants; i++)
        if (a->venue < 0 || s->contestants[i].venue == a->venue)
            json_array_append_new(contestants, contestant_json(s, i));
    json_t *cells = json_array();
    for (int i = 0; i < s->n_contestants; i++)
        for (int k = 0; k < s->n_criteria; k++) {
            const struct criterion *crit = &s->criteria[k];
            const struct cell *cell = contest_cell(&comp->contest, i, k);
            if (!cell->marked || !assignment_allows(comp, a, i, k)) continue;
            json_t *item = json_pack("{s:s, s:s, s:o, s:b}", "contestant", s->contestants[i].id,
                                     "criterion", crit->id, "score", score_to_json(score_cell(crit, cell)),
                                     "complete", cell_complete(crit, cell));
            if (crit->kind == KIND_TIME) json_object_set_new(item, "seconds", score_to_json(cell->value));
            else if (crit->kind != KIND_JUDGEMENT && crit->kind != KIND_DEDUCTION)
                json_object_set_new(item, "value", score_to_json(cell->value));
            json_array_append_new(cells, item);
        }
    json_t *reasons = json_array();
    for (size_t i = 0; i < sizeof deduction_reasons / sizeof *deduction_reasons; i++)
        json_array_append_new(reasons, json_string(deduction_reasons[i]));
    struct own_marks own = {c->session->username, json_array()};
    store_each_event(c->app->db, 0, s->id, NULL, collect_own_mark, &own);
    json_t *venue = a->venue >= 0 ? json_pack("{s:s, s:s}", "id", s->venues[a->venue].id, "name",
                                              s->venues[a->venue].name)
                                  : json_pack("{s:s, s:s}", "id", "*", "name", "全部赛场");
    reply_json(c, 200,
               json_pack("{s:{s:s, s:s}, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "competition",
                         "id", s->id, "title", s->title, "judge", c->session->username, "venue",
                         venue, "modules", modules, "contestants", contestants, "marks", own.list,
                         "cells", cells, "deduction_reasons", reasons, "rejudge",
                         rejudges_json(comp, a)));
}

void handle_assign(struct ctx *c)
{
    struct competition *comp = ctx_competition(c);
    json_t *doc = comp ? body_json(c) : NULL;
    if (!doc) return;
    char *body = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
    run_command(c, comp->contest.scheme.id, "judge.assigned", body, 200, json_pack("{s:b}", "ok", 1));
    free(body);
    json_decref(doc);
}

void handle_publish(struct ctx *c)
{
    struct competition *comp = ctx_competition(c);
    json_t *doc = comp ? body_json(c) : NULL;
    if (!doc) return;
    char *body = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
    run_command(c, comp->contest.scheme.id, "standings.published", body, 200,
                json_pack("{s:b}", "ok", 1));
    free(body);
    json_decref(doc);
}

void handle_list_assignments(struct ctx *c)
{
    struct competition *comp = ctx_competition(c);
    if (!comp) return;
    const struct scheme *s = &comp->contest.scheme;
    json_t *list = json_array();
    for (int i = 0; i < comp->n_assignments; i++) {
        const struct assignment *a = &comp->assignments[i];
        json_t *modules = json_array();
        for (int m = 0; m < s->n_modules; m++)
            if (a->modules[m]) json_array_append_new(modules, json_string(s->modules[m].id));
        json_array_append_new(list, json_pack("{s:s, s:s, s:o}", "judge", a->judge, "venue",
                                              a->venue >= 0 ? s->venues[a->venue].id : "*",
                                              "modules", modules));
    }
    reply_json(c, 200, json_pack("{s:o}", "assignments", list));
}
