/* Lookups, validation and release of a scheme. Validation is where the competition
 * file's rules of DESIGN §4 that need no JSON are enforced (ids, weights, ratios, ranges). */
#include "core/scheme.h"

#include <stdlib.h>
#include <string.h>

#include "core/error.h"

static const char *const kind_names[KIND_COUNT] = {"measurement", "judgement", "deduction",
                                                   "time", "auto"};

const char *criterion_kind_name(enum criterion_kind kind) { return kind_names[kind]; }

int criterion_kind_from_name(const char *name)
{
    for (int i = 0; i < KIND_COUNT; i++)
        if (strcmp(kind_names[i], name) == 0) return i;
    return -1;
}

#define FIND_BY_ID(array, count, id)                                                      \
    do {                                                                                  \
        for (int i_ = 0; i_ < (count); i_++)                                              \
            if (strcmp((array)[i_].id, (id)) == 0) return i_;                             \
        return -1;                                                                        \
    } while (0)

int scheme_group(const struct scheme *s, const char *id) { FIND_BY_ID(s->groups, s->n_groups, id); }
int scheme_venue(const struct scheme *s, const char *id) { FIND_BY_ID(s->venues, s->n_venues, id); }
int scheme_component(const struct scheme *s, const char *id)
{
    FIND_BY_ID(s->components, s->n_components, id);
}
int scheme_module(const struct scheme *s, const char *id) { FIND_BY_ID(s->modules, s->n_modules, id); }
int scheme_criterion(const struct scheme *s, const char *id)
{
    FIND_BY_ID(s->criteria, s->n_criteria, id);
}

int scheme_contestant(const struct scheme *s, const char *id)
{
    int64_t index;
    return strmap_get(&s->contestant_index, id, &index) ? (int)index : -1;
}

int scheme_add_contestant(struct scheme *s, struct contestant *c)
{
    if (scheme_contestant(s, c->id) >= 0) return -1;
    if (s->n_contestants == s->cap_contestants) {
        int cap = s->cap_contestants ? s->cap_contestants * 2 : 64;
        struct contestant *grown = realloc(s->contestants, (size_t)cap * sizeof *grown);
        if (!grown) return -1;
        s->contestants = grown;
        s->cap_contestants = cap;
    }
    int64_t other;
    bool shared = c->station[0] && strmap_get(&s->station_index, c->station, &other);
    if (strmap_put(&s->contestant_index, c->id, s->n_contestants) != 0 ||
        (c->station[0] &&
         strmap_put(&s->station_index, c->station, shared ? -2 : s->n_contestants) != 0)) {
        strmap_remove(&s->contestant_index, c->id);
        return -1;
    }
    s->contestants[s->n_contestants++] = *c;
    return 0;
}

static void release_named(struct named *items, int n)
{
    for (int i = 0; i < n; i++) {
        free(items[i].id);
        free(items[i].name);
    }
    free(items);
}

void scheme_release(struct scheme *s)
{
    free(s->id);
    free(s->title);
    release_named(s->groups, s->n_groups);
    release_named(s->venues, s->n_venues);
    for (int i = 0; i < s->n_components; i++) {
        free(s->components[i].id);
        free(s->components[i].name);
    }
    free(s->components);
    for (int i = 0; i < s->n_modules; i++) {
        free(s->modules[i].id);
        free(s->modules[i].name);
        for (int k = 0; k < s->modules[i].n_stages; k++) {
            free(s->modules[i].stages[k].id);
            free(s->modules[i].stages[k].name);
        }
        free(s->modules[i].stages);
    }
    free(s->modules);
    for (int i = 0; i < s->n_criteria; i++) {
        free(s->criteria[i].id);
        free(s->criteria[i].name);
        free(s->criteria[i].rule.signal);
        free(s->criteria[i].rule.start);
        free(s->criteria[i].rule.steps);
    }
    free(s->criteria);
    free(s->tiebreaks);
    for (int i = 0; i < s->n_awards; i++) free(s->awards[i].name);
    free(s->awards);
    for (int i = 0; i < s->n_contestants; i++) {
        struct contestant *c = &s->contestants[i];
        free(c->id);
        free(c->name);
        free(c->station);
        free(c->org);
    }
    free(s->contestants);
    strmap_release(&s->contestant_index);
    strmap_release(&s->station_index);
    memset(s, 0, sizeof *s);
}

/* Ids are unique within their kind. Every item type starts with its `char *id`, so one
 * check serves them all: items of stride bytes, count of them. O(n) with a hash map. */
static int check_unique(const void *items, size_t stride, int count, const char *what,
                        struct jx_error *e)
{
    struct strmap seen = {0};
    int rc = 0;
    for (int i = 0; i < count && rc == 0; i++) {
        const char *id = *(char *const *)((const char *)items + (size_t)i * stride);
        if (strmap_get(&seen, id, NULL))
            rc = jx_fail(e, 400, "duplicate_id", what, "重复的编号 / duplicate id \"%s\" in %s", id, what);
        else if (strmap_put(&seen, id, i) != 0)
            rc = jx_fail(e, 500, "out_of_memory", NULL, "out of memory");
    }
    strmap_release(&seen);
    return rc;
}

#define CHECK_UNIQUE(array, count, what)                                                  \
    do {                                                                                  \
        if (check_unique((array), sizeof *(array), (count), (what), e) != 0) return -1;    \
    } while (0)

#define MAX_SECONDS_LIMIT (10000000LL * MILLI) /* time limits up to 10^7 s */

