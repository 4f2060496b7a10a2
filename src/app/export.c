/* Building the exports. CSV is UTF-8 with a BOM (Excel in China opens it correctly),
 * quoted per RFC 4180, and cells that a spreadsheet would run as a formula are defused. */
#include "app/export.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/score.h"
#include "format/standings_json.h"

struct text {
    char *data;
    size_t len;
    FILE *f;
};

static int text_open(struct text *t)
{
    t->data = NULL;
    t->len = 0;
    t->f = open_memstream(&t->data, &t->len);
    return t->f ? 0 : -1;
}

static int text_close(struct text *t, char **out, size_t *len)
{
    int rc = fclose(t->f);
    *out = t->data;
    *len = t->len;
    return rc == 0 ? 0 : -1;
}

static void csv_cell(FILE *f, const char *s, bool last)
{
    bool formula = s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@';
    fputc('"', f);
    if (formula) fputc('\'', f);
    for (; *s; s++) {
        if (*s == '"') fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
    fputs(last ? "\r\n" : ",", f);
}

static void csv_score(FILE *f, milli_t m, bool last)
{
    char buf[32];
    fputs(milli_format(m, buf), f);
    fputs(last ? "\r\n" : ",", f);
}

struct created {
    json_t *doc;
};

static int collect_created(const struct event *ev, void *arg)
{
    struct created *c = arg;
    if (strcmp(ev->kind, "competition.created") == 0) {
        c->doc = json_loads(ev->body, 0, NULL);
        if (c->doc && !json_is_array(json_object_get(c->doc, "contestants")))
            json_object_set_new(c->doc, "contestants", json_array());
    } else if (c->doc && strcmp(ev->kind, "contestant.added") == 0) {
        json_array_append_new(json_object_get(c->doc, "contestants"), json_loads(ev->body, 0, NULL));
    }
    return 0;
}

json_t *export_competition(struct app *app, const struct competition *comp)
{
    struct created c = {NULL};
    if (store_each_event(app->db, 0, comp->contest.scheme.id, NULL, collect_created, &c) != 0) {
        json_decref(c.doc);
        return NULL;
    }
    return c.doc;
}

/* Marks as they were accepted; a device signal's automatic marks are in its body. */
static int write_mark(const struct event *ev, void *arg)
{
    if (strcmp(ev->kind, "mark") == 0) fprintf(arg, "%s\n", ev->body);
    if (strcmp(ev->kind, "signal") != 0) return 0;
    json_t *doc = json_loads(ev->body, 0, NULL);
    size_t i;
    json_t *mark;
    json_array_foreach(json_object_get(doc, "marks"), i, mark) {
        char *text = json_dumps(mark, JX_BODY_FLAGS);
        if (text) fprintf(arg, "%s\n", text);
        free(text);
    }
    json_decref(doc);
    return 0;
}

int export_marks_jsonl(struct app *app, const struct competition *comp, char **out, size_t *len)
{
    struct text t;
    if (text_open(&t) != 0) return -1;
    int rc = store_each_event(app->db, 0, comp->contest.scheme.id, NULL, write_mark, t.f);
    return text_close(&t, out, len) == 0 && rc == 0 ? 0 : -1;
}

struct standings_rows {
    const struct competition *comp;
    FILE *f;
};

static int standings_row(int who, size_t rank, void *arg)
{
    struct standings_rows *r = arg;
    const struct contest *c = &r->comp->contest;
    const struct scheme *s = &c->scheme;
    const struct contestant *p = &s->contestants[who];
    int award = contest_award(c, who);
    fprintf(r->f, "%zu,", rank);
    csv_cell(r->f, p->id, false);
    csv_cell(r->f, p->name, false);
    csv_cell(r->f, s->groups[p->group].name, false);
    csv_cell(r->f, s->venues[p->venue].name, false);
    csv_cell(r->f, p->station, false);
    csv_cell(r->f, p->org, false);
    csv_score(r->f, c->results[who].total, false);
    csv_cell(r->f, contest_complete(c, who) ? "是" : "否", false);
    csv_cell(r->f, award >= 0 ? s->awards[award].name : "", false);
    for (int m = 0; m < s->n_modules; m++)
        csv_score(r->f, c->results[who].modules[m], m == s->n_modules - 1);
    return 0;
}

int export_standings_csv(const struct competition *comp, struct scope scope, char **out, size_t *len)
{
    const struct scheme *s = &comp->contest.scheme;
    struct text t;
    if (text_open(&t) != 0) return -1;
    fputs("\xEF\xBB\xBF" "排名,编号,姓名,组别,赛场,工位,单位,总分,已完成,奖项,", t.f);
    for (int m = 0; m < s->n_modules; m++) csv_cell(t.f, s->modules[m].name, m == s->n_modules - 1);
    struct standings_rows rows = {comp, t.f};
    standings_each(&comp->contest.standings, scope, standings_row, &rows);
    return text_close(&t, out, len);
}

int export_sheets_csv(const struct competition *comp, char **out, size_t *len)
{
    const struct contest *c = &comp->contest;
    const struct scheme *s = &c->scheme;
    struct text t;
    if (text_open(&t) != 0) return -1;
    fputs("\xEF\xBB\xBF" "编号,姓名,模块,评分项,类型,得分,满分,已完成,有争议,评分人数\r\n", t.f);
    for (int i = 0; i < s->n_contestants; i++)
        for (int k = 0; k < s->n_criteria; k++) {
            const struct criterion *crit = &s->criteria[k];
            const struct cell *cell = contest_cell(c, i, k);
            csv_cell(t.f, s->contestants[i].id, false);
            csv_cell(t.f, s->contestants[i].name, false);
            csv_cell(t.f, s->modules[crit->module].name, false);
            csv_cell(t.f, *crit->name ? crit->name : crit->id, false);
            csv_cell(t.f, criterion_kind_name(crit->kind), false);
            csv_score(t.f, score_cell(crit, cell), false);
            csv_score(t.f, crit->max, false);
            csv_cell(t.f, cell_complete(crit, cell) ? "是" : "否", false);
            csv_cell(t.f, cell_disputed(crit, cell) ? "是" : "否", false);
            fprintf(t.f, "%d\r\n", crit->kind == KIND_JUDGEMENT ? cell->n_slots
                                   : crit->kind == KIND_DEDUCTION ? cell->n_entries
                                                                  : cell->marked);
        }
    return text_close(&t, out, len);
}
