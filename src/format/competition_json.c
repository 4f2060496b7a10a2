/* The competition file parser: shape and types here, domain invariants in scheme_validate.
 * Unknown members are ignored so that later extensions keep older readers working. */
#include "format/competition_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"

#define MAX_NAME 200
#define MAX_ITEMS 1000    /* groups, venues */
#define MAX_CONTESTANTS 1000000

bool id_is_valid(const char *id)
{
    size_t n = strlen(id);
    if (n == 0 || n > 64) return false;
    for (const char *p = id; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '_' || *p == '.' || *p == '-'))
            return false;
    return true;
}

static int get_string(const json_t *obj, const char *key, const char *field, bool required,
                      size_t max, char **out, struct jx_error *e)
{
    char path[128];
    snprintf(path, sizeof path, "%s%s%s", field, *field ? "." : "", key);
    const json_t *v = json_object_get(obj, key);
    if (!v) {
        if (required)
            return jx_fail(e, 400, "missing_field", path, "缺少字段 %s / %s is required", path, path);
        *out = strdup("");
        return *out ? 0 : jx_fail(e, 500, "out_of_memory", NULL, "out of memory");
    }
    if (!json_is_string(v))
        return jx_fail(e, 400, "invalid_type", path, "%s 须为字符串 / %s must be a string", path, path);
    if (utf8_length(json_string_value(v)) > max ||
        strlen(json_string_value(v)) != json_string_length(v))
        return jx_fail(e, 400, "too_long", path, "%s 过长 / %s is too long (max %zu)", path, path, max);
    *out = strdup(json_string_value(v));
    return *out ? 0 : jx_fail(e, 500, "out_of_memory", NULL, "out of memory");
}

static int get_id(const json_t *obj, const char *field, char **out, struct jx_error *e)
{
    if (get_string(obj, "id", field, true, 64, out, e) != 0) return -1;
    if (!id_is_valid(*out))
        return jx_fail(e, 400, "invalid_id", field,
                       "%s.id 只能含字母、数字、_ . -（≤64） / ids use A-Z a-z 0-9 _ . - (max 64)",
                       field);
    return 0;
}

static int get_number(const json_t *obj, const char *key, const char *field, bool micro,
                      int64_t *out, struct jx_error *e)
{
    char path[128];
    snprintf(path, sizeof path, "%s.%s", field, key);
    const json_t *v = json_object_get(obj, key);
    if (!v) return jx_fail(e, 400, "missing_field", path, "缺少字段 %s / %s is required", path, path);
    if (!json_is_number(v))
        return jx_fail(e, 400, "invalid_type", path, "%s 须为数字 / %s must be a number", path, path);
    bool ok = micro ? micro_from_double(json_number_value(v), out)
                    : milli_from_double(json_number_value(v), out);
    if (!ok)
        return jx_fail(e, 400, "too_many_decimals", path, "%s 的小数位过多 / %s has too many decimals",
                       path, path);
    return 0;
}

/* The array member key of obj: required ones must be non-empty; absent optional ones
 * give *out = NULL and *count = 0. */
static int get_array(const json_t *obj, const char *key, bool required, int max,
                     const json_t **out, int *count, struct jx_error *e)
{
    const json_t *v = json_object_get(obj, key);
    *out = NULL;
    *count = 0;
    if (!v && !required) return 0;
    if (!json_is_array(v) || (required && json_array_size(v) == 0))
        return jx_fail(e, 400, "invalid_type", key, "%s 须为非空数组 / %s must be a non-empty array",
                       key, key);
    if (json_array_size(v) > (size_t)max)
        return jx_fail(e, 400, "too_many", key, "%s 的条目过多 / %s has too many items", key, key);
    for (size_t i = 0; i < json_array_size(v); i++)
        if (!json_is_object(json_array_get(v, i)))
            return jx_fail(e, 400, "invalid_type", key, "%s[%zu] 须为对象 / %s[%zu] must be an object",
                           key, i, key, i);
    *out = v;
    *count = (int)json_array_size(v);
    return 0;
}

