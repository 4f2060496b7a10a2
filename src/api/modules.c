/* The chief judge's module actions: sign off (lock), unlock with a reason, and the
 * review of disputed judgements and incomplete criteria per module. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/command.h"
#include "core/score.h"

static void change_lock(struct ctx *c, const char *kind)
{
    struct competition *comp = ctx_competition(c);
    if (!comp) return;
    int module = scheme_module(&comp->contest.scheme, c->params[1]);
    if (module >= 0 && !ctx_assigned(c, comp, module, -1)) return;
    json_t *doc = c->body_len ? body_json(c) : json_object();
    if (!doc) return;
    json_object_set_new(doc, "module", json_string(c->params[1]));
    char *body = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
    run_command(c, comp->contest.scheme.id, kind, body, 200,
                json_pack("{s:s, s:b}", "module", c->params[1], "locked", strcmp(kind, "module.locked") == 0));
    free(body);
    json_decref(doc);
}

void handle_lock(struct ctx *c) { change_lock(c, "module.locked"); }
void handle_unlock(struct ctx *c) { change_lock(c, "module.unlocked"); }

void handle_rejudge(struct ctx *c)
{
    struct competition *comp = ctx_competition(c);
    json_t *doc = comp ? body_json(c) : NULL;
    if (!doc) return;
    const struct scheme *s = &comp->contest.scheme;
    const char *who = json_string_value(json_object_get(doc, "contestant"));
    const char *what = json_string_value(json_object_get(doc, "criterion"));
    int contestant = who ? scheme_contestant(s, who) : -1, criterion = what ? scheme_criterion(s, what) : -1;
    if (contestant >= 0 && criterion >= 0 &&
        !ctx_assigned(c, comp, s->criteria[criterion].module, contestant)) {
        json_decref(doc);
        return;
    }
    json_t *body = json_pack("{s:O?, s:O?, s:O?}", "contestant", json_object_get(doc, "contestant"),
                             "criterion", json_object_get(doc, "criterion"), "note",
                             json_object_get(doc, "note"));
    char *text = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
    run_command(c, s->id, "rejudge.requested", text, 200, json_pack("{s:b}", "ok", 1));
    free(text);
    json_decref(body);
    json_decref(doc);
}

json_t *rejudges_json(const struct competition *comp, const struct assignment *only)
{
    const struct scheme *s = &comp->contest.scheme;
    json_t *list = json_array();
    for (int i = 0; i < comp->n_rejudges; i++) {
        const struct rejudge *r = &comp->rejudges[i];
        if (!r->open || (only && !assignment_allows(comp, only, r->contestant, r->criterion))) continue;
        json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s}", "contestant",
                                              s->contestants[r->contestant].id, "criterion",
                                              s->criteria[r->criterion].id, "note", r->note, "by", r->by));
    }
    return list;
}

void handle_review(struct ctx *c)
{
    struct competition *comp = ctx_competition(c);
    if (!comp || !ctx_assigned(c, comp, -1, -1)) return;
    const struct contest *contest = &comp->contest;
    const struct scheme *s = &contest->scheme;
    json_t *modules = json_array();
    for (int m = 0; m < s->n_modules; m++) {
        const struct module *mod = &s->modules[m];
        json_t *disputed = json_array(), *incomplete = json_array();
        for (int i = 0; i < s->n_contestants; i++)
            for (int k = mod->first_criterion; k < mod->first_criterion + mod->n_criteria; k++) {
                const struct cell *cell = contest_cell(contest, i, k);
                json_t *item = json_pack("{s:s, s:s}", "contestant", s->contestants[i].id,
                                         "criterion", s->criteria[k].id);
                if (cell_disputed(&s->criteria[k], cell)) json_array_append(disputed, item);
                if (!cell_complete(&s->criteria[k], cell)) json_array_append(incomplete, item);
                json_decref(item);
            }
        json_array_append_new(modules, json_pack("{s:s, s:s, s:b, s:o, s:I, s:o}", "id", mod->id,
                                                 "name", mod->name, "locked", contest->locked[m],
                                                 "disputed", disputed, "incomplete_count",
                                                 (json_int_t)json_array_size(incomplete),
                                                 "incomplete", incomplete));
    }
    reply_json(c, 200, json_pack("{s:s, s:o, s:o}", "competition", s->id, "modules", modules,
                                 "rejudge", rejudges_json(comp, NULL)));
}
