/* The organiser's side of live display: settings (auto-publish, word filter, caps, the
 * screen's rotation), comment moderation, expert commentary, pledges and photos. */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "format/photo.h"
#include "http/server.h"
#include "social/social.h"

#define MAX_COMMENTARY_CHARS 500
#define MAX_PLEDGE_CHARS 200

/* Answers a write once durable: status + body. */
static void written(int64_t id, void *arg) { later_reply(arg); }

static struct later *pending_new(struct ctx *c, int status, json_t *body)
{
    struct later *p = later_new(c, status, body);
    if (!p) reply_fail(c, 500, "out_of_memory", NULL, "out of memory");
    return p;
}

/* Runs rc: on error drops p and answers e. */
static void finish(struct ctx *c, struct later *p, int rc, const struct jx_error *e)
{
    if (rc == 0) return;
    later_drop(p);
    reply_error(c, e);
}

static json_t *display_json(struct ctx *c, struct competition *comp)
{
    json_t *settings = social_settings(c->server->social, comp);
    char url[300];
    spectator_url(c, comp->contest.scheme.id, url, sizeof url);
    json_object_set_new(settings, "public_url", json_string(url));
    return settings;
}

void handle_get_display(struct ctx *c)
{
    struct competition *comp = ctx_competition(c);
    if (comp) reply_json(c, 200, display_json(c, comp));
}

void handle_set_display(struct ctx *c)
{
    struct competition *comp = ctx_competition(c);
    json_t *doc = comp ? body_json(c) : NULL;
    if (!doc) return;
    struct jx_error e;
    json_object_del(doc, "public_url");
    struct later *p = pending_new(c, 200, NULL);
    if (p) {
        int rc = social_set_settings(c->server->social, comp, doc, written, p, &e);
        if (rc == 0) p->body = display_json(c, comp);
        finish(c, p, rc, &e);
    }
    json_decref(doc);
}

void handle_list_comments(struct ctx *c)
{
    struct competition *comp = ctx_competition(c);
    if (!comp) return;
    char *status = query_param(c, "status");
    const char *s = status ? status : "pending";
    if (strcmp(s, "pending") && strcmp(s, "published") && strcmp(s, "rejected"))
        reply_fail(c, 400, "invalid_status", "status",
                   "status 须为 pending、published 或 rejected / status must be pending, published or rejected");
    else reply_json(c, 200, json_pack("{s:o}", "comments", social_comments(c->server->social, comp, s)));
    free(status);
}

void handle_moderate(struct ctx *c)
{
    struct competition *comp = ctx_competition(c);
    json_t *doc = comp ? body_json(c) : NULL;
    if (!doc) return;
    char *end;
    long long id = strtoll(c->params[1], &end, 10);
    const char *action = json_string_value(json_object_get(doc, "action"));
    struct jx_error e;
    if (*end || id <= 0) {
        reply_fail(c, 404, "unknown_comment", "id", "未知留言 / unknown comment");
    } else if (!action) {
        reply_fail(c, 400, "invalid_action", "action",
                   "action 须为 approve、reject 或 block / action must be approve, reject or block");
    } else {
        struct later *p = pending_new(c, 200, json_pack("{s:I, s:s}", "id", id, "action", action));
        if (p)
            finish(c, p,
                   social_moderate(c->server->social, comp, id, action, c->session->username,
                                   written, p, &e),
                   &e);
    }
    json_decref(doc);
}

void handle_commentary(struct ctx *c)
{
    struct competition *comp = ctx_competition(c);
    json_t *doc = comp ? body_json(c) : NULL;
    if (!doc) return;
    const char *text = json_string_value(json_object_get(doc, "text"));
    struct jx_error e;
    if (!plain_text(text, MAX_COMMENTARY_CHARS)) {
        reply_fail(c, 400, "invalid_text", "text", "解说须为 1–500 个字符 / commentary is 1–500 characters");
    } else {
        struct later *p = pending_new(c, 201, json_pack("{s:b}", "ok", 1));
        if (p)
            finish(c, p,
                   social_commentary(c->server->social, comp, text, c->session->name, written, p, &e),
                   &e);
    }
    json_decref(doc);
}

void handle_set_profile(struct ctx *c)
{
    struct competition *comp = ctx_competition(c);
    int who = comp ? ctx_contestant(c, comp) : -1;
    json_t *doc = who >= 0 ? body_json(c) : NULL;
    if (!doc) return;
    const char *pledge = json_string_value(json_object_get(doc, "pledge"));
    struct jx_error e;
    if (!pledge || (*pledge && !plain_text(pledge, MAX_PLEDGE_CHARS))) {
        reply_fail(c, 400, "invalid_text", "pledge", "宣言须为至多 200 个字符 / a pledge is at most 200 characters");
    } else {
        struct later *p = pending_new(c, 200, json_pack("{s:s}", "pledge", pledge));
        if (p) finish(c, p, social_set_pledge(c->server->social, comp, who, pledge, written, p, &e), &e);
    }
    json_decref(doc);
}

void handle_set_photo(struct ctx *c)
{
    struct competition *comp = ctx_competition(c);
    int who = comp ? ctx_contestant(c, comp) : -1;
    if (who < 0) return;
    unsigned char *jpeg;
    size_t len;
    struct jx_error e;
    if (photo_resize((const unsigned char *)c->body, c->body_len, &jpeg, &len, &e) != 0) {
        reply_error(c, &e);
        return;
    }
    struct later *p = pending_new(c, 200, json_pack("{s:b, s:I}", "photo", 1, "bytes", (json_int_t)len));
    if (!p) {
        free(jpeg);
    } else if (social_set_photo(c->server->social, comp, who, jpeg, len, written, p) != 0) {
        json_decref(p->body);
        free(p);
        reply_fail(c, 500, "out_of_memory", NULL, "out of memory");
    }
}