static int parse_named(const json_t *doc, const char *key, struct named **out, int *n,
                       struct jx_error *e)
{
    const json_t *items;
    if (get_array(doc, key, true, MAX_ITEMS, &items, n, e) != 0) return -1;
    if (!(*out = calloc((size_t)*n, sizeof **out))) return jx_fail(e, 500, "out_of_memory", NULL, "oom");
    for (int i = 0; i < *n; i++) {
        char field[64];
        snprintf(field, sizeof field, "%s[%d]", key, i);
        const json_t *item = json_array_get(items, (size_t)i);
        if (get_id(item, field, &(*out)[i].id, e) != 0 ||
            get_string(item, "name", field, true, MAX_NAME, &(*out)[i].name, e) != 0)
            return -1;
    }
    return 0;
}

static int parse_components(const json_t *doc, struct scheme *s, struct jx_error *e)
{
    const json_t *items;
    if (get_array(doc, "components", true, 64, &items, &s->n_components, e) != 0) return -1;
    if (!(s->components = calloc((size_t)s->n_components, sizeof *s->components)))
        return jx_fail(e, 500, "out_of_memory", NULL, "oom");
    for (int i = 0; i < s->n_components; i++) {
        char field[64];
        snprintf(field, sizeof field, "components[%d]", i);
        const json_t *item = json_array_get(items, (size_t)i);
        struct component *c = &s->components[i];
        if (get_id(item, field, &c->id, e) != 0 ||
            get_string(item, "name", field, true, MAX_NAME, &c->name, e) != 0 ||
            get_number(item, "weight", field, true, &c->weight_micro, e) != 0)
            return -1;
    }
    return 0;
}

/* A signal name member of a rule: an id (1–64 of A–Z a–z 0–9 _ . -). */
static int get_signal(const json_t *rule, const char *key, const char *field, char **out,
                      struct jx_error *e)
{
    if (get_string(rule, key, field, true, 64, out, e) != 0) return -1;
    if (!id_is_valid(*out))
        return jx_fail(e, 400, "invalid_signal", field,
                       "%s.%s 信号名只能含字母、数字、_ . -（≤64）/ signal names use A-Z a-z 0-9 _ . -",
                       field, key);
    return 0;
}

static int parse_steps(const json_t *rule, const char *field, struct rule *r, struct jx_error *e)
{
    const json_t *steps;
    if (get_array(rule, "steps", true, 32, &steps, &r->n_steps, e) != 0) return -1;
    if (!(r->steps = calloc((size_t)r->n_steps, sizeof *r->steps)))
        return jx_fail(e, 500, "out_of_memory", NULL, "out of memory");
    for (int i = 0; i < r->n_steps; i++) {
        char step_field[128];
        snprintf(step_field, sizeof step_field, "%.100s.steps[%d]", field, i);
        const json_t *step = json_array_get(steps, (size_t)i);
        if (get_number(step, "limit", step_field, false, &r->steps[i].limit, e) != 0 ||
            get_number(step, "score", step_field, false, &r->steps[i].score, e) != 0)
            return -1;
    }
    return 0;
}

/* The optional device rule of an auto or time criterion (docs/devices.md); an auto
 * criterion with only "signal" passes on true. Checked against max in scheme_validate. */