/* Threshold steps: scores within 0..max, limits strictly ordered the way readings improve. */
static int validate_rule(const struct criterion *c, struct jx_error *e)
{
    const struct rule *r = &c->rule;
    if (r->start && r->signal && strcmp(r->start, r->signal) == 0)
        return jx_fail(e, 400, "invalid_rule", c->id,
                       "评分项 %s 的开始与结束信号不能相同 / a rule's two signals must differ", c->id);
    for (int i = 0; i < r->n_steps; i++) {
        if (r->steps[i].score < 0 || r->steps[i].score > c->max)
            return jx_fail(e, 400, "invalid_rule", c->id,
                           "评分项 %s 的阈值得分须在 0 到满分之间 / step scores must be within 0..max",
                           c->id);
        if (i > 0 && (r->lower_better ? r->steps[i].limit <= r->steps[i - 1].limit
                                      : r->steps[i].limit >= r->steps[i - 1].limit))
            return jx_fail(e, 400, "invalid_rule", c->id,
                           "评分项 %s 的阈值须按%s严格排列 / step limits must strictly %s", c->id,
                           r->lower_better ? "升序" : "降序",
                           r->lower_better ? "increase" : "decrease");
    }
    return 0;
}

static int validate_criteria(struct scheme *s, struct jx_error *e)
{
    for (int k = 0; k < s->n_criteria; k++) {
        struct criterion *c = &s->criteria[k];
        if (c->max <= 0 || c->max > 1000 * MILLI)
            return jx_fail(e, 400, "invalid_max", c->id,
                           "评分项 %s 的满分须在 0 到 1000 之间 / max must be in (0, 1000]", c->id);
        if (c->kind == KIND_JUDGEMENT && (c->judges < 1 || c->judges > 15))
            return jx_fail(e, 400, "invalid_judges", c->id,
                           "评分项 %s 的裁判人数须为 1–15 / judges must be 1–15", c->id);
        if (c->kind == KIND_TIME &&
            (c->full_within < 0 || c->zero_after <= c->full_within || c->zero_after > MAX_SECONDS_LIMIT))
            return jx_fail(e, 400, "invalid_time_limits", c->id,
                           "评分项 %s 须满足 0 ≤ full_within_s < zero_after_s ≤ 10000000 / "
                           "time limits must satisfy 0 <= full_within_s < zero_after_s <= 10000000",
                           c->id);
        if (validate_rule(c, e) != 0) return -1;
    }
    /* Each max is at most 1000 and there are at most MAX_CRITERIA: the sums cannot overflow. */
    for (int m = 0; m < s->n_modules; m++) {
        struct module *mod = &s->modules[m];
        if (mod->n_criteria == 0)
            return jx_fail(e, 400, "empty_module", "modules",
                           "模块 %s 没有评分项 / module %s has no criteria", mod->id, mod->id);
        mod->max = 0;
        for (int k = mod->first_criterion; k < mod->first_criterion + mod->n_criteria; k++)
            mod->max += s->criteria[k].max;
        s->components[mod->component].max += mod->max;
    }
    return 0;
}

static int validate_ranking(struct scheme *s, struct jx_error *e)
{
    int64_t weights = 0, ratios = 0;
    for (int i = 0; i < s->n_components; i++) {
        if (s->components[i].weight_micro < 0 || s->components[i].weight_micro > MICRO)
            return jx_fail(e, 400, "invalid_weight", "components",
                           "每个权重须在 0 到 1 之间 / each weight must be between 0 and 1");
        if (s->components[i].max == 0)
            return jx_fail(e, 400, "empty_component", "components",
                           "组成部分 %s 没有模块 / component %s has no modules",
                           s->components[i].id, s->components[i].id);
        weights += s->components[i].weight_micro;
    }
    if (weights != MICRO)
        return jx_fail(e, 400, "weights_not_one", "components",
                       "各组成部分权重之和须为 1 / component weights must sum to 1");
    for (int i = 0; i < s->n_awards; i++) {
        if (s->awards[i].ratio_micro < 0 || s->awards[i].ratio_micro > MICRO)
            return jx_fail(e, 400, "invalid_ratio", "ranking.awards",
                           "每个奖项比例须在 0 到 1 之间 / each award ratio must be between 0 and 1");
        ratios += s->awards[i].ratio_micro;
    }
    if (ratios > MICRO)
        return jx_fail(e, 400, "ratios_over_one", "ranking.awards",
                       "奖项比例之和不能超过 1 / award ratios must not sum to more than 1");
    return 0;
}

int scheme_validate(struct scheme *s, struct jx_error *e)
{
    CHECK_UNIQUE(s->groups, s->n_groups, "groups");
    CHECK_UNIQUE(s->venues, s->n_venues, "venues");
    CHECK_UNIQUE(s->components, s->n_components, "components");
    CHECK_UNIQUE(s->modules, s->n_modules, "modules");
    CHECK_UNIQUE(s->criteria, s->n_criteria, "criteria");
    if (s->n_components == 0 || s->n_modules == 0)
        return jx_fail(e, 400, "empty_scheme", "modules",
                       "竞赛至少需要一个组成部分和一个模块 / a competition needs components and "
                       "modules");
    for (int i = 0; i < s->n_components; i++) s->components[i].max = 0;
    if (validate_criteria(s, e) != 0) return -1;
    return validate_ranking(s, e);
}

int scheme_station(const struct scheme *s, const char *station)
{
    int64_t index;
    return station[0] && strmap_get(&s->station_index, station, &index) ? (int)index : -1;
}
