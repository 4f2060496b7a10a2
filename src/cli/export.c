/* `jiangxing export` writes a competition's file, MARKS.jsonl and CSVs into a folder;
 * `jiangxing import-contestants` adds contestants from a CSV file, all or nothing. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "app/commit.h"
#include "app/export.h"
#include "cli/cli.h"
#include "format/contestants_csv.h"
#include "format/standings_json.h"

static const char export_usage[] =
    "usage: jiangxing export --db FILE --competition ID --out DIR\n"
    "  Writes DIR/competition.json (with every contestant), DIR/marks.jsonl (every accepted\n"
    "  mark, in order), DIR/standings.csv and DIR/sheets.csv. Then\n"
    "  `jiangxing score DIR/competition.json DIR/marks.jsonl` gives the served standings.\n";
static const char import_usage[] =
    "usage: jiangxing import-contestants --db FILE --competition ID CONTESTANTS.csv\n"
    "  CSV in UTF-8 (with or without BOM) or GB18030; header id,name,group,venue,station,org\n"
    "  (or 编号,姓名,组别,赛场,工位,单位). All rows are checked before any is added.\n"
    "  Stop the server first (or use the organiser page, which does the same).\n";

/* Parses --db, --competition, --out and one positional argument. */
static int parse(int argc, char **argv, const char *usage, const char **db, const char **id,
                 const char **out, const char **file)
{
    for (int i = 1; i < argc; i++) {
        if (i + 1 < argc && strcmp(argv[i], "--db") == 0) *db = argv[++i];
        else if (i + 1 < argc && strcmp(argv[i], "--competition") == 0) *id = argv[++i];
        else if (out && i + 1 < argc && strcmp(argv[i], "--out") == 0) *out = argv[++i];
        else if (file && !*file && argv[i][0] != '-') *file = argv[i];
        else {
            fprintf(stderr, "jiangxing: unexpected argument %s\n%s", argv[i], usage);
            return -1;
        }
    }
    if (!*db || !*id || (out && !*out) || (file && !*file)) {
        fputs(usage, stderr);
        return -1;
    }
    return 0;
}

static int write_file(const char *dir, const char *name, const char *data, size_t len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    bool ok = f && fwrite(data, 1, len, f) == len;
    if (f && fclose(f) != 0) ok = false;
    if (ok) printf("  wrote %s (%zu bytes)\n", path, len);
    else fprintf(stderr, "jiangxing export: cannot write %s: %s\n", path, strerror(errno));
    return ok ? 0 : -1;
}

static int export_all(struct app *app, const struct competition *comp, const char *dir)
{
    json_t *doc = export_competition(app, comp);
    char *text = doc ? json_dumps(doc, JSON_INDENT(1) | JSON_REAL_PRECISION(15)) : NULL;
    json_decref(doc);
    int rc = text ? write_file(dir, "competition.json", text, strlen(text)) : -1;
    free(text);
    char *data = NULL;
    size_t len = 0;
    struct scope overall = {SCOPE_OVERALL, 0};
    if (rc == 0 && (rc = export_marks_jsonl(app, comp, &data, &len)) == 0)
        rc = write_file(dir, "marks.jsonl", data, len);
    free(data);
    data = NULL;
    if (rc == 0 && (rc = export_standings_csv(comp, overall, &data, &len)) == 0)
        rc = write_file(dir, "standings.csv", data, len);
    free(data);
    data = NULL;
    if (rc == 0 && (rc = export_sheets_csv(comp, &data, &len)) == 0)
        rc = write_file(dir, "sheets.csv", data, len);
    free(data);
    return rc;
}

int cmd_export(int argc, char **argv)
{
    if (cli_wants_help(argc, argv, export_usage)) return 0;
    const char *db = NULL, *id = NULL, *out = NULL;
    if (parse(argc, argv, export_usage, &db, &id, &out, NULL) != 0) return 2;
    struct app app;
    struct jx_error e;
    if (app_open(&app, db, &e) != 0) {
        cli_print_error(&e);
        return 1;
    }
    const struct competition *comp = app_competition(&app, id);
    int rc = 1;
    if (!comp) fprintf(stderr, "jiangxing export: no competition \"%s\" in %s\n", id, db);
    else if (mkdir(out, 0755) != 0 && errno != EEXIST)
        fprintf(stderr, "jiangxing export: cannot create %s: %s\n", out, strerror(errno));
    else {
        printf("jiangxing export: %s → %s\n", id, out);
        rc = export_all(&app, comp, out) == 0 ? 0 : 1;
    }
    app_close(&app);
    return rc;
}

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *data = malloc(CSV_MAX_BYTES + 1);
    *len = data ? fread(data, 1, CSV_MAX_BYTES + 1, f) : 0;
    fclose(f);
    return data;
}

int cmd_import_contestants(int argc, char **argv)
{
    if (cli_wants_help(argc, argv, import_usage)) return 0;
    const char *db = NULL, *id = NULL, *file = NULL;
    if (parse(argc, argv, import_usage, &db, &id, NULL, &file) != 0) return 2;
    size_t len = 0;
    char *data = read_all(file, &len);
    if (!data) {
        fprintf(stderr, "jiangxing import-contestants: cannot read %s: %s\n", file, strerror(errno));
        return 1;
    }
    struct jx_error e;
    json_t *rows = contestants_from_csv(data, len, &e);
    free(data);
    struct app app;
    if (!rows || app_lock(db, &e) < 0 || app_open(&app, db, &e) != 0) {
        json_decref(rows);
        cli_print_error(&e);
        return 1;
    }
    struct competition *comp = app_competition(&app, id);
    struct commit *commit = commit_begin(&app);
    int added = comp ? app_import_contestants(&app, comp, rows, "cli", commit, &e)
                     : jx_fail(&e, 404, "unknown_competition", "competition",
                               "没有竞赛 %s / no competition \"%s\"", id, id);
    if (added >= 0) {
        commit_submit(commit, NULL, NULL);
        printf("jiangxing import-contestants: added %d contestants to %s\n", added, id);
    } else {
        commit_abandon(commit);
        cli_print_error(&e);
    }
    json_decref(rows);
    app_close(&app);
    return added >= 0 ? 0 : 1;
}
