/* Importing contestants (from CSV rows) as one all-or-nothing command: every row is
 * checked first — ids, groups, venues, duplicates in the file and in the competition —
 * and only then applied as contestant.added events. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/commit.h"
#include "format/competition_json.h"

static int check_rows(const struct competition *comp, json_t *rows, struct jx_error *e)
{
    const struct scheme *s = &comp->contest.scheme;
    struct strmap seen = {0};
    size_t i;
    json_t *row;
    int rc = 0;
    json_array_foreach(rows, i, row) {
        char field[32];
        long long line = (long long)json_integer_value(json_object_get(row, "line"));
        snprintf(field, sizeof field, "line %lld", line);
        struct contestant c;
        if (contestant_from_json(row, s, field, &c, e) != 0) {
            struct jx_error why = *e;
            rc = jx_fail(e, why.status, why.code, why.field, "第 %lld 行：%.280s", line, why.message);
            break;
        }
        int64_t first;
        if (scheme_contestant(s, c.id) >= 0 || strmap_get(&seen, c.id, &first))
            rc = jx_fail(e, 409, "duplicate_id", field, "第 %lld 行：选手编号 %s 重复 / line %lld: duplicate "
                         "contestant id %s", line, c.id, line, c.id);
        else if (strmap_put(&seen, c.id, (int64_t)i) != 0)
            rc = jx_fail(e, 500, "out_of_memory", NULL, "out of memory");
        free(c.id);
        free(c.name);
        free(c.station);
        free(c.org);
        if (rc != 0) break;
    }
    strmap_release(&seen);
    return rc;
}

int app_import_contestants(struct app *app, struct competition *comp, json_t *rows,
                           const char *actor, struct commit *commit, struct jx_error *e)
{
    if (json_array_size(rows) == 0)
        return jx_fail(e, 400, "csv_no_rows", "csv", "文件中没有选手 / the file has no contestants");
    const struct scheme *s = &comp->contest.scheme;
    if ((long long)(s->n_contestants + (long long)json_array_size(rows)) * s->n_criteria > MAX_CELLS)
        return jx_fail(e, 413, "too_large", "csv",
                       "选手数 × 评分项数将超过 %lld / contestants × criteria would exceed %lld",
                       MAX_CELLS, MAX_CELLS);
    if (check_rows(comp, rows, e) != 0) return -1;
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        json_object_del(row, "line");
        char *body = json_dumps(row, JSON_COMPACT | JSON_SORT_KEYS);
        const char *id = json_string_value(json_object_get(row, "id"));
        struct event ev = {.competition = comp->contest.scheme.id, .kind = "contestant.added",
                           .actor = actor, .contestant = id, .body = body};
        /* Checked above, so a refusal here is a bug: stop rather than half-apply. */
        if (!body || app_apply_event(app, &ev, e) != 0 ||
            commit_event(commit, ev.competition, ev.kind, actor, NULL, id, body) != 0 ||
            commit_result(commit, comp, comp->contest.scheme.n_contestants - 1) != 0)
            abort();
        free(body);
    }
    return (int)json_array_size(rows);
}
