/* Downloads for organisers: the competition file as it stands, MARKS.jsonl, and
 * standings and score sheets as CSV (UTF-8 with BOM, for Excel). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "app/export.h"
#include "format/standings_json.h"

static void download(struct ctx *c, int rc, char *data, size_t len, const char *type,
                     const char *suffix)
{
    char filename[160];
    snprintf(filename, sizeof filename, "%s-%s", c->params[0], suffix);
    if (rc != 0) reply_fail(c, 500, "export_failed", NULL, "导出失败 / the export failed");
    else reply_download(c, type, filename, data, len);
    free(data);
}

void handle_export_competition(struct ctx *c)
{
    struct competition *comp = ctx_competition(c);
    if (!comp) return;
    json_t *doc = export_competition(c->app, comp);
    char *text = doc ? json_dumps(doc, JSON_INDENT(1) | JSON_REAL_PRECISION(15)) : NULL;
    json_decref(doc);
    download(c, text ? 0 : -1, text, text ? strlen(text) : 0, "application/json; charset=utf-8",
             "competition.json");
}

void handle_export_marks(struct ctx *c)
{
    struct competition *comp = ctx_competition(c);
    if (!comp) return;
    char *data = NULL;
    size_t len = 0;
    int rc = export_marks_jsonl(c->app, comp, &data, &len);
    download(c, rc, data, len, "application/x-ndjson; charset=utf-8", "marks.jsonl");
}

void handle_export_standings(struct ctx *c)
{
    struct competition *comp = ctx_competition(c);
    if (!comp) return;
    char *scope_text = query_param(c, "scope");
    struct scope scope;
    if (!scope_parse(&comp->contest.scheme, scope_text ? scope_text : "overall", &scope)) {
        reply_fail(c, 400, "unknown_scope", "scope", "未知范围 / unknown scope");
    } else {
        char *data = NULL;
        size_t len = 0;
        int rc = export_standings_csv(comp, scope, &data, &len);
        download(c, rc, data, len, "text/csv; charset=utf-8", "standings.csv");
    }
    free(scope_text);
}

void handle_export_sheets(struct ctx *c)
{
    struct competition *comp = ctx_competition(c);
    if (!comp) return;
    char *data = NULL;
    size_t len = 0;
    int rc = export_sheets_csv(comp, &data, &len);
    download(c, rc, data, len, "text/csv; charset=utf-8", "sheets.csv");
}
