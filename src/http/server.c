/* The HTTP server: one evhttp loop; each request is matched against the route table,
 * authenticated, its body capped and read, then handed to the route's handler.
 * Everything not under /api/ is a static page or asset. */
#include "http/server.h"

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>
#include <event2/thread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "format/standings_json.h"
#include "api/api.h"
#include "http/auth.h"
#include "devices/devices.h"
#include "http/buckets.h"
#include "live/hub.h"
#include "social/social.h"
#include "http/request.h"
#include "store/writer.h"

#define MAX_BODY (16u << 20)

static const char *const role_names[] = {"public", "judge", "chief", "organiser", "admin"};

const char *role_name(enum role role) { return role_names[role]; }

int role_from_name(const char *name)
{
    for (int i = ROLE_JUDGE; i <= ROLE_ADMIN; i++)
        if (strcmp(role_names[i], name) == 0) return i;
    return -1;
}

static void security_headers(struct evhttp_request *req)
{
    struct evkeyvalq *h = evhttp_request_get_output_headers(req);
    evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
    evhttp_add_header(h, "X-Frame-Options", "DENY");
    evhttp_add_header(h, "Referrer-Policy", "same-origin");
    evhttp_add_header(h, "Cache-Control", "no-store");
}

void reply_json(struct ctx *c, int status, json_t *json)
{
    char *text = json ? json_dumps(json, JX_JSON_FLAGS) : NULL;
    json_decref(json);
    if (!text) status = 500; /* building the answer failed: out of memory */
    struct evbuffer *out = evbuffer_new();
    evbuffer_add_printf(out, "%s\n", text ? text : "{\"error\":{\"code\":\"internal\",\"message\":"
                                                   "\"内部错误 / internal error\"}}");
    free(text);
    security_headers(c->req);
    evhttp_add_header(evhttp_request_get_output_headers(c->req), "Content-Type",
                      "application/json; charset=utf-8");
    evhttp_send_reply(c->req, status, NULL, out);
    evbuffer_free(out);
}

void reply_download(struct ctx *c, const char *type, const char *filename, const char *data,
                    size_t len)
{
    struct evbuffer *out = evbuffer_new();
    evbuffer_add(out, data, len);
    security_headers(c->req);
    struct evkeyvalq *h = evhttp_request_get_output_headers(c->req);
    evhttp_add_header(h, "Content-Type", type);
    char disposition[200];
    snprintf(disposition, sizeof disposition, "attachment; filename=\"%s\"", filename);
    evhttp_add_header(h, "Content-Disposition", disposition);
    evhttp_send_reply(c->req, 200, NULL, out);
    evbuffer_free(out);
}

void reply_fail(struct ctx *c, int status, const char *code, const char *field, const char *message)
{
    json_t *error = json_pack("{s:s, s:s}", "code", code, "message", message);
    if (field && *field) json_object_set_new(error, "field", json_string(field));
    reply_json(c, status, json_pack("{s:o}", "error", error));
}

void reply_error(struct ctx *c, const struct jx_error *e)
{
    reply_fail(c, e->status, e->code, e->field, e->message);
}

struct later *later_new(const struct ctx *c, int status, json_t *body)
{
    struct later *l = malloc(sizeof *l);
    if (!l) {
        json_decref(body);
        return NULL;
    }
    *l = (struct later){*c, status, body};
    l->ctx.body = NULL; /* the request's own, freed when the handler returns */
    return l;
}

void later_reply(struct later *l)
{
    reply_json(&l->ctx, l->status, l->body);
    free(l);
}

void later_drop(struct later *l)
{
    json_decref(l->body);
    free(l);
}

json_t *body_json(struct ctx *c)
{
    json_error_t jerr;
    json_t *doc = json_loadb(c->body, c->body_len, JSON_REJECT_DUPLICATES, &jerr);
    if (!doc || !json_is_object(doc)) {
        char message[300];
        snprintf(message, sizeof message,
                 doc ? "请求体须为 JSON 对象 / the body must be a JSON object"
                     : "JSON 格式错误（第 %d 行第 %d 列）/ malformed JSON at line %d column %d: %.120s",
                 jerr.line, jerr.column, jerr.line, jerr.column, jerr.text);
        json_decref(doc);
        reply_fail(c, 400, "invalid_json", NULL, message);
        return NULL;
    }
    return doc;
}

