/* POST /competitions/{id}/contestants/import: a CSV file of contestants, all or
 * nothing, answered once durable with how many were added. */
#include "api/api.h"
#include "api/command.h"
#include "format/contestants_csv.h"

void handle_import_contestants(struct ctx *c)
{
    struct competition *comp = ctx_competition(c);
    if (!comp) return;
    struct jx_error e;
    json_t *rows = contestants_from_csv(c->body, c->body_len, &e);
    struct commit *commit = rows ? commit_begin(c->app) : NULL;
    int added = commit ? app_import_contestants(c->app, comp, rows, c->session->username, commit, &e)
                       : -1;
    json_decref(rows);
    if (added < 0) {
        if (commit) commit_abandon(commit);
        reply_error(c, &e);
        return;
    }
    if (commit_frame(commit, comp->contest.scheme.id, "reset", json_object(), false) != 0) abort();
    reply_when_durable(c, commit, 200, json_pack("{s:i}", "added", added));
}
