/* Users, sessions and login. A session token is 256 random bits; only its SHA-256 is
 * stored. Browser writes must echo the session's CSRF token; bearer clients need none. */
#include "http/auth.h"

#include <event2/http.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/commit.h"
#include "format/competition_json.h"
#include "http/buckets.h"
#include "http/request.h"
#include "store/writer.h"

#define SESSION_MS (12LL * 3600 * 1000)
/* Only failed logins cost: a venue's tablets share one address, and thirty judges
 * signing in at once must all get in. Failures are limited per address and username
 * (guessing one password) and per address (spraying many usernames). */
#define FAILURES_PER_USER 10   /* burst of failures for one username from one address */
#define FAILURES_PER_PEER 50   /* burst of failures from one address, all usernames */
#define REFILL_MS 6000         /* one failure forgiven every 6 s */
struct auth_state {
    struct strmap by_token;    /* hex SHA-256 of token → index into sessions */
    struct session *sessions;
    int n_sessions, cap_sessions;
    struct buckets failures; /* failed logins: "peer" and "peer username" */
};

static void hex_of(const unsigned char *bytes, size_t n, char *out)
{
    sodium_bin2hex(out, n * 2 + 1, bytes, n);
}

static void token_key(const char *token, char out[65])
{
    unsigned char digest[32];
    crypto_hash_sha256(digest, (const unsigned char *)token, strlen(token));
    hex_of(digest, 32, out);
}

static int remember_session(struct auth_state *a, const char *key, const struct session *s)
{
    if (a->n_sessions == a->cap_sessions) {
        int cap = a->cap_sessions ? a->cap_sessions * 2 : 64;
        struct session *grown = realloc(a->sessions, (size_t)cap * sizeof *grown);
        if (!grown) return -1;
        a->sessions = grown;
        a->cap_sessions = cap;
    }
    a->sessions[a->n_sessions] = *s;
    if (strmap_put(&a->by_token, key, a->n_sessions) != 0) return -1;
    a->n_sessions++;
    return 0;
}

