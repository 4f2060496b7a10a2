/* `jiangxing score`: standings computed offline from a competition file and MARKS.jsonl
 * by the same core the server uses, for audits and appeals. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "format/competition_json.h"
#include "format/mark_json.h"
#include "format/standings_json.h"

static const char usage[] =
    "usage: jiangxing score COMPETITION.json MARKS.jsonl [--scope SCOPE]\n"
    "  Prints the standings JSON computed from the competition file and the marks,\n"
    "  applied in file order. SCOPE: overall (default), group:ID, venue:ID, module:ID.\n"
    "  A mark the server would reject is reported on stderr with its line and skipped;\n"
    "  a line that is not JSON at all stops the command (exit 1, no standings).\n";

int contest_load_file(const char *path, struct contest *c)
{
    json_error_t jerr;
    json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (!doc) {
        fprintf(stderr, "jiangxing: %s:%d:%d: %s\n", path, jerr.line, jerr.column, jerr.text);
        return -1;
    }
    struct scheme s;
    struct jx_error e;
    int rc = competition_from_json(doc, &s, &e);
    json_decref(doc);
    if (rc == 0) rc = contest_init(c, &s, &e);
    if (rc != 0)
        fprintf(stderr, "jiangxing: %s: %s (%s%s%s)\n", path, e.message, e.code, e.field[0] ? ", field " : "",
                e.field);
    return rc;
}

/* Applies every line; returns the number of unreadable lines, or -1 when the file is missing. */
static int apply_marks_file(const char *path, struct contest *c)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        return -1;
    }
    char *line = NULL;
    size_t cap = 0;
    int line_no = 0, unreadable = 0;
    while (getline(&line, &cap, f) >= 0) {
        line_no++;
        if (strspn(line, " \t\r\n") == strlen(line)) continue;
        json_error_t jerr;
        json_t *obj = json_loads(line, JSON_REJECT_DUPLICATES, &jerr);
        struct mark m;
        struct jx_error e;
        char field[32];
        snprintf(field, sizeof field, "line %d", line_no);
        if (!obj) {
            fprintf(stderr, "jiangxing: %s:%d: %s\n", path, line_no, jerr.text);
            unreadable++;
        } else if (mark_from_json(obj, field, &m, &e) != 0 || contest_apply_mark(c, &m, &e) < 0) {
            fprintf(stderr, "jiangxing: %s:%d: mark skipped: %s (%s)\n", path, line_no, e.message,
                    e.code);
        }
        json_decref(obj);
    }
    free(line);
    fclose(f);
    return unreadable;
}

int cmd_score(int argc, char **argv)
{
    if (cli_wants_help(argc, argv, usage)) return 0;
    const char *scope_text = "overall", *files[2] = {NULL, NULL};
    int n_files = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--scope") == 0 && i + 1 < argc) scope_text = argv[++i];
        else if (n_files < 2 && argv[i][0] != '-') files[n_files++] = argv[i];
        else {
            fprintf(stderr, "jiangxing score: unexpected argument %s\n%s", argv[i], usage);
            return 2;
        }
    }
    if (n_files != 2) {
        fputs(usage, stderr);
        return 2;
    }
    struct contest c;
    if (contest_load_file(files[0], &c) != 0) return 1;
    struct scope scope;
    int status = 0;
    if (!scope_parse(&c.scheme, scope_text, &scope)) {
        fprintf(stderr, "jiangxing score: unknown scope %s (try overall, group:ID, venue:ID, "
                        "module:ID)\n", scope_text);
        status = 2;
    } else if (apply_marks_file(files[1], &c) != 0) {
        status = 1;
    } else {
        json_t *out = standings_to_json(&c, scope, scope_text);
        status = out && json_dumpf(out, stdout, JX_JSON_FLAGS) == 0 ? 0 : 1;
        putchar('\n');
        json_decref(out);
    }
    contest_release(&c);
    return status;
}
