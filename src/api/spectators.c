/* Anonymous spectators' actions: like, cheer, comment. Each is limited per device (a
 * signed cookie) and per address with token buckets; excess gets 429 and Retry-After. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/utf8.h"
#include "http/buckets.h"
#include "http/server.h"
#include "social/social.h"

#define MAX_COMMENT_CHARS 200
/* Bursts and refill intervals (ms). */
#define REACT_BURST 10
#define REACT_REFILL 200.0
#define COMMENT_BURST 3
#define COMMENT_REFILL 10000.0
#define ADDRESS_BURST 300
#define ADDRESS_REFILL 5.0
#define NEW_DEVICE_BURST 30 /* a venue's phones share an address: 30 at once, then one per 2 s */
#define NEW_DEVICE_REFILL 2000.0

struct spectator {
    struct competition *comp;
    char device[33];
};

static void too_many(struct ctx *c, int seconds, const char *message)
{
    char retry[16];
    snprintf(retry, sizeof retry, "%d", seconds > 0 ? seconds : 1);
    evhttp_add_header(evhttp_request_get_output_headers(c->req), "Retry-After", retry);
    reply_fail(c, 429, "rate_limited", NULL, message);
}

/* Checks what every spectator action needs; false when already answered. */
static bool spectator_begin(struct ctx *c, struct spectator *sp, double burst, double refill_ms)
{
    struct evkeyvalq *in = evhttp_request_get_input_headers(c->req);
    const char *type = evhttp_find_header(in, "Content-Type");
    if (!type || strncmp(type, "application/json", 16) != 0 || (type[16] && type[16] != ';')) {
        reply_fail(c, 415, "unsupported_media_type", NULL,
                   "请以 application/json 发送 / send the body as application/json");
        return false;
    }
    bool is_public;
    if (!(sp->comp = ctx_competition(c)) || !may_watch(c, sp->comp, &is_public)) return false;
    char set_cookie[160];
    social_device(c->server->social, evhttp_find_header(in, "Cookie"), sp->device, set_cookie);
    if (*set_cookie)
        evhttp_add_header(evhttp_request_get_output_headers(c->req), "Set-Cookie", set_cookie);
    char address[80], device[64];
    snprintf(address, sizeof address, "addr %s", c->peer);
    /* Separate buckets for reacting and commenting: each has its own burst and pace. */
    snprintf(device, sizeof device, "dev %s %s", burst == COMMENT_BURST ? "comment" : "react",
             sp->device);
    int wait = bucket_take(c->server->spectators, address, ADDRESS_BURST, ADDRESS_REFILL);
    if (wait == 0 && *set_cookie) { /* a new device: bounded per address, so dropping the
                                     * cookie cannot reset caps or grow our tables at will */
        char fresh[80];
        snprintf(fresh, sizeof fresh, "new %s", c->peer);
        wait = bucket_take(c->server->spectators, fresh, NEW_DEVICE_BURST, NEW_DEVICE_REFILL);
    }
    if (wait == 0) wait = bucket_take(c->server->spectators, device, burst, refill_ms);
    if (wait > 0) {
        too_many(c, wait, "操作太频繁，请稍后再试 / too many requests: try again shortly");
        return false;
    }
    json_t *doc = body_json(c);
    if (!doc) return false;
    json_decref(doc);
    return true;
}

static void react(struct ctx *c, enum reaction kind)
{
    struct spectator sp;
    if (!spectator_begin(c, &sp, REACT_BURST, REACT_REFILL)) return;
    int who = ctx_contestant(c, sp.comp);
    if (who < 0) return;
    struct jx_error e;
    if (social_react(c->server->social, sp.comp, who, sp.device, kind, &e) != 0) reply_error(c, &e);
    else reply_json(c, 200, social_counts(c->server->social, sp.comp, who, sp.device));
}

void handle_like(struct ctx *c) { react(c, REACT_LIKE); }
void handle_cheer(struct ctx *c) { react(c, REACT_CHEER); }

/* The comment is durable: its id joins the status already in the answer. */
static void comment_written(int64_t id, void *arg)
{
    struct later *p = arg;
    json_object_set_new(p->body, "id", json_integer((json_int_t)id));
    later_reply(p);
}

/* Text a person typed: valid UTF-8, 1 to max characters, no control characters but newlines. */
bool plain_text(const char *text, size_t max_chars)
{
    if (!text || !*text || !utf8_valid((const unsigned char *)text, strlen(text)) ||
        utf8_length(text) > max_chars)
        return false;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        if ((*p < 0x20 && *p != '\n') || *p == 0x7f) return false;
    return true;
}

void handle_comment(struct ctx *c)
{
    struct spectator sp;
    if (!spectator_begin(c, &sp, COMMENT_BURST, COMMENT_REFILL)) return;
    json_t *doc = body_json(c);
    const char *text = json_string_value(json_object_get(doc, "text"));
    json_t *about = json_object_get(doc, "contestant");
    int who = -1;
    if (!plain_text(text, MAX_COMMENT_CHARS)) {
        reply_fail(c, 400, "invalid_text", "text",
                   "留言须为 1–200 个字符的文字 / a comment is 1–200 characters of text");
    } else if (about && !json_is_null(about) &&
               (!json_is_string(about) ||
                (who = scheme_contestant(&sp.comp->contest.scheme, json_string_value(about))) < 0)) {
        reply_fail(c, 404, "unknown_contestant", "contestant", "未知选手 / unknown contestant");
    } else {
        struct later *p = later_new(c, 202, json_object());
        struct jx_error e;
        bool published;
        if (!p) {
            reply_fail(c, 500, "out_of_memory", NULL, "out of memory");
        } else if (social_comment(c->server->social, sp.comp, who, sp.device, text, &published,
                                  comment_written, p, &e) != 0) {
            later_drop(p);
            reply_error(c, &e);
        } else { /* answered once written, never before this returns */
            json_object_set_new(p->body, "status", json_string(published ? "published" : "pending"));
        }
    }
    json_decref(doc);
}