struct competition *ctx_competition(struct ctx *c)
{
    struct competition *comp = app_competition(c->app, c->params[0]);
    if (!comp) reply_fail(c, 404, "unknown_competition", "competition", "未知竞赛 / unknown competition");
    return comp;
}

bool ctx_assigned(struct ctx *c, const struct competition *comp, int module, int contestant)
{
    if (c->session->role >= ROLE_ORGANISER) return true;
    const struct assignment *a = competition_assignment(comp, c->session->username);
    const struct scheme *s = &comp->contest.scheme;
    bool allowed = a && (module < 0 || a->modules[module]) &&
                   (contestant < 0 || a->venue < 0 || s->contestants[contestant].venue == a->venue);
    if (!allowed)
        reply_fail(c, 403, "not_assigned", NULL,
                   "不在您的分配范围内（赛场或模块）/ outside your assignment (venue or module)");
    return allowed;
}

char *query_param(struct ctx *c, const char *name)
{
    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(c->req);
    const char *query = evhttp_uri_get_query(uri);
    struct evkeyvalq params;
    if (!query || evhttp_parse_query_str(query, &params) != 0) return NULL;
    const char *value = evhttp_find_header(&params, name);
    char *copy = value ? strdup(value) : NULL;
    evhttp_clear_headers(&params);
    return copy;
}


static const char *method_name(struct evhttp_request *req)
{
    switch (evhttp_request_get_command(req)) {
    case EVHTTP_REQ_GET: return "GET";
    case EVHTTP_REQ_POST: return "POST";
    case EVHTTP_REQ_PUT: return "PUT";
    case EVHTTP_REQ_DELETE: return "DELETE";
    case EVHTTP_REQ_HEAD: return "HEAD";
    default: return "OTHER";
    }
}

static bool read_body(struct ctx *c, size_t cap)
{
    struct evbuffer *in = evhttp_request_get_input_buffer(c->req);
    size_t len = evbuffer_get_length(in);
    if (len > cap) {
        reply_fail(c, 413, "body_too_large", NULL, "请求体过大 / the request body is too large");
        return false;
    }
    if (!(c->body = malloc(len + 1))) {
        reply_fail(c, 500, "out_of_memory", NULL, "out of memory");
        return false;
    }
    evbuffer_remove(in, c->body, len);
    c->body[len] = '\0';
    c->body_len = len;
    return true;
}

static void dispatch_api(struct server *srv, struct evhttp_request *req, const char *path)
{
    struct ctx c = {.req = req, .server = srv, .app = srv->app};
    const char *peer = NULL;
    ev_uint16_t port;
    evhttp_connection_get_peer(evhttp_request_get_connection(req), (char **)&peer, &port);
    snprintf(c.peer, sizeof c.peer, "%s", peer ? peer : "");
    const struct route *found = NULL;
    bool path_known = false;
    for (size_t i = 0; i < n_routes && !found; i++) {
        if (!route_match(routes[i].pattern, path, c.params)) continue;
        path_known = true;
        if (strcmp(routes[i].method, method_name(req)) == 0) found = &routes[i];
    }
    if (!found) {
        if (path_known) reply_fail(&c, 405, "method_not_allowed", NULL, "不支持的方法 / method not allowed");
        else reply_fail(&c, 404, "not_found", NULL, "没有这个接口 / no such endpoint");
        return;
    }
    if (found->role != ROLE_PUBLIC && !auth_check(&c, found->role)) return;
    if (!read_body(&c, found->body_cap)) return;
    found->handler(&c);
    free(c.body);
}

static void dispatch(struct evhttp_request *req, void *arg)
{
    struct server *srv = arg;
    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
    const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
    if (!path) path = "/";
    if (strncmp(path, "/api/", 5) == 0 && strcmp(path, "/api/v1/openapi.yaml") != 0)
        dispatch_api(srv, req, path);
    else serve_static(req, srv->web_root);
}

static void resume_accepting(evutil_socket_t fd, short what, void *arg)
{
    evconnlistener_enable(arg);
}

/* accept() failed for good reason (out of descriptors: EMFILE, ENFILE): the listening
 * socket stays readable, so instead of spinning on it, pause new connections briefly. The
 * connections already open, judges' included, carry on. */
