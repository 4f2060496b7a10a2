/* The board: every contestant's live state. Ranks come from the standings trees, progress
 * from which criteria of each module have a mark. */
#include "live/board.h"

#include <stdio.h>

#include "core/score.h"
#include "format/standings_json.h"

/* Milliseconds each passed stage took (from the module's start or the stage before); null
 * where a time is unknown (marks without a server time, from `jiangxing score`). */
static json_t *stage_times(const int64_t *clock, int passed)
{
    json_t *times = json_array();
    for (int k = 0; k < passed; k++) {
        int64_t from = clock[k], to = clock[1 + k];
        json_array_append_new(times, from && to && to >= from ? json_integer((json_int_t)(to - from))
                                                              : json_null());
    }
    return times;
}

/* "overall", "group:W", "venue:wz", "module:A": the scope's name in the API. */
static void scope_name(const struct scheme *s, struct scope scope, char out[80])
{
    switch (scope.kind) {
    case SCOPE_OVERALL: snprintf(out, 80, "overall"); break;
    case SCOPE_GROUP: snprintf(out, 80, "group:%s", s->groups[scope.index].id); break;
    case SCOPE_VENUE: snprintf(out, 80, "venue:%s", s->venues[scope.index].id); break;
    case SCOPE_MODULE: snprintf(out, 80, "module:%s", s->modules[scope.index].id); break;
    }
}

static const char *module_progress(const struct contest *c, int contestant, int m)
{
    const struct module *mod = &c->scheme.modules[m];
    int marked = 0;
    for (int k = mod->first_criterion; k < mod->first_criterion + mod->n_criteria; k++)
        marked += contest_cell(c, contestant, k)->marked;
    return marked == 0 ? "todo" : marked == mod->n_criteria ? "done" : "active";
}

/* The scopes a contestant is ranked in: overall, group, venue, then every module. */
static int contestant_scopes(const struct scheme *s, int contestant, struct scope *out)
{
    const struct contestant *who = &s->contestants[contestant];
    int n = 0;
    out[n++] = (struct scope){SCOPE_OVERALL, 0};
    out[n++] = (struct scope){SCOPE_GROUP, who->group};
    out[n++] = (struct scope){SCOPE_VENUE, who->venue};
    for (int m = 0; m < s->n_modules; m++) out[n++] = (struct scope){SCOPE_MODULE, m};
    return n;
}

json_t *board_entry(const struct contest *contest, int contestant)
{
    const struct scheme *s = &contest->scheme;
    const struct result *r = &contest->results[contestant];
    json_t *modules = json_object(), *progress = json_object(), *ranks = json_object();
    for (int m = 0; m < s->n_modules; m++) {
        json_object_set_new(modules, s->modules[m].id, score_to_json(r->modules[m]));
        json_object_set_new(progress, s->modules[m].id,
                            json_string(module_progress(contest, contestant, m)));
    }
    struct scope scopes[3 + s->n_modules];
    int n = contestant_scopes(s, contestant, scopes);
    for (int i = 0; i < n; i++) {
        char name[80];
        scope_name(s, scopes[i], name);
        json_object_set_new(
            ranks, name,
            json_integer((json_int_t)standings_rank(&contest->standings, s, scopes[i], contestant, r)));
    }
    int award = contest_award(contest, contestant);
    json_t *entry = json_pack("{s:s, s:o, s:b, s:o, s:o, s:o, s:o}", "id",
                              s->contestants[contestant].id, "total", score_to_json(r->total),
                              "complete", contest_complete(contest, contestant), "award",
                              award >= 0 ? json_string(s->awards[award].name) : json_null(),
                              "modules", modules, "progress", progress, "ranks", ranks);
    json_t *stages = json_object();
    for (int m = 0; m < s->n_modules; m++) {
        const struct module *mod = &s->modules[m];
        if (mod->n_stages == 0) continue;
        int current = stage_current(s, contest_cell(contest, contestant, 0), mod);
        const int64_t *clock = contest_stage_clock(contest, contestant, m);
        json_t *stage = json_pack("{s:o, s:i, s:i, s:o}", "current",
                                  current < mod->n_stages ? json_string(mod->stages[current].id)
                                                          : json_null(),
                                  "passed", current, "of", mod->n_stages, "times",
                                  stage_times(clock, current));
        if (current < mod->n_stages && clock[current])
            json_object_set_new(stage, "since", json_integer((json_int_t)clock[current]));
        if (current < mod->n_stages && stage_marked(s, contest_cell(contest, contestant, 0),
                                                    &mod->stages[current]))
            json_object_set_new(stage, "failed", json_true()); /* marked in full, below pass */
        json_object_set_new(stages, mod->id, stage);
    }
    if (json_object_size(stages)) json_object_set_new(entry, "stages", stages);
    else json_decref(stages);
    return entry;
}

static json_t *named_list(const struct named *items, int n)
{
    json_t *list = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(list, json_pack("{s:s, s:s}", "id", items[i].id, "name", items[i].name));
    return list;
}

json_t *board_json(const struct competition *comp, int64_t seq)
{
    const struct contest *contest = &comp->contest;
    const struct scheme *s = &contest->scheme;
    json_t *modules = json_array(), *awards = json_array(), *contestants = json_array();
    for (int m = 0; m < s->n_modules; m++) {
        const struct module *mod = &s->modules[m];
        json_t *item = json_pack("{s:s, s:s, s:o, s:b}", "id", mod->id, "name", mod->name, "max",
                                 score_to_json(mod->max), "locked", contest->locked[m]);
        if (mod->n_stages) {
            json_t *stages = json_array();
            for (int k = 0; k < mod->n_stages; k++) {
                const struct stage *st = &mod->stages[k];
                json_t *criteria = json_array();
                for (int c = st->first_criterion; c < st->first_criterion + st->n_criteria; c++)
                    json_array_append_new(criteria, json_string(s->criteria[c].id));
                json_array_append_new(stages, json_pack("{s:s, s:s, s:o}", "id", st->id, "name",
                                                        st->name, "criteria", criteria));
            }
            json_object_set_new(item, "stages", stages);
        }
        json_array_append_new(modules, item);
    }
    for (int a = 0; a < s->n_awards; a++) json_array_append_new(awards, json_string(s->awards[a].name));
    for (int i = 0; i < s->n_contestants; i++) {
        const struct contestant *who = &s->contestants[i];
        json_t *entry = board_entry(contest, i);
        if (json_is_null(json_object_get(entry, "award"))) json_object_del(entry, "award");
        json_object_set_new(entry, "name", json_string(who->name));
        json_object_set_new(entry, "org", json_string(who->org));
        json_object_set_new(entry, "group", json_string(s->groups[who->group].id));
        json_object_set_new(entry, "venue", json_string(s->venues[who->venue].id));
        json_object_set_new(entry, "station", json_string(who->station));
        json_array_append_new(contestants, entry);
    }
    return json_pack("{s:s, s:s, s:I, s:b, s:o, s:o, s:o, s:o, s:o}", "competition", s->id, "title",
                     s->title, "seq", (json_int_t)seq, "published", comp->published, "groups",
                     named_list(s->groups, s->n_groups), "venues",
                     named_list(s->venues, s->n_venues), "modules", modules, "awards", awards,
                     "contestants", contestants);
}