int auth_init(struct server *srv)
{
    if (sodium_init() < 0 || !(srv->auth = calloc(1, sizeof *srv->auth))) return -1;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(srv->app->db,
                           "SELECT s.token_hash, s.username, s.csrf, s.expires_ms, u.name, u.role"
                           " FROM sessions s JOIN users u ON u.username = s.username"
                           " WHERE s.expires_ms > ?",
                           -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_int64(st, 1, now_ms());
    while (sqlite3_step(st) == SQLITE_ROW) {
        struct session s = {0};
        snprintf(s.username, sizeof s.username, "%s", sqlite3_column_text(st, 1));
        snprintf(s.csrf, sizeof s.csrf, "%s", sqlite3_column_text(st, 2));
        s.expires_ms = sqlite3_column_int64(st, 3);
        snprintf(s.name, sizeof s.name, "%s", sqlite3_column_text(st, 4));
        int role = role_from_name((const char *)sqlite3_column_text(st, 5));
        if (role < 0) continue;
        s.role = role;
        remember_session(srv->auth, (const char *)sqlite3_column_text(st, 0), &s);
    }
    sqlite3_finalize(st);
    return 0;
}

void auth_release(struct server *srv)
{
    if (!srv->auth) return;
    strmap_release(&srv->auth->by_token);
    free(srv->auth->sessions);
    free(srv->auth);
    srv->auth = NULL;
}

static bool find_token(struct evhttp_request *req, char *out, size_t size, bool *from_cookie)
{
    struct evkeyvalq *h = evhttp_request_get_input_headers(req);
    return session_token(evhttp_find_header(h, "Authorization"), evhttp_find_header(h, "Cookie"),
                         out, size, from_cookie);
}

static const struct session *session_of(struct auth_state *a, const char *token)
{
    char key[65];
    int64_t index;
    token_key(token, key);
    if (!strmap_get(&a->by_token, key, &index)) return NULL;
    const struct session *s = &a->sessions[index];
    return s->expires_ms > now_ms() && s->username[0] ? s : NULL;
}

void auth_session(struct ctx *c)
{
    char token[129];
    bool from_cookie;
    if (find_token(c->req, token, sizeof token, &from_cookie))
        c->session = session_of(c->server->auth, token);
}

bool auth_check(struct ctx *c, enum role least)
{
    char token[129];
    bool from_cookie;
    if (!find_token(c->req, token, sizeof token, &from_cookie) ||
        !(c->session = session_of(c->server->auth, token))) {
        reply_fail(c, 401, "unauthenticated", NULL, "请先登录（会话不存在或已过期）/ please log in: no session or it expired");
        return false;
    }
    if (from_cookie && evhttp_request_get_command(c->req) != EVHTTP_REQ_GET) {
        const char *csrf =
            evhttp_find_header(evhttp_request_get_input_headers(c->req), "X-CSRF-Token");
        if (!csrf || strlen(csrf) != 64 || sodium_memcmp(csrf, c->session->csrf, 64) != 0) {
            reply_fail(c, 403, "csrf", NULL, "缺少或错误的 CSRF 令牌，请刷新页面 / missing or wrong CSRF token: reload the page");
            return false;
        }
    }
    if (c->session->role < least) {
        reply_fail(c, 403, "forbidden", NULL, "没有权限 / your role may not do this");
        return false;
    }
    return true;
}

bool hashing_start(struct app *app, void *(*fn)(void *), void *arg)
{
    if (++app->helper_threads > MAX_HASHING) {
        app->helper_threads--;
        return false;
    }
    pthread_t thread;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    bool started = pthread_create(&thread, &attr, fn, arg) == 0;
    pthread_attr_destroy(&attr);
    if (!started) app->helper_threads--;
    return started;
}

void reply_busy(struct ctx *c)
{
    evhttp_add_header(evhttp_request_get_output_headers(c->req), "Retry-After", "1");
    reply_fail(c, 503, "busy", NULL, "服务器繁忙，请一秒后重试 / busy: try again in a second");
}

int password_hash(const char *password, char out[crypto_pwhash_STRBYTES])
{
    return sodium_init() < 0 ? -1
                             : crypto_pwhash_str_alg(out, password, strlen(password),
                                                     crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                                     crypto_pwhash_MEMLIMIT_INTERACTIVE,
                                                     crypto_pwhash_ALG_ARGON2ID13);
}

int user_add(sqlite3 *db, const char *username, const char *name, const char *role,
             const char *password, struct jx_error *e)
{
    if (!id_is_valid(username))
        return jx_fail(e, 400, "invalid_username", "username",
                       "用户名只能含字母、数字、_ . -（≤64）/ usernames use A-Z a-z 0-9 _ . - (max 64)");
    if (strcmp(username, DEVICE_JUDGE) == 0) /* automatic marks carry this name */
        return jx_fail(e, 409, "reserved_username", "username",
                       "用户名 device 保留给设备自动评分 / the username device is reserved for devices");
    if (role_from_name(role) < 0)
        return jx_fail(e, 400, "invalid_role", "role",
                       "角色须为 admin、organiser、chief 或 judge / role must be admin, organiser, chief or judge");
    if (strlen(password) < 8 || strlen(password) > 256)
        return jx_fail(e, 400, "weak_password", "password", "密码须为 8–256 个字符 / passwords have 8–256 characters");
    char hash[crypto_pwhash_STRBYTES];
    if (password_hash(password, hash) != 0)
        return jx_fail(e, 500, "hash_failed", NULL, "密码哈希失败 / cannot hash the password");
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "INSERT INTO users(username, name, role, pw_hash, created_ms)"
                           " VALUES(?,?,?,?,?)",
                           -1, &st, NULL) != SQLITE_OK)
        return jx_fail(e, 500, "store", NULL, "%s", sqlite3_errmsg(db));
    sqlite3_bind_text(st, 1, username, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, name && *name ? name : username, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, role, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, hash, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, now_ms());
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc == SQLITE_CONSTRAINT)
        return jx_fail(e, 409, "user_exists", "username", "用户 %s 已存在 / user %s exists", username,
                       username);
    return rc == SQLITE_DONE ? 0 : jx_fail(e, 500, "store", NULL, "%s", sqlite3_errmsg(db));
}