static void accept_failed(struct evconnlistener *listener, void *arg)
{
    int err = EVUTIL_SOCKET_ERROR();
    evconnlistener_disable(listener);
    struct timeval pause = {0, 200 * 1000};
    event_base_once(evconnlistener_get_base(listener), -1, EV_TIMEOUT, resume_accepting, listener,
                    &pause);
    fprintf(stderr, "jiangxing: cannot accept connections (%s): paused for 200 ms\n",
            evutil_socket_error_to_string(err));
}

/* As many descriptors as the system lets us have: each viewer's stream holds one. */
static void raise_open_files(void)
{
    struct rlimit r;
    if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
        r.rlim_cur = r.rlim_max;
        setrlimit(RLIMIT_NOFILE, &r);
    }
}

int server_run(struct app *app, const char *db_path, const struct server_config *config,
               const struct devices_config *devices)
{
    const char *listen = config->listen;
    char host[128];
    const char *colon = strrchr(listen, ':');
    int port = colon ? atoi(colon + 1) : 0;
    if (!colon || port <= 0 || port > 65535 || (size_t)(colon - listen) >= sizeof host) {
        fprintf(stderr, "jiangxing serve: --listen wants HOST:PORT, such as 127.0.0.1:8080\n");
        return 2;
    }
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = '\0';
    signal(SIGPIPE, SIG_IGN);
    raise_open_files();
    evthread_use_pthreads();
    struct server srv = {.app = app, .web_root = config->web_root};
    srv.base = event_base_new();
    if (srv.base) event_base_priority_init(srv.base, 2); /* 0: commits answered, 1: the rest */
    srv.http = evhttp_new(srv.base);
    if (!srv.base || !srv.http) return 1;
    if (!(app->writer = writer_start(db_path, srv.base))) return 1;
    if (auth_init(&srv) != 0) return 1;
    struct jx_error e;
    srv.hub = hub_new(srv.base, (struct hub_source){live_snapshot, live_last_seq, &srv},
                      config->stream_workers);
    srv.social = srv.hub ? social_open(app->db, app->writer, srv.base, app, live_announce, &srv, &e)
                         : NULL;
    srv.spectators = calloc(1, sizeof *srv.spectators);
    if (!srv.hub || !srv.social || !srv.spectators) {
        fprintf(stderr, "jiangxing serve: cannot start live display: %s\n",
                srv.hub && !srv.social ? e.message : "out of memory");
        return 1;
    }
    app->publish = live_publish;
    app->watched = live_watched;
    app->publish_target = &srv;
    if (devices && !(srv.devices = devices_start(app, srv.base, devices, live_announce, &srv))) {
        fprintf(stderr, "jiangxing serve: cannot start the device gateway\n");
        return 1;
    }
    evhttp_set_max_body_size(srv.http, MAX_BODY);
    evhttp_set_max_headers_size(srv.http, 16 * 1024);
    evhttp_set_timeout(srv.http, 60);
    evhttp_set_allowed_methods(srv.http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD);
    evhttp_set_gencb(srv.http, dispatch, &srv);
    struct evhttp_bound_socket *bound = evhttp_bind_socket_with_handle(srv.http, host, (ev_uint16_t)port);
    if (!bound) {
        fprintf(stderr, "jiangxing serve: cannot listen on %s (in use? try another port)\n", listen);
        return 1;
    }
    evconnlistener_set_error_cb(evhttp_bound_socket_get_listener(bound), accept_failed);
    struct event *stop = evsignal_new(srv.base, SIGTERM, server_stop_cb, srv.base);
    struct event *stop_int = evsignal_new(srv.base, SIGINT, server_stop_cb, srv.base);
    event_add(stop, NULL);
    event_add(stop_int, NULL);
    printf("jiangxing: serving http://%s/ (admin: /admin, judges: /judge)\n", listen);
    fflush(stdout);
    event_base_dispatch(srv.base);
    while (app->helper_threads > 0) usleep(1000); /* they still hand work to the writer */
    /* Devices and spectator data first: their last commits and counts go through the
     * writer, and their announcements through the hub. */
    devices_stop(srv.devices);
    social_close(srv.social);
    app->publish = NULL;
    app->watched = NULL;
    hub_free(srv.hub);
    free(srv.spectators);
    writer_stop(app->writer);
    app->writer = NULL;
    auth_release(&srv);
    event_free(stop);
    event_free(stop_int);
    evhttp_free(srv.http);
    event_base_free(srv.base);
    return 0;
}

void server_stop_cb(evutil_socket_t fd, short what, void *arg)
{
    event_base_loopexit(arg, NULL);
}