static int parse_rule(const json_t *item, const char *criterion_field, struct criterion *k,
                      struct jx_error *e)
{
    const json_t *rule = json_object_get(item, "rule");
    char field[112];
    snprintf(field, sizeof field, "%.100s.rule", criterion_field);
    struct rule *r = &k->rule;
    if (!rule) {
        if (k->kind != KIND_AUTO || !json_object_get(item, "signal")) return 0;
        r->type = RULE_PASS;
        return get_signal(item, "signal", criterion_field, &r->signal, e);
    }
    if (k->kind != KIND_AUTO && k->kind != KIND_TIME)
        return jx_fail(e, 400, "invalid_rule", field,
                       "只有 auto 和 time 评分项可有设备规则 / only auto and time criteria take a rule");
    if (!json_is_object(rule))
        return jx_fail(e, 400, "invalid_type", field, "%s 须为对象 / %s must be an object", field, field);
    const char *type = json_string_value(json_object_get(rule, "type"));
    static const char *const types[] = {"", "pass", "thresholds", "elapsed", "fault"};
    for (int t = RULE_PASS; type && t <= RULE_FAULT; t++)
        if (strcmp(type, types[t]) == 0) r->type = (enum rule_type)t;
    bool for_auto = r->type == RULE_PASS || r->type == RULE_THRESHOLDS || r->type == RULE_FAULT;
    bool for_time = r->type == RULE_ELAPSED || r->type == RULE_FAULT;
    if (r->type == RULE_NONE || (k->kind == KIND_AUTO ? !for_auto : !for_time))
        return jx_fail(e, 400, "invalid_rule", field,
                       "%s.type 须为 %s / the rule type must be %s", field,
                       k->kind == KIND_AUTO ? "pass、thresholds 或 fault" : "elapsed 或 fault",
                       k->kind == KIND_AUTO ? "pass, thresholds or fault" : "elapsed or fault");
    switch (r->type) {
    case RULE_PASS: return get_signal(rule, "signal", field, &r->signal, e);
    case RULE_THRESHOLDS: {
        const char *better = json_string_value(json_object_get(rule, "better"));
        if (!better || (strcmp(better, "lower") != 0 && strcmp(better, "higher") != 0))
            return jx_fail(e, 400, "invalid_rule", field,
                           "%s.better 须为 lower 或 higher / better must be lower or higher", field);
        r->lower_better = strcmp(better, "lower") == 0;
        return get_signal(rule, "signal", field, &r->signal, e) != 0 ? -1
                                                                      : parse_steps(rule, field, r, e);
    }
    case RULE_ELAPSED:
        if (get_signal(rule, "start", field, &r->start, e) != 0) return -1;
        return get_signal(rule, "stop", field, &r->signal, e);
    default:
        if (get_signal(rule, "injected", field, &r->start, e) != 0 ||
            get_signal(rule, "cleared", field, &r->signal, e) != 0)
            return -1;
        if (k->kind != KIND_AUTO) return 0;
        if (get_number(rule, "within_s", field, false, &r->within, e) != 0) return -1;
        return r->within > 0 ? 0
                             : jx_fail(e, 400, "invalid_rule", field,
                                       "%s.within_s 须大于 0 / within_s must be above 0", field);
    }
}

static int parse_criterion(const json_t *item, const char *field, struct criterion *k,
                           struct jx_error *e)
{
    char *kind = NULL;
    if (get_id(item, field, &k->id, e) != 0 ||
        get_string(item, "name", field, false, MAX_NAME, &k->name, e) != 0 ||
        get_string(item, "kind", field, true, 32, &kind, e) != 0)
        goto fail;
    int kind_index = criterion_kind_from_name(kind);
    if (kind_index < 0) {
        jx_fail(e, 400, "invalid_kind", field,
                "%s.kind 须为 measurement/judgement/deduction/time/auto 之一 / unknown kind \"%s\"",
                field, kind);
        goto fail;
    }
    k->kind = kind_index;
    free(kind);
    kind = NULL;
    if (get_number(item, "max", field, false, &k->max, e) != 0) return -1;
    if (k->kind == KIND_JUDGEMENT) {
        const json_t *judges = json_object_get(item, "judges");
        json_int_t n = json_integer_value(judges);
        if (!json_is_integer(judges) || n < 1 || n > 15)
            return jx_fail(e, 400, "invalid_judges", field,
                           "%s.judges 须为 1–15 的整数 / judges must be an integer 1–15", field);
        k->judges = (int)n;
    }
    if (k->kind == KIND_TIME &&
        (get_number(item, "full_within_s", field, false, &k->full_within, e) != 0 ||
         get_number(item, "zero_after_s", field, false, &k->zero_after, e) != 0))
        return -1;
    return parse_rule(item, field, k, e);
fail:
    free(kind);
    return -1;
}