static bool login_allowed(struct auth_state *a, const char *peer, const char *username)
{
    char pair[160];
    snprintf(pair, sizeof pair, "%s %s", peer, username);
    return bucket_of(&a->failures, peer, FAILURES_PER_PEER, REFILL_MS)->tokens >= 1 &&
           bucket_of(&a->failures, pair, FAILURES_PER_USER, REFILL_MS)->tokens >= 1;
}

static void login_failed(struct auth_state *a, const char *peer, const char *username)
{
    char pair[160];
    snprintf(pair, sizeof pair, "%s %s", peer, username);
    bucket_of(&a->failures, peer, FAILURES_PER_PEER, REFILL_MS)->tokens -= 1;
    bucket_of(&a->failures, pair, FAILURES_PER_USER, REFILL_MS)->tokens -= 1;
}

/* Compared against when the user does not exist, so both answers take as long. */
static const char dummy_hash[] =
    "$argon2id$v=19$m=65536,t=2,p=1$fXSMfarFAKlA+PfPZt3HZA$FXOywALbq6Oh7VvBSQ/a2HllKQ9fy28kTYhYsYWgt7U";

struct pending_login {
    struct evhttp_request *req;
    struct server *server;
    struct session session;
    char token[65], key[65];
    char hash[128], password[257];
    char peer[64], username[65];
    bool known, accepted;
};

/* Reads the user's row on the loop thread (fast); the slow check happens elsewhere. */
static void load_user(sqlite3 *db, const char *username, struct pending_login *p)
{
    sqlite3_stmt *st;
    snprintf(p->hash, sizeof p->hash, "%s", dummy_hash);
    if (sqlite3_prepare_v2(db, "SELECT pw_hash, name, role FROM users WHERE username = ?", -1, &st,
                           NULL) != SQLITE_OK)
        return;
    sqlite3_bind_text(st, 1, username, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        int role = role_from_name((const char *)sqlite3_column_text(st, 2));
        p->known = role >= 0;
        snprintf(p->hash, sizeof p->hash, "%s", sqlite3_column_text(st, 0));
        snprintf(p->session.username, sizeof p->session.username, "%s", username);
        snprintf(p->session.name, sizeof p->session.name, "%s", sqlite3_column_text(st, 1));
        p->session.role = role < 0 ? ROLE_PUBLIC : role;
    }
    sqlite3_finalize(st);
}

static int write_session(sqlite3 *db, void *arg)
{
    struct pending_login *p = arg;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "INSERT OR REPLACE INTO sessions(token_hash, username, csrf, expires_ms)"
                           " VALUES(?,?,?,?)",
                           -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, p->key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, p->session.username, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, p->session.csrf, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, p->session.expires_ms);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

static json_t *user_json(const struct session *s)
{
    return json_pack("{s:s, s:s, s:s}", "username", s->username, "role", role_name(s->role),
                     "name", s->name);
}

static void login_done(void *arg)
{
    struct pending_login *p = arg;
    struct ctx c = {.req = p->req, .server = p->server, .app = p->server->app};
    if (!p->accepted) {
        login_failed(p->server->auth, p->peer, p->username);
        reply_fail(&c, 401, "bad_credentials", NULL, "用户名或密码错误 / wrong username or password");
    } else if (remember_session(p->server->auth, p->key, &p->session) != 0) {
        reply_fail(&c, 500, "out_of_memory", NULL, "out of memory");
    } else {
        char cookie[200];
        snprintf(cookie, sizeof cookie, SESSION_COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%lld",
                 p->token, SESSION_MS / 1000);
        evhttp_add_header(evhttp_request_get_output_headers(p->req), "Set-Cookie", cookie);
        reply_json(&c, 200,
                   json_pack("{s:s, s:s, s:o}", "token", p->token, "csrf", p->session.csrf, "user",
                             user_json(&p->session)));
    }
    sodium_memzero(p, sizeof *p);
    free(p);
}

