/* Device messages: topic segments are ids; the payload is a small JSON object whose value
 * is a boolean or a number (kept to thousandths, rounded half away from zero). */
#include "format/signal_json.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "format/competition_json.h"
#include "format/standings_json.h"

#define MAX_READING 1e9

/* Copies the next '/'-separated segment of *p into out if it is an id. */
static bool segment(const char **p, char *out, size_t size)
{
    const char *end = strchr(*p, '/');
    size_t len = end ? (size_t)(end - *p) : strlen(*p);
    if (len == 0 || len >= size) return false;
    memcpy(out, *p, len);
    out[len] = '\0';
    *p += len + (end ? 1 : 0);
    return id_is_valid(out);
}

static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

bool rfc3339_ms(const char *t, int64_t *out)
{
    if (strlen(t) < 20 || t[4] != '-' || t[7] != '-' || (t[10] != 'T' && t[10] != 't') ||
        t[13] != ':' || t[16] != ':')
        return false;
    int year = digits(t, 4), mon = digits(t + 5, 2), day = digits(t + 8, 2), hour = digits(t + 11, 2),
        min = digits(t + 14, 2), sec = digits(t + 17, 2);
    if (year < 1970 || mon < 1 || mon > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 ||
        min < 0 || min > 59 || sec < 0 || sec > 60)
        return false;
    const char *p = t + 19;
    int ms = 0;
    if (*p == '.') {
        int n = 0;
        for (p++; *p >= '0' && *p <= '9'; p++, n++)
            if (n < 3) ms = ms * 10 + (*p - '0');
        if (n == 0 || n > 9) return false;
        for (; n < 3; n++) ms *= 10;
    }
    int offset = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':') {
        int oh = digits(p + 1, 2), om = digits(p + 4, 2);
        if (oh < 0 || oh > 23 || om < 0 || om > 59) return false;
        offset = (*p == '+' ? 1 : -1) * (oh * 60 + om);
        p += 6;
    } else {
        return false;
    }
    if (*p) return false;
    struct tm tm = {.tm_year = year - 1900, .tm_mon = mon - 1, .tm_mday = day, .tm_hour = hour,
                    .tm_min = min, .tm_sec = sec};
    time_t seconds = timegm(&tm);
    *out = ((int64_t)seconds - (int64_t)offset * 60) * 1000 + ms;
    return true;
}

static bool reading(const json_t *v, milli_t *out)
{
    if (json_is_boolean(v)) {
        *out = json_is_true(v) ? MILLI : 0;
        return true;
    }
    if (!json_is_number(v)) return false;
    double x = json_number_value(v);
    if (!isfinite(x) || fabs(x) > MAX_READING) return false;
    *out = (milli_t)llround(x * MILLI);
    return true;
}

int device_message_parse(const char *topic, const char *payload, size_t len,
                         struct device_message *out, struct jx_error *e)
{
    memset(out, 0, sizeof *out);
    const char *p = topic;
    if (strncmp(p, "jiangxing/", 10) != 0)
        return jx_fail(e, 400, "bad_topic", "topic", "主题须为 jiangxing/{竞赛}/{工位}/{信号} / the topic must be jiangxing/{competition}/{station}/{signal}");
    p += 10;
    if (!segment(&p, out->competition, sizeof out->competition) ||
        !segment(&p, out->station, sizeof out->station) ||
        !segment(&p, out->signal, sizeof out->signal) || *p || topic[strlen(topic) - 1] == '/')
        return jx_fail(e, 400, "bad_topic", "topic", "主题的各段须为 id / each topic segment must be an id");
    if (len > MAX_DEVICE_PAYLOAD)
        return jx_fail(e, 413, "malformed", "payload", "消息过大 / the payload is too large");
    json_error_t jerr;
    json_t *doc = json_loadb(payload, len, JSON_REJECT_DUPLICATES, &jerr);
    int rc = 0;
    const char *key = json_string_value(json_object_get(doc, "key"));
    const json_t *at = json_object_get(doc, "at");
    if (!json_is_object(doc))
        rc = jx_fail(e, 400, "malformed", "payload", "消息须为 JSON 对象 / the payload must be a JSON object");
    else if (!key || !*key || strlen(key) > SIGNAL_KEY_MAX || strlen(key) != json_string_length(json_object_get(doc, "key")))
        rc = jx_fail(e, 400, "bad_key", "key", "key 须为 1–%d 个字符 / key must be 1–%d characters",
                     SIGNAL_KEY_MAX, SIGNAL_KEY_MAX);
    else if (strcmp(out->signal, "heartbeat") != 0 && !reading(json_object_get(doc, "value"), &out->value))
        rc = jx_fail(e, 400, "bad_value", "value", "value 须为布尔值或 |v| ≤ 10⁹ 的数 / value must be a boolean or a number");
    else if (at && (!json_is_string(at) || !rfc3339_ms(json_string_value(at), &out->device_at_ms)))
        rc = jx_fail(e, 400, "bad_time", "at", "at 须为 RFC 3339 时间 / at must be an RFC 3339 time");
    if (rc == 0) {
        snprintf(out->key, sizeof out->key, "%s", key);
        out->has_at = at != NULL;
    }
    json_decref(doc);
    return rc;
}

json_t *signal_event_json(const struct device_message *m, const char *contestant, int64_t at_ms)
{
    char key[SIGNAL_EVENT_KEY_MAX + 1];
    if (snprintf(key, sizeof key, "%s/%s", m->station, m->key) >= (int)sizeof key) return NULL;
    return json_pack("{s:s, s:s, s:s, s:s, s:o, s:I}", "key", key, "contestant", contestant,
                     "station", m->station, "signal", m->signal, "value", score_to_json(m->value),
                     "at_ms", (json_int_t)at_ms);
}

int signal_from_json(const json_t *doc, struct signal *sig, struct jx_error *e)
{
    const json_t *value = json_object_get(doc, "value"), *at = json_object_get(doc, "at_ms");
    *sig = (struct signal){.key = json_string_value(json_object_get(doc, "key")),
                           .contestant = json_string_value(json_object_get(doc, "contestant")),
                           .name = json_string_value(json_object_get(doc, "signal")),
                           .at_ms = json_integer_value(at)};
    if (!sig->key || !sig->contestant || !sig->name || !json_is_integer(at) ||
        !json_is_number(value) || !milli_from_double(json_number_value(value), &sig->value))
        return jx_fail(e, 400, "invalid_signal", NULL, "信号事件不完整 / incomplete signal event");
    return 0;
}

json_t *derived_mark_json(const struct derived *d)
{
    const struct mark *m = &d->mark;
    return json_pack("{s:s, s:s, s:s, s:s, s:o, s:s}", "key", m->key, "contestant", m->contestant,
                     "criterion", m->criterion, "judge", m->judge,
                     m->has_seconds ? "seconds" : "value", score_to_json(m->value), "reason",
                     m->reason);
}
