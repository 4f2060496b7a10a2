/* Authentication: users with Argon2id passwords, sessions (cookie + CSRF token, or
 * bearer token), the login rate limit, and the role check every route goes through. */
#ifndef JX_HTTP_AUTH_H
#define JX_HTTP_AUTH_H

#include <sqlite3.h>

#include "http/server.h"

int auth_init(struct server *srv);
void auth_release(struct server *srv);
/* Finds the caller's session and checks its role (and CSRF for cookie writes);
 * replies 401/403 and returns false when refused. */
bool auth_check(struct ctx *c, enum role least);

/* Sets c->session when the request carries a valid session; never replies. For public
 * routes that show more to staff. */
void auth_session(struct ctx *c);

/* At most this many Argon2id threads (64 MiB each) run at once; more get 503. */
#define MAX_HASHING 4
/* Starts fn(arg) on a detached thread when fewer than MAX_HASHING run; the thread must
 * decrement app->helper_threads when done. False: nothing started (answer with reply_busy). */
bool hashing_start(struct app *app, void *(*fn)(void *), void *arg);
void reply_busy(struct ctx *c);

/* Argon2id (libsodium's interactive limits) into out; 0 or -1. Slow on purpose: call it
 * off the event loop when hashing more than one. */
int password_hash(const char *password, char out[128]);
/* Adds a user directly in db (CLI, demo). Password hashed with Argon2id. */
int user_add(sqlite3 *db, const char *username, const char *name, const char *role,
             const char *password, struct jx_error *e);

void handle_login(struct ctx *c);
void handle_logout(struct ctx *c);
void handle_me(struct ctx *c);

#endif