/* On its own thread: the Argon2id check, then the session row through the writer, whose
 * completion answers on the loop thread (a refusal too, with nothing to write). */
static void *check_password(void *arg)
{
    struct pending_login *p = arg;
    p->accepted = crypto_pwhash_str_verify(p->hash, p->password, strlen(p->password)) == 0 &&
                  p->known;
    sodium_memzero(p->password, sizeof p->password);
    if (p->accepted) {
        unsigned char random[32];
        randombytes_buf(random, sizeof random);
        hex_of(random, 32, p->token);
        randombytes_buf(random, sizeof random);
        hex_of(random, 32, p->session.csrf);
        token_key(p->token, p->key);
        p->session.expires_ms = now_ms() + SESSION_MS;
    }
    struct app *app = p->server->app;
    writer_submit(app->writer, p->accepted ? write_session : NULL, login_done, p);
    app->helper_threads--;
    return NULL;
}

void handle_login(struct ctx *c)
{
    json_t *doc = body_json(c);
    if (!doc) return;
    const char *username = json_string_value(json_object_get(doc, "username"));
    const char *password = json_string_value(json_object_get(doc, "password"));
    struct pending_login *p = calloc(1, sizeof *p);
    if (!username || !password || strlen(password) > 256 || strlen(username) > 64) {
        reply_fail(c, 400, "missing_field", username ? "password" : "username",
                   "须提供用户名和密码 / username and password are required");
    } else if (!login_allowed(c->server->auth, c->peer, username)) {
        evhttp_add_header(evhttp_request_get_output_headers(c->req), "Retry-After", "6");
        reply_fail(c, 429, "too_many_attempts", NULL,
                   "登录失败次数过多，请稍后再试 / too many failed attempts: wait a few seconds");
    } else if (!p) {
        reply_fail(c, 500, "out_of_memory", NULL, "out of memory");
    } else {
        load_user(c->app->db, username, p);
        snprintf(p->password, sizeof p->password, "%s", password);
        snprintf(p->peer, sizeof p->peer, "%s", c->peer);
        snprintf(p->username, sizeof p->username, "%s", username);
        p->req = c->req;
        p->server = c->server;
        if (hashing_start(c->app, check_password, p)) p = NULL;
        else reply_busy(c);
    }
    if (p) sodium_memzero(p, sizeof *p);
    free(p);
    json_decref(doc);
}

struct pending_logout {
    struct evhttp_request *req;
    struct server *server;
    char key[65];
};

static int delete_session(sqlite3 *db, void *arg)
{
    struct pending_logout *p = arg;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "DELETE FROM sessions WHERE token_hash = ?", -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, p->key, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

static void logout_done(void *arg)
{
    struct pending_logout *p = arg;
    struct ctx c = {.req = p->req, .server = p->server, .app = p->server->app};
    evhttp_add_header(evhttp_request_get_output_headers(p->req), "Set-Cookie",
                      SESSION_COOKIE "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    reply_json(&c, 200, json_pack("{s:b}", "ok", 1));
    free(p);
}

void handle_logout(struct ctx *c)
{
    char token[129];
    bool from_cookie;
    struct pending_logout *p = calloc(1, sizeof *p);
    if (!p || !find_token(c->req, token, sizeof token, &from_cookie)) {
        free(p);
        reply_fail(c, 500, "out_of_memory", NULL, "out of memory");
        return;
    }
    token_key(token, p->key);
    p->req = c->req;
    p->server = c->server;
    /* The session ends in memory at once; the answer waits for the row's deletion. */
    ((struct session *)c->session)->username[0] = '\0';
    writer_submit(c->app->writer, delete_session, logout_done, p);
}

void handle_me(struct ctx *c)
{
    json_t *me = user_json(c->session);
    json_object_set_new(me, "csrf", json_string(c->session->csrf));
    reply_json(c, 200, me);
}