/* Stages (闯关): each names consecutive criteria of the module, in order, covering them all. */
static int parse_stages(const json_t *item, const char *field, struct scheme *s, struct module *mod,
                        struct jx_error *e)
{
    const json_t *stages;
    if (get_array(item, "stages", false, 100, &stages, &mod->n_stages, e) != 0) return -1;
    if (!stages) return 0;
    if (!(mod->stages = calloc((size_t)mod->n_stages, sizeof *mod->stages)))
        return jx_fail(e, 500, "out_of_memory", NULL, "oom");
    int next = mod->first_criterion, end = mod->first_criterion + mod->n_criteria;
    for (int i = 0; i < mod->n_stages; i++) {
        char sfield[128];
        snprintf(sfield, sizeof sfield, "%.90s.stages[%d]", field, i);
        const json_t *st = json_array_get(stages, (size_t)i);
        struct stage *stage = &mod->stages[i];
        const json_t *ids = json_object_get(st, "criteria");
        if (get_id(st, sfield, &stage->id, e) != 0 ||
            get_string(st, "name", sfield, false, MAX_NAME, &stage->name, e) != 0)
            return -1;
        if (json_object_get(st, "pass") && get_number(st, "pass", sfield, false, &stage->pass, e) != 0)
            return -1;
        if (!json_is_array(ids) || json_array_size(ids) == 0)
            return jx_fail(e, 400, "invalid_stage", sfield,
                           "%s.criteria 须为评分项 id 的非空数组 / criteria must list criterion ids", sfield);
        stage->first_criterion = next;
        stage->n_criteria = (int)json_array_size(ids);
        for (size_t k = 0; k < json_array_size(ids); k++, next++) {
            const char *id = json_string_value(json_array_get(ids, k));
            if (next >= end || !id || strcmp(id, s->criteria[next].id) != 0)
                return jx_fail(e, 400, "invalid_stage", sfield,
                               "%s 须按模块中的顺序依次列出评分项 / stages list the module's criteria "
                               "in order, each once", sfield);
        }
    }
    if (next != end)
        return jx_fail(e, 400, "invalid_stage", field,
                       "%s 的关卡须包含模块的全部评分项 / the stages must cover every criterion", field);
    return 0;
}

static int parse_modules(const json_t *doc, struct scheme *s, struct jx_error *e)
{
    const json_t *items;
    if (get_array(doc, "modules", true, 1000, &items, &s->n_modules, e) != 0) return -1;
    if (!(s->modules = calloc((size_t)s->n_modules, sizeof *s->modules)))
        return jx_fail(e, 500, "out_of_memory", NULL, "oom");
    for (int m = 0; m < s->n_modules; m++) {
        const json_t *criteria;
        int n;
        char field[64];
        snprintf(field, sizeof field, "modules[%d]", m);
        const json_t *item = json_array_get(items, (size_t)m);
        struct module *mod = &s->modules[m];
        char *component = NULL;
        if (get_id(item, field, &mod->id, e) != 0 ||
            get_string(item, "name", field, true, MAX_NAME, &mod->name, e) != 0 ||
            get_string(item, "component", field, true, 64, &component, e) != 0)
            return -1;
        mod->component = scheme_component(s, component);
        free(component);
        if (mod->component < 0)
            return jx_fail(e, 400, "unknown_component", field,
                           "%s.component 不是已定义的组成部分 / unknown component", field);
        if (get_array(item, "criteria", true, 1000, &criteria, &n, e) != 0) return -1;
        if (s->n_criteria + n > MAX_CRITERIA)
            return jx_fail(e, 400, "too_many", "criteria", "评分项总数超过 %d / more than %d criteria",
                           MAX_CRITERIA, MAX_CRITERIA);
        struct criterion *grown = realloc(s->criteria, (size_t)(s->n_criteria + n) * sizeof *grown);
        if (!grown) return jx_fail(e, 500, "out_of_memory", NULL, "oom");
        s->criteria = grown;
        memset(&s->criteria[s->n_criteria], 0, (size_t)n * sizeof *grown);
        mod->first_criterion = s->n_criteria;
        mod->n_criteria = n;
        for (int i = 0; i < n; i++) {
            char kfield[96];
            snprintf(kfield, sizeof kfield, "%s.criteria[%d]", field, i);
            struct criterion *k = &s->criteria[s->n_criteria++];
            k->module = m;
            if (parse_criterion(json_array_get(criteria, (size_t)i), kfield, k, e) != 0) return -1;
        }
        if (parse_stages(item, field, s, mod, e) != 0) return -1;
    }
    return 0;
}

