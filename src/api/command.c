/* The one path by which requests change state: event → app_apply_event → commit →
 * writer → answer. Nothing answers "done" before the group transaction commits. */
#include "api/command.h"

#include <stdlib.h>

struct pending_reply {
    struct evhttp_request *req;
    struct server *server;
    struct app *app;
    int status;
    json_t *reply;
};

static void answer(void *arg)
{
    struct pending_reply *p = arg;
    struct ctx c = {.req = p->req, .server = p->server, .app = p->app};
    reply_json(&c, p->status, p->reply);
    free(p);
}

void reply_when_durable(struct ctx *c, struct commit *commit, int status, json_t *reply)
{
    struct pending_reply *p = malloc(sizeof *p);
    if (!p) abort(); /* the state already changed: never answer without committing */
    *p = (struct pending_reply){c->req, c->server, c->app, status, reply};
    commit_submit(commit, answer, p);
}

struct commit *apply_command(struct ctx *c, const char *competition, const char *kind,
                             const char *body)
{
    const char *actor = c->session ? c->session->username : "";
    struct event ev = {.competition = competition, .kind = kind, .actor = actor, .body = body};
    struct jx_error e;
    if (app_apply_event(c->app, &ev, &e) != 0) {
        reply_error(c, &e);
        return NULL;
    }
    struct commit *commit = commit_begin(c->app);
    if (!commit || commit_event(commit, competition, kind, actor, NULL, NULL, body) != 0) abort();
    return commit;
}

void run_command(struct ctx *c, const char *competition, const char *kind, const char *body,
                 int status, json_t *reply)
{
    struct commit *commit = apply_command(c, competition, kind, body);
    if (commit) reply_when_durable(c, commit, status, reply);
    else json_decref(reply);
}
