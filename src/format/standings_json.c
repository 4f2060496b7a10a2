/* Building standings documents from a contest. Scores leave the integer world only
 * here, as doubles that print back to the same three-decimal text. */
#include "format/standings_json.h"

json_t *score_to_json(milli_t m) { return json_real((double)m / MILLI); }

json_t *standings_entry_json(const struct contest *c, int contestant, size_t rank)
{
    const struct scheme *s = &c->scheme;
    const struct result *r = &c->results[contestant];
    json_t *modules = json_object();
    for (int m = 0; m < s->n_modules; m++)
        json_object_set_new(modules, s->modules[m].id, score_to_json(r->modules[m]));
    json_t *entry = json_pack("{s:I, s:s, s:o, s:b, s:o}", "rank",
                              (json_int_t)rank,
                              "contestant", s->contestants[contestant].id, "total",
                              score_to_json(r->total), "complete", contest_complete(c, contestant),
                              "modules", modules);
    int award = contest_award(c, contestant);
    if (entry && award >= 0) json_object_set_new(entry, "award", json_string(s->awards[award].name));
    return entry;
}

struct listing {
    const struct contest *contest;
    json_t *entries;
};

static int add_entry(int contestant, size_t rank, void *arg)
{
    struct listing *l = arg;
    json_t *entry = standings_entry_json(l->contest, contestant, rank);
    return entry ? json_array_append_new(l->entries, entry) : -1;
}

json_t *standings_to_json(const struct contest *c, struct scope scope, const char *scope_text)
{
    struct listing l = {c, json_array()};
    if (!l.entries || standings_each(&c->standings, scope, add_entry, &l) != 0) {
        json_decref(l.entries);
        return NULL;
    }
    return json_pack("{s:s, s:s, s:o}", "competition", c->scheme.id, "scope", scope_text,
                     "entries", l.entries);
}
