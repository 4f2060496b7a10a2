/* The one path by which requests change state: event → app_apply_event → commit →
 * writer → answer. Nothing answers "done" before the group transaction commits. */
#include "api/command.h"

#include <stdlib.h>
#include <string.h>

static void answer(void *arg) { later_reply(arg); }

void reply_when_durable(struct ctx *c, struct commit *commit, int status, json_t *reply)
{
    struct later *l = later_new(c, status, reply);
    if (!l) abort(); /* the state already changed: never answer without committing */
    commit_submit(commit, answer, l);
}

/* The live frame an event gives the displays, if any (marks have their own: a delta). */
static int frame_of(struct commit *commit, const struct competition *comp, const char *kind,
                    const char *body)
{
    if (!comp) return 0;
    const char *id = comp->contest.scheme.id;
    if (strcmp(kind, "module.locked") == 0 || strcmp(kind, "module.unlocked") == 0) {
        json_t *doc = json_loads(body, 0, NULL);
        json_t *frame = json_pack("{s:I, s:O?, s:b}", "seq", (json_int_t)comp->last_seq, "module",
                                  json_object_get(doc, "module"), "locked",
                                  strcmp(kind, "module.locked") == 0);
        json_decref(doc);
        return commit_frame(commit, id, "module", frame, false);
    }
    if (strcmp(kind, "standings.published") == 0)
        return commit_frame(commit, id, comp->published ? "reset" : "hidden",
                            json_pack("{s:b}", "published", comp->published), !comp->published);
    return 0;
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
    if (!commit || commit_event(commit, competition, kind, actor, NULL, NULL, body) != 0 ||
        frame_of(commit, app_competition(c->app, competition), kind, body) != 0)
        abort();
    return commit;
}

void run_command(struct ctx *c, const char *competition, const char *kind, const char *body,
                 int status, json_t *reply)
{
    struct commit *commit = apply_command(c, competition, kind, body);
    if (commit) reply_when_durable(c, commit, status, reply);
    else json_decref(reply);
}
