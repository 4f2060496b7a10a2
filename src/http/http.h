/* What every handler sees: the request, the app, the caller's session and the path
 * parameters, plus the helpers that answer in JSON (errors as {"error": {...}}). */
#ifndef JX_HTTP_HTTP_H
#define JX_HTTP_HTTP_H

#include <event2/http.h>
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "app/app.h"

enum role { ROLE_PUBLIC, ROLE_JUDGE, ROLE_CHIEF, ROLE_ORGANISER, ROLE_ADMIN };
const char *role_name(enum role role);
/* -1 when the name is not a role. */
int role_from_name(const char *name);

struct session {
    char username[65];
    char name[201];
    char csrf[65];
    enum role role;
    int64_t expires_ms;
};

struct server;

struct ctx {
    struct evhttp_request *req;
    struct server *server;
    struct app *app;
    const struct session *session; /* NULL for public requests */
    char params[3][129];           /* {id}, {contestant}... (request.h: ROUTE_PARAMS, _SIZE) */
    char *body;                    /* NUL-terminated request body (owned), may be empty */
    size_t body_len;
    char peer[64];
};

typedef void (*handler_fn)(struct ctx *c);

struct route {
    const char *method;  /* "GET", "POST" */
    const char *pattern; /* "/api/v1/competitions/{}/marks": {} is one path segment */
    enum role role;      /* least role allowed; ROLE_PUBLIC needs no session */
    size_t body_cap;     /* bytes; larger bodies get 413 */
    handler_fn handler;
};

extern const struct route routes[];
extern const size_t n_routes;

/* Replies (all set security headers). json is stolen. */
void reply_json(struct ctx *c, int status, json_t *json);
void reply_error(struct ctx *c, const struct jx_error *e);
/* A download: data (len bytes) with its type; filename sets Content-Disposition. */
void reply_download(struct ctx *c, const char *type, const char *filename, const char *data,
                    size_t len);
void reply_fail(struct ctx *c, int status, const char *code, const char *field, const char *message);
/* An answer sent once something finishes after the handler has returned (the writer, the
 * broker): a copy of the request's context (without its body) and what to send. */
struct later {
    struct ctx ctx;
    int status;
    json_t *body;
};
/* NULL when out of memory (body is freed then). */
struct later *later_new(const struct ctx *c, int status, json_t *body);
/* Sends status + body and frees l. */
void later_reply(struct later *l);
/* Frees l without answering (the caller answers some other way). */
void later_drop(struct later *l);

/* Parses the body as a JSON object; on failure replies 400 and returns NULL. */
json_t *body_json(struct ctx *c);
/* The competition named by params[0], or replies 404 and returns NULL. */
struct competition *ctx_competition(struct ctx *c);
/* Below organiser, the caller's assignment in comp must exist and cover the module and
 * the contestant's venue (each checked when >= 0); replies 403 and returns false if not. */
bool ctx_assigned(struct ctx *c, const struct competition *comp, int module, int contestant);
/* A query parameter (decoded, owned by the caller) or NULL. */
char *query_param(struct ctx *c, const char *name);

/* Static files under root for /judge, /admin, /static/... */
void serve_static(struct evhttp_request *req, const char *root);

#endif
