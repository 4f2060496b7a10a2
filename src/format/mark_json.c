/* The MARK parser. Strings are borrowed from the JSON object (which must outlive the
 * mark); numbers must have at most three decimals; sizes are capped before the core. */
#include "format/mark_json.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/utf8.h"

static int optional_string(const json_t *obj, const char *name, const char *field, size_t max,
                           const char **out, struct jx_error *e)
{
    const json_t *v = json_object_get(obj, name);
    *out = NULL;
    if (!v || json_is_null(v)) return 0;
    if (!json_is_string(v))
        return jx_fail(e, 400, "invalid_type", name, "%s.%s 须为字符串 / %s must be a string", field,
                       name, name);
    if (utf8_length(json_string_value(v)) > max ||
        strlen(json_string_value(v)) != json_string_length(v))
        return jx_fail(e, 400, "too_long", name, "%s.%s 过长（≤%zu） / %s is too long (max %zu)", field,
                       name, max, name, max);
    *out = json_string_value(v);
    return 0;
}

static int number_field(const json_t *v, const char *name, const char *field, milli_t *out,
                        struct jx_error *e)
{
    if (!json_is_number(v))
        return jx_fail(e, 400, "invalid_type", name, "%s.%s 须为数字 / %s must be a number", field,
                       name, name);
    if (fabs(json_number_value(v)) > 1e9)
        return jx_fail(e, 400, "out_of_range", name, "%s.%s 超出范围 / %s is out of range", field,
                       name, name);
    if (!milli_from_double(json_number_value(v), out))
        return jx_fail(e, 400, "too_many_decimals", name,
                       "%s.%s 最多三位小数 / %s must have at most three decimals", field, name, name);
    return 0;
}

int mark_from_json(const json_t *obj, const char *field, struct mark *m, struct jx_error *e)
{
    memset(m, 0, sizeof *m);
    if (!json_is_object(obj))
        return jx_fail(e, 400, "invalid_type", field, "%s 须为对象 / a mark must be an object", field);
    if (optional_string(obj, "key", field, MAX_KEY, &m->key, e) != 0 ||
        optional_string(obj, "contestant", field, 64, &m->contestant, e) != 0 ||
        optional_string(obj, "criterion", field, 64, &m->criterion, e) != 0 ||
        optional_string(obj, "judge", field, 64, &m->judge, e) != 0 ||
        optional_string(obj, "reason", field, MAX_REASON, &m->reason, e) != 0 ||
        optional_string(obj, "void", field, MAX_KEY, &m->void_key, e) != 0)
        return -1;
    if (!m->key || !*m->key)
        return jx_fail(e, 400, "key_required", "key", "%s 缺少 key / key is required", field);
    const json_t *value = json_object_get(obj, "value");
    const json_t *seconds = json_object_get(obj, "seconds");
    const json_t *deduction = json_object_get(obj, "deduction");
    int given = !!value + !!seconds + !!deduction + !!m->void_key;
    if (given != 1)
        return jx_fail(e, 400, "invalid_mark", field,
                       "%s 须且只能含 value、seconds、deduction、void 之一 / a mark has exactly one "
                       "of value, seconds, deduction, void",
                       field);
    if (m->void_key) {
        m->type = MARK_VOID;
        return 0;
    }
    if (!m->contestant || !m->criterion)
        return jx_fail(e, 400, "missing_field", m->contestant ? "criterion" : "contestant",
                       "%s 须含 contestant 与 criterion / contestant and criterion are required",
                       field);
    m->type = deduction ? MARK_DEDUCTION : MARK_VALUE;
    m->has_seconds = seconds != NULL;
    const char *name = value ? "value" : seconds ? "seconds" : "deduction";
    return number_field(value ? value : seconds ? seconds : deduction, name, field, &m->value, e);
}
