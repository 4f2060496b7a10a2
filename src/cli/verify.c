/* `jiangxing verify` (the hash chain, naming the first bad event) and `jiangxing replay`
 * (rebuild every projection from the log and compare it with the stored one). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/commit.h"
#include "cli/cli.h"

static const char verify_usage[] =
    "usage: jiangxing verify --db FILE\n"
    "  Checks the event log's hash chain and names the first event that breaks it.\n";
static const char replay_usage[] =
    "usage: jiangxing replay --db FILE\n"
    "  Rebuilds every projection from the event log and compares it with the stored one.\n";

static const char *db_argument(int argc, char **argv, const char *usage)
{
    if (argc == 3 && strcmp(argv[1], "--db") == 0) return argv[2];
    fputs(usage, stderr);
    return NULL;
}

int cmd_verify(int argc, char **argv)
{
    if (cli_wants_help(argc, argv, verify_usage)) return 0;
    const char *path = db_argument(argc, argv, verify_usage);
    if (!path) return 2;
    struct chain c;
    if (store_verify_chain(path, &c) != 0) {
        fprintf(stderr, "jiangxing verify: cannot read the log of %s\n", path);
        return 1;
    }
    if (c.bad) {
        printf("BROKEN: event %lld does not follow event %lld (tampered, reordered or missing); "
               "%lld events before it are intact\n",
               (long long)c.bad, (long long)c.seq, (long long)c.count);
        return 1;
    }
    printf("ok: %lld events, hash chain intact\n", (long long)c.count);
    return 0;
}

/* True when the stored modules text holds exactly the replayed module scores. */
static bool same_modules(const struct contest *contest, int who, const char *stored)
{
    json_t *doc = json_loads(stored, 0, NULL);
    bool same = json_is_object(doc) && json_object_size(doc) == (size_t)contest->scheme.n_modules;
    for (int m = 0; same && m < contest->scheme.n_modules; m++) {
        milli_t score;
        const json_t *v = json_object_get(doc, contest->scheme.modules[m].id);
        same = json_is_number(v) && milli_from_double(json_number_value(v), &score) &&
               score == contest->results[who].modules[m];
    }
    json_decref(doc);
    return same;
}

/* Compares the stored result rows with the replayed state; prints each difference. */
static int compare_results(struct app *app)
{
    int differences = 0, rows = 0;
    for (int i = 0; i < app->n_competitions; i++) {
        const struct contest *contest = &app->competitions[i]->contest;
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(app->db,
                               "SELECT contestant, total, complete, modules FROM results"
                               " WHERE competition = ?",
                               -1, &st, NULL) != SQLITE_OK)
            return -1;
        sqlite3_bind_text(st, 1, contest->scheme.id, -1, SQLITE_STATIC);
        while (sqlite3_step(st) == SQLITE_ROW) {
            rows++;
            const char *who = (const char *)sqlite3_column_text(st, 0);
            int index = scheme_contestant(&contest->scheme, who);
            if (index < 0 || sqlite3_column_int64(st, 1) != contest->results[index].total ||
                sqlite3_column_int(st, 2) != contest_complete(contest, index) ||
                !same_modules(contest, index, (const char *)sqlite3_column_text(st, 3))) {
                printf("DIFFERENT: %s / %s: stored total %lld, replayed %lld\n", contest->scheme.id,
                       who, (long long)sqlite3_column_int64(st, 1),
                       index >= 0 ? (long long)contest->results[index].total : -1LL);
                differences++;
            }
        }
        sqlite3_finalize(st);
    }
    printf("%d stored results compared, %d different\n", rows, differences);
    return differences;
}

int cmd_replay(int argc, char **argv)
{
    if (cli_wants_help(argc, argv, replay_usage)) return 0;
    const char *path = db_argument(argc, argv, replay_usage);
    if (!path) return 2;
    struct app app;
    struct jx_error e;
    if (app_open(&app, path, &e) != 0) {
        cli_print_error(&e);
        return 1;
    }
    printf("replayed %lld events into %d competitions\n", (long long)app.last_seq,
           app.n_competitions);
    int differences = compare_results(&app);
    app_close(&app);
    return differences == 0 ? 0 : 1;
}
