/* Display settings of a competition: auto-publish and its word filter, per-device caps
 * on likes and cheers, and the big screen's rotation of views. Checked field by field. */
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "live/board.h"
#include "social/internal.h"

#define MAX_WORDS 200
#define MAX_WORD_CHARS 50
#define MAX_ROTATION 64

json_t *default_settings(const struct competition *comp)
{
    const struct scheme *s = &comp->contest.scheme;
    json_t *rotation = json_array();
    json_array_append_new(rotation, json_string("overall"));
    for (int g = 0; g < s->n_groups; g++)
        json_array_append_new(rotation, json_sprintf("group:%s", s->groups[g].id));
    for (int m = 0; m < s->n_modules; m++)
        json_array_append_new(rotation, json_sprintf("module:%s", s->modules[m].id));
    return json_pack("{s:b, s:[], s:i, s:i, s:{s:o, s:i, s:i}}", "auto_publish", 0, "word_filter",
                     "like_cap", 100, "cheer_cap", 20, "screen", "rotation", rotation, "seconds", 20,
                     "top", 10);
}

json_t *social_settings(struct social *s, const struct competition *comp)
{
    struct comp_state *cs = comp_state(s, comp);
    return cs ? json_deep_copy(cs->settings) : NULL;
}

static int bad(struct jx_error *e, const char *field, const char *message)
{
    return jx_fail(e, 400, "invalid_setting", field, "%s", message);
}

static int check_int(json_t *v, const char *field, json_int_t lo, json_int_t hi,
                     struct jx_error *e)
{
    if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi)
        return jx_fail(e, 400, "invalid_setting", field, "%s 须为 %lld–%lld 的整数 / %s must be an integer from %lld to %lld",
                       field, (long long)lo, (long long)hi, field, (long long)lo, (long long)hi);
    return 0;
}

static int check_words(json_t *words, struct jx_error *e)
{
    if (!json_is_array(words) || json_array_size(words) > MAX_WORDS)
        return bad(e, "word_filter", "word_filter 须为至多 200 个词的数组 / word_filter must be an array of at most 200 words");
    size_t i;
    json_t *w;
    json_array_foreach(words, i, w) {
        const char *text = json_string_value(w);
        if (!text || !*text || utf8_length(text) > MAX_WORD_CHARS)
            return bad(e, "word_filter", "每个词须为 1–50 个字符 / each word must be 1–50 characters");
    }
    return 0;
}

static int check_screen(const struct scheme *sc, json_t *screen, struct jx_error *e)
{
    if (!json_is_object(screen)) return bad(e, "screen", "screen 须为对象 / screen must be an object");
    const char *key;
    json_t *v;
    json_object_foreach(screen, key, v) {
        if (strcmp(key, "seconds") == 0) {
            if (check_int(v, "screen.seconds", 5, 600, e) != 0) return -1;
        } else if (strcmp(key, "top") == 0) {
            if (check_int(v, "screen.top", 3, 50, e) != 0) return -1;
        } else if (strcmp(key, "rotation") == 0) {
            if (!json_is_array(v) || json_array_size(v) == 0 || json_array_size(v) > MAX_ROTATION)
                return bad(e, "screen.rotation", "rotation 须为 1–64 个范围 / rotation must list 1–64 scopes");
            size_t i;
            json_t *item;
            json_array_foreach(v, i, item) {
                struct scope scope;
                const char *text = json_string_value(item);
                if (!text || (strcmp(text, "progress") != 0 && !scope_parse(sc, text, &scope)))
                    return bad(e, "screen.rotation", "未知范围 / unknown scope in rotation");
            }
        } else {
            return bad(e, "screen", "未知字段 / unknown field in screen");
        }
    }
    return 0;
}

int social_set_settings(struct social *s, const struct competition *comp, json_t *changes,
                        written_fn done, void *arg, struct jx_error *e)
{
    struct comp_state *cs = comp_state(s, comp);
    if (!cs) return jx_fail(e, 500, "out_of_memory", NULL, "out of memory");
    const char *key;
    json_t *v;
    json_object_foreach(changes, key, v) {
        int rc;
        if (strcmp(key, "auto_publish") == 0)
            rc = json_is_boolean(v) ? 0 : bad(e, key, "auto_publish 须为 true 或 false / auto_publish must be true or false");
        else if (strcmp(key, "word_filter") == 0) rc = check_words(v, e);
        else if (strcmp(key, "like_cap") == 0 || strcmp(key, "cheer_cap") == 0)
            rc = check_int(v, key, 0, 100000, e);
        else if (strcmp(key, "screen") == 0) rc = check_screen(&comp->contest.scheme, v, e);
        else rc = jx_fail(e, 400, "unknown_field", key, "未知设置 %s / unknown setting %s", key, key);
        if (rc != 0) return -1;
    }
    json_t *screen = json_object_get(changes, "screen");
    if (screen) json_object_update(json_object_get(cs->settings, "screen"), screen);
    json_t *rest = json_deep_copy(changes);
    json_object_del(rest, "screen");
    json_object_update(cs->settings, rest);
    json_decref(rest);
    char *text = json_dumps(cs->settings, JSON_COMPACT | JSON_SORT_KEYS);
    /* The big screens hear of a new rotation once it is durable. */
    json_t *frame = screen ? json_deep_copy(json_object_get(cs->settings, "screen")) : NULL;
    struct write_job *job = text ? announcing_job(s, cs->id, "screen", frame, false, done, arg) : NULL;
    if (!job || job_add(job, "INSERT OR REPLACE INTO social_settings VALUES(?, ?)", "ss", cs->id,
                        text) != 0) {
        free(text);
        job_free(job);
        return jx_fail(e, 500, "out_of_memory", NULL, "out of memory");
    }
    free(text);
    job_submit(s, job);
    return 0;
}

void social_decorate_board(struct social *s, const struct competition *comp, json_t *board)
{
    struct comp_state *cs = comp_state(s, comp);
    if (!cs) return;
    json_object_set(board, "screen", json_object_get(cs->settings, "screen"));
    size_t i;
    json_t *entry;
    json_array_foreach(json_object_get(board, "contestants"), i, entry) {
        if ((int)i >= cs->cap) break;
        json_object_set_new(entry, "likes", json_integer(cs->likes[i]));
        json_object_set_new(entry, "cheers", json_integer(cs->cheers[i]));
        json_object_set_new(entry, "photo", json_boolean(cs->photo[i]));
    }
}
