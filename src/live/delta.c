/* The delta of one commit: the contestants it marked get their whole live state; everyone
 * whose values lie between a marked contestant's old and new ones gets the ranks (and the
 * award) that may have moved. Too many moved: a snapshot is cheaper for every client. */
#include <stdlib.h>
#include <string.h>

#include "live/board.h"

#define MAX_MOVED 500 /* per scope and contestant marked */

struct before {
    int contestant;
    struct result result;
};

struct delta {
    const struct contest *contest;
    struct before *befores;
    int n, cap;
};

struct delta *delta_begin(const struct contest *contest)
{
    struct delta *d = calloc(1, sizeof *d);
    if (d) d->contest = contest;
    return d;
}

void delta_free(struct delta *d)
{
    if (!d) return;
    for (int i = 0; i < d->n; i++) {
        free(d->befores[i].result.modules);
        free(d->befores[i].result.components);
    }
    free(d->befores);
    free(d);
}

static bool touched(const struct delta *d, int contestant)
{
    for (int i = 0; i < d->n; i++)
        if (d->befores[i].contestant == contestant) return true;
    return false;
}

int delta_touch(struct delta *d, int contestant)
{
    if (!d || touched(d, contestant)) return 0;
    if (d->n == d->cap) {
        int cap = d->cap ? d->cap * 2 : 4;
        struct before *grown = realloc(d->befores, (size_t)cap * sizeof *grown);
        if (!grown) return -1;
        d->befores = grown;
        d->cap = cap;
    }
    const struct scheme *s = &d->contest->scheme;
    const struct result *now = &d->contest->results[contestant];
    struct result copy = *now;
    copy.modules = malloc(((size_t)s->n_modules + 1) * sizeof *copy.modules);
    copy.components = malloc(((size_t)s->n_components + 1) * sizeof *copy.components);
    if (!copy.modules || !copy.components) {
        free(copy.modules);
        free(copy.components);
        return -1;
    }
    memcpy(copy.modules, now->modules, (size_t)s->n_modules * sizeof *copy.modules);
    memcpy(copy.components, now->components, (size_t)s->n_components * sizeof *copy.components);
    d->befores[d->n++] = (struct before){contestant, copy};
    return 0;
}

struct visit {
    const struct delta *d;
    json_t *changed; /* contestant id → partial entry */
    struct scope scope;
    const char *scope_name;
};

static int moved(int contestant, size_t rank, void *arg)
{
    struct visit *v = arg;
    if (touched(v->d, contestant)) return 0; /* it has its whole state already */
    const struct contest *c = v->d->contest;
    const struct scheme *s = &c->scheme;
    const char *id = s->contestants[contestant].id;
    json_t *entry = json_object_get(v->changed, id);
    if (!entry) {
        entry = json_pack("{s:s, s:{}}", "id", id, "ranks");
        json_object_set_new(v->changed, id, entry);
    }
    json_object_set_new(json_object_get(entry, "ranks"), v->scope_name, json_integer((json_int_t)rank));
    struct scope award_scope = standings_award_scope(s, contestant);
    if (award_scope.kind == v->scope.kind && award_scope.index == v->scope.index) {
        int award = contest_award(c, contestant);
        json_object_set_new(entry, "award",
                            award >= 0 ? json_string(s->awards[award].name) : json_null());
    }
    return 0;
}

/* Adds the ranks that may have moved around one marked contestant; false when too many. */
static bool add_moved(struct visit *v, const struct before *b)
{
    const struct contest *c = v->d->contest;
    const struct scheme *s = &c->scheme;
    json_t *ranks = json_object_get(json_object_get(v->changed, s->contestants[b->contestant].id),
                                    "ranks");
    const char *name;
    json_t *value;
    json_object_foreach(ranks, name, value) {
        struct scope scope;
        if (!scope_parse(s, name, &scope)) continue;
        v->scope = scope;
        v->scope_name = name;
        if (standings_between(&c->standings, s, scope, &b->result, &c->results[b->contestant],
                              MAX_MOVED, moved, v) > MAX_MOVED)
            return false;
    }
    return true;
}

json_t *delta_finish(struct delta *d, int64_t seq, int64_t at_ms)
{
    if (!d) return NULL;
    const struct contest *c = d->contest;
    json_t *changed = json_object();
    for (int i = 0; i < d->n; i++) {
        int who = d->befores[i].contestant;
        json_object_set_new(changed, c->scheme.contestants[who].id, board_entry(c, who));
    }
    struct visit v = {d, changed, {SCOPE_OVERALL, 0}, NULL};
    bool small = true;
    for (int i = 0; small && i < d->n; i++) small = add_moved(&v, &d->befores[i]);
    json_t *out = NULL;
    if (small) {
        json_t *list = json_array();
        const char *id;
        json_t *entry;
        json_object_foreach(changed, id, entry) json_array_append(list, entry);
        out = json_pack("{s:I, s:I, s:o}", "seq", (json_int_t)seq, "at", (json_int_t)at_ms,
                        "changed", list);
    }
    json_decref(changed);
    delta_free(d);
    return out;
}