static int parse_tiebreak(const struct scheme *s, const char *text, struct tiebreak *t,
                          struct jx_error *e)
{
    if (strcmp(text, "time") == 0) {
        *t = (struct tiebreak){TIEBREAK_TIME, 0};
        return 0;
    }
    if (strncmp(text, "component:", 10) == 0 && (t->index = scheme_component(s, text + 10)) >= 0) {
        t->kind = TIEBREAK_COMPONENT;
        return 0;
    }
    if (strncmp(text, "module:", 7) == 0 && (t->index = scheme_module(s, text + 7)) >= 0) {
        t->kind = TIEBREAK_MODULE;
        return 0;
    }
    return jx_fail(e, 400, "unknown_tiebreak", "ranking.tiebreak",
                   "并列规则 \"%s\" 指向未知的组成部分或模块 / tiebreak names an unknown "
                   "component or module",
                   text);
}

static int parse_ranking(const json_t *doc, struct scheme *s, struct jx_error *e)
{
    const json_t *ranking = json_object_get(doc, "ranking");
    if (!ranking) return 0;
    if (!json_is_object(ranking))
        return jx_fail(e, 400, "invalid_type", "ranking", "ranking 须为对象 / ranking must be an object");
    const json_t *tiebreak = json_object_get(ranking, "tiebreak");
    if (tiebreak && (!json_is_array(tiebreak) || json_array_size(tiebreak) > 32))
        return jx_fail(e, 400, "invalid_type", "ranking.tiebreak",
                       "tiebreak 须为字符串数组（≤32） / tiebreak must be an array of strings");
    s->n_tiebreaks = tiebreak ? (int)json_array_size(tiebreak) : 0;
    s->tiebreaks = calloc((size_t)s->n_tiebreaks + 1, sizeof *s->tiebreaks);
    if (!s->tiebreaks) return jx_fail(e, 500, "out_of_memory", NULL, "oom");
    for (int i = 0; i < s->n_tiebreaks; i++) {
        const json_t *t = json_array_get(tiebreak, (size_t)i);
        if (!json_is_string(t))
            return jx_fail(e, 400, "invalid_type", "ranking.tiebreak", "tiebreak 须为字符串 / strings only");
        if (parse_tiebreak(s, json_string_value(t), &s->tiebreaks[i], e) != 0) return -1;
    }
    const json_t *scope = json_object_get(ranking, "award_scope");
    const char *scope_name = json_is_string(scope) ? json_string_value(scope) : "overall";
    if (scope && !json_is_string(scope)) scope_name = "";
    if (strcmp(scope_name, "overall") == 0) s->award_scope = AWARD_SCOPE_OVERALL;
    else if (strcmp(scope_name, "group") == 0) s->award_scope = AWARD_SCOPE_GROUP;
    else if (strcmp(scope_name, "venue") == 0) s->award_scope = AWARD_SCOPE_VENUE;
    else
        return jx_fail(e, 400, "invalid_award_scope", "ranking.award_scope",
                       "award_scope 须为 overall、group 或 venue / must be overall, group or venue");
    const json_t *awards;
    if (get_array(ranking, "awards", false, 32, &awards, &s->n_awards, e) != 0) return -1;
    s->awards = calloc((size_t)s->n_awards + 1, sizeof *s->awards);
    if (!s->awards) return jx_fail(e, 500, "out_of_memory", NULL, "oom");
    for (int i = 0; i < s->n_awards; i++) {
        char field[64];
        snprintf(field, sizeof field, "ranking.awards[%d]", i);
        const json_t *item = json_array_get(awards, (size_t)i);
        if (get_string(item, "name", field, true, MAX_NAME, &s->awards[i].name, e) != 0 ||
            get_number(item, "ratio", field, true, &s->awards[i].ratio_micro, e) != 0)
            return -1;
    }
    return 0;
}

