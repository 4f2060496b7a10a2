/* What displays read: the board, the live stream, the spectator feed, a contestant's
 * profile and photo, and the QR code of the spectator page. Public while the standings
 * are published; staff (chief judge and up, within their assignment) always. */
#include <event2/buffer.h>
#include <event2/keyvalq_struct.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "devices/devices.h"
#include "format/qr_svg.h"
#include "format/standings_json.h"
#include "http/auth.h"
#include "http/server.h"
#include "live/board.h"
#include "live/hub.h"
#include "social/social.h"

bool may_watch(struct ctx *c, const struct competition *comp, bool *is_public)
{
    auth_session(c);
    *is_public = !c->session || c->session->role < ROLE_CHIEF;
    if (!*is_public) return ctx_assigned(c, comp, -1, -1);
    if (!comp->published)
        reply_fail(c, 403, "not_published", NULL, "成绩尚未公布 / the standings are not published yet");
    return comp->published;
}

/* The competition of params[0] when the caller may watch it; else answered, NULL. */
static struct competition *watched(struct ctx *c, bool *is_public)
{
    struct competition *comp = ctx_competition(c);
    return comp && may_watch(c, comp, is_public) ? comp : NULL;
}

static json_t *full_board(struct server *srv, const struct competition *comp)
{
    json_t *board = board_json(comp, comp->last_seq);
    json_object_set_new(board, "at", json_integer((json_int_t)now_ms()));
    social_decorate_board(srv->social, comp, board);
    json_object_set_new(board, "alarms", devices_alarms(srv->devices, comp));
    return board;
}

void handle_board(struct ctx *c)
{
    bool is_public;
    struct competition *comp = watched(c, &is_public);
    if (comp) reply_json(c, 200, full_board(c->server, comp));
}

/* Last-Event-ID: a decimal sequence; anything else counts as none. */
static int64_t last_event_id(struct evhttp_request *req)
{
    const char *v = evhttp_find_header(evhttp_request_get_input_headers(req), "Last-Event-ID");
    if (!v || !*v || strlen(v) > 18 || strspn(v, "0123456789") != strlen(v)) return -1;
    return strtoll(v, NULL, 10);
}

void handle_live(struct ctx *c)
{
    bool is_public;
    struct competition *comp = watched(c, &is_public);
    if (!comp || hub_attach(c->server->hub, c->req, comp->contest.scheme.id, last_event_id(c->req),
                            is_public))
        return;
    evhttp_add_header(evhttp_request_get_output_headers(c->req), "Retry-After", "5");
    reply_fail(c, 503, "too_many_viewers", NULL, "观看人数已满，请稍后再试 / too many viewers, try again shortly");
}

void handle_feed(struct ctx *c)
{
    bool is_public;
    struct competition *comp = watched(c, &is_public);
    if (comp) reply_json(c, 200, social_feed(c->server->social, comp));
}

/* The contestant of params[1], or answers 404 and returns -1. */
int ctx_contestant(struct ctx *c, const struct competition *comp)
{
    int who = scheme_contestant(&comp->contest.scheme, c->params[1]);
    if (who < 0) reply_fail(c, 404, "unknown_contestant", "contestant", "未知选手 / unknown contestant");
    return who;
}

void handle_profile(struct ctx *c)
{
    bool is_public;
    struct competition *comp = watched(c, &is_public);
    int who = comp ? ctx_contestant(c, comp) : -1;
    if (who >= 0) reply_json(c, 200, social_profile(c->server->social, comp, who));
}

void handle_photo(struct ctx *c)
{
    bool is_public;
    struct competition *comp = watched(c, &is_public);
    int who = comp ? ctx_contestant(c, comp) : -1;
    if (who < 0) return;
    size_t len = 0;
    unsigned char *jpeg = social_photo(c->server->social, comp, who, &len);
    if (!jpeg) {
        reply_fail(c, 404, "no_photo", NULL, "该选手没有照片 / this contestant has no photo");
        return;
    }
    struct evbuffer *out = evbuffer_new();
    evbuffer_add(out, jpeg, len);
    free(jpeg);
    struct evkeyvalq *h = evhttp_request_get_output_headers(c->req);
    evhttp_add_header(h, "Content-Type", "image/jpeg");
    evhttp_add_header(h, "Cache-Control", "no-cache");
    evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
    evhttp_send_reply(c->req, 200, NULL, out);
    evbuffer_free(out);
}

/* http://HOST/watch/{id}: the host the request came to (what the venue's network uses). */
void spectator_url(struct ctx *c, const char *competition, char *out, size_t size)
{
    const char *host = evhttp_find_header(evhttp_request_get_input_headers(c->req), "Host");
    bool plain = host && *host && strlen(host) < 200 &&
                 strspn(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]") ==
                     strlen(host);
    snprintf(out, size, "http://%s/watch/%s", plain ? host : "127.0.0.1:8080", competition);
}

/* Public even while the standings are hidden: it only encodes the spectator page's URL. */
void handle_qr(struct ctx *c)
{
    struct competition *comp = ctx_competition(c);
    if (!comp) return;
    char url[300];
    spectator_url(c, comp->contest.scheme.id, url, sizeof url);
    char *svg = qr_svg(url);
    if (!svg) {
        reply_fail(c, 500, "qr", NULL, "无法生成二维码 / cannot make the QR code");
        return;
    }
    struct evbuffer *out = evbuffer_new();
    evbuffer_add(out, svg, strlen(svg));
    free(svg);
    struct evkeyvalq *h = evhttp_request_get_output_headers(c->req);
    evhttp_add_header(h, "Content-Type", "image/svg+xml");
    evhttp_add_header(h, "Cache-Control", "no-cache");
    evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
    evhttp_send_reply(c->req, 200, NULL, out);
    evbuffer_free(out);
}

/* The hub's and the log's glue: snapshots, sequences, and committed frames. */
char *live_snapshot(void *arg, const char *competition, int64_t *seq)
{
    struct server *srv = arg;
    const struct competition *comp = app_competition(srv->app, competition);
    if (!comp) return NULL;
    *seq = comp->last_seq;
    json_t *board = full_board(srv, comp);
    social_follow(srv->social, competition, "snapshot", board); /* after commits nobody watched */
    char *text = json_dumps(board, JX_JSON_FLAGS);
    json_decref(board);
    return text;
}

int64_t live_last_seq(void *arg, const char *competition)
{
    struct server *srv = arg;
    const struct competition *comp = app_competition(srv->app, competition);
    return comp ? comp->last_seq : 0;
}

void live_publish(void *target, const char *competition, int64_t seq, const char *name,
                  json_t *data, bool end_public)
{
    struct server *srv = target;
    if (strcmp(name, "reset") == 0) {
        hub_reset(srv->hub, competition, seq);
        return;
    }
    social_follow(srv->social, competition, name, data);
    char *text = json_dumps(data, JX_JSON_FLAGS);
    if (text) hub_publish(srv->hub, competition, seq, name, text, end_public);
    free(text); /* out of memory: clients resync from the next snapshot */
}

bool live_watched(void *target, const char *competition)
{
    struct server *srv = target;
    return hub_watched(srv->hub, competition);
}

void live_announce(void *target, const char *competition, const char *name, const char *data)
{
    struct server *srv = target;
    hub_announce(srv->hub, competition, name, data);
}