static int lookup_member(const json_t *obj, const char *key, const char *field,
                         int (*find)(const struct scheme *, const char *),
                         const struct scheme *s, int *out, struct jx_error *e)
{
    char *id = NULL;
    if (get_string(obj, key, field, true, 64, &id, e) != 0) return -1;
    *out = find(s, id);
    if (*out < 0)
        jx_fail(e, 400, "unknown_reference", field, "%s.%s “%s” 未定义 / %s.%s \"%s\" is not defined",
                field, key, id, field, key, id);
    free(id);
    return *out < 0 ? -1 : 0;
}

int contestant_from_json(const json_t *obj, const struct scheme *s, const char *field,
                         struct contestant *out, struct jx_error *e)
{
    memset(out, 0, sizeof *out);
    if (get_id(obj, field, &out->id, e) == 0 &&
        get_string(obj, "name", field, true, MAX_NAME, &out->name, e) == 0 &&
        get_string(obj, "station", field, false, 32, &out->station, e) == 0 &&
        get_string(obj, "org", field, false, MAX_NAME, &out->org, e) == 0 &&
        lookup_member(obj, "group", field, scheme_group, s, &out->group, e) == 0 &&
        lookup_member(obj, "venue", field, scheme_venue, s, &out->venue, e) == 0)
        return 0;
    free(out->id);
    free(out->name);
    free(out->station);
    free(out->org);
    memset(out, 0, sizeof *out);
    return -1;
}

static int parse_contestants(const json_t *doc, struct scheme *s, struct jx_error *e)
{
    const json_t *items;
    int n;
    if (get_array(doc, "contestants", false, MAX_CONTESTANTS, &items, &n, e) != 0) return -1;
    for (int i = 0; i < n; i++) {
        char field[64];
        snprintf(field, sizeof field, "contestants[%d]", i);
        struct contestant c;
        if (contestant_from_json(json_array_get(items, (size_t)i), s, field, &c, e) != 0) return -1;
        if (scheme_add_contestant(s, &c) != 0) {
            jx_fail(e, 400, "duplicate_id", field, "重复的选手编号 %s / duplicate contestant id %s",
                    c.id, c.id);
            free(c.id);
            free(c.name);
            free(c.station);
            free(c.org);
            return -1;
        }
    }
    return 0;
}

static int parse_document(const json_t *doc, struct scheme *s, struct jx_error *e)
{
    if (!json_is_object(doc))
        return jx_fail(e, 400, "invalid_type", "", "竞赛文件须为 JSON 对象 / the competition file must be an object");
    const json_t *format = json_object_get(doc, "format");
    if (!json_is_string(format) || strcmp(json_string_value(format), COMPETITION_FORMAT) != 0)
        return jx_fail(e, 400, "unknown_format", "format", "format 须为 \"%s\" / format must be \"%s\"",
                       COMPETITION_FORMAT, COMPETITION_FORMAT);
    if (get_id(doc, "", &s->id, e) != 0 ||
        get_string(doc, "title", "", true, MAX_NAME, &s->title, e) != 0 ||
        parse_named(doc, "groups", &s->groups, &s->n_groups, e) != 0 ||
        parse_named(doc, "venues", &s->venues, &s->n_venues, e) != 0 ||
        parse_components(doc, s, e) != 0 || parse_modules(doc, s, e) != 0 ||
        parse_ranking(doc, s, e) != 0)
        return -1;
    if (!s->tiebreaks && !(s->tiebreaks = calloc(1, sizeof *s->tiebreaks)))
        return jx_fail(e, 500, "out_of_memory", NULL, "oom");
    if (scheme_validate(s, e) != 0) return -1;
    return parse_contestants(doc, s, e);
}

int competition_from_json(const json_t *doc, struct scheme *s, struct jx_error *e)
{
    memset(s, 0, sizeof *s);
    if (parse_document(doc, s, e) == 0) return 0;
    scheme_release(s);
    return -1;
}
