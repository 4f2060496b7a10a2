/* Accounts for organisers: the list, and judges created in bulk with one-time login
 * codes. Hashing (Argon2id, deliberately slow) runs on its own thread, never the loop. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "cli/cli.h"
#include "format/competition_json.h"
#include "http/auth.h"
#include "store/writer.h"

#define MAX_BULK 200

struct bulk {
    struct evhttp_request *req;
    struct server *server;
    struct app *app;
    char role[16];
    int n;
    bool failed; /* hashing ran out of memory: nothing is written */
    struct {
        char username[65], code[13], hash[128];
        bool created;
    } users[];
};

static int insert_users(sqlite3 *db, void *arg)
{
    struct bulk *b = arg;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "INSERT OR IGNORE INTO users(username, name, role, pw_hash, created_ms)"
                           " VALUES(?1, ?1, ?2, ?3, ?4)",
                           -1, &st, NULL) != SQLITE_OK)
        return -1;
    for (int i = 0; i < b->n; i++) {
        sqlite3_bind_text(st, 1, b->users[i].username, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, b->role, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, b->users[i].hash, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 4, now_ms());
        int rc = sqlite3_step(st);
        b->users[i].created = rc == SQLITE_DONE && sqlite3_changes(db) == 1;
        sqlite3_reset(st);
        if (rc != SQLITE_DONE) {
            sqlite3_finalize(st);
            return -1;
        }
    }
    sqlite3_finalize(st);
    return 0;
}

static void bulk_done(void *arg)
{
    struct bulk *b = arg;
    struct ctx c = {.req = b->req, .server = b->server, .app = b->app};
    if (b->failed) {
        free(b);
        reply_busy(&c);
        return;
    }
    json_t *users = json_array(), *skipped = json_array();
    for (int i = 0; i < b->n; i++)
        if (b->users[i].created)
            json_array_append_new(users, json_pack("{s:s, s:s, s:s}", "username", b->users[i].username,
                                                   "role", b->role, "code", b->users[i].code));
        else json_array_append_new(skipped, json_string(b->users[i].username));
    sodium_memzero(b, sizeof *b + (size_t)b->n * sizeof b->users[0]);
    free(b);
    reply_json(&c, 200, json_pack("{s:o, s:o}", "users", users, "skipped_existing", skipped));
}

static void *hash_codes(void *arg)
{
    struct bulk *b = arg;
    for (int i = 0; i < b->n && !b->failed; i++)
        b->failed = password_hash(b->users[i].code, b->users[i].hash) != 0;
    struct app *app = b->app;
    writer_submit(app->writer, b->failed ? NULL : insert_users, bulk_done, b);
    app->helper_threads--;
    return NULL;
}

void handle_bulk_users(struct ctx *c)
{
    json_t *doc = body_json(c);
    if (!doc) return;
    const char *role = json_string_value(json_object_get(doc, "role"));
    const char *prefix = json_string_value(json_object_get(doc, "prefix"));
    json_int_t count = json_integer_value(json_object_get(doc, "count"));
    int role_index = role ? role_from_name(role) : -1;
    if (role_index != ROLE_JUDGE && role_index != ROLE_CHIEF)
        reply_fail(c, 400, "invalid_role", "role", "批量只能创建 judge 或 chief / bulk creates judges or chiefs");
    else if (!prefix || strlen(prefix) > 56 || !id_is_valid(prefix))
        reply_fail(c, 400, "invalid_prefix", "prefix", "前缀只能含字母、数字、_ . -（≤56）/ prefix uses A-Z a-z 0-9 _ . -");
    else if (count < 1 || count > MAX_BULK)
        reply_fail(c, 400, "invalid_count", "count", "数量须为 1–200 / count must be 1–200");
    else if (role_index > ROLE_JUDGE && c->session->role < ROLE_ORGANISER)
        reply_fail(c, 403, "forbidden", "role", "没有权限 / your role may not do this");
    else {
        struct bulk *b = calloc(1, sizeof *b + (size_t)count * sizeof b->users[0]);
        if (!b) {
            reply_fail(c, 500, "out_of_memory", NULL, "out of memory");
            json_decref(doc);
            return;
        }
        *b = (struct bulk){.req = c->req, .server = c->server, .app = c->app, .n = (int)count};
        snprintf(b->role, sizeof b->role, "%s", role);
        for (int i = 0; i < b->n; i++) {
            snprintf(b->users[i].username, sizeof b->users[i].username, "%.56s-%d", prefix, (i + 1) % 1000);
            random_code(b->users[i].code, sizeof b->users[i].code);
        }
        if (!hashing_start(c->app, hash_codes, b)) {
            free(b);
            reply_busy(c);
        }
    }
    json_decref(doc);
}

void handle_list_users(struct ctx *c)
{
    sqlite3_stmt *st;
    json_t *users = json_array();
    if (sqlite3_prepare_v2(c->app->db, "SELECT username, name, role FROM users ORDER BY username",
                           -1, &st, NULL) == SQLITE_OK) {
        while (sqlite3_step(st) == SQLITE_ROW)
            json_array_append_new(users, json_pack("{s:s, s:s, s:s}", "username",
                                                   sqlite3_column_text(st, 0), "name",
                                                   sqlite3_column_text(st, 1), "role",
                                                   sqlite3_column_text(st, 2)));
        sqlite3_finalize(st);
    }
    reply_json(c, 200, json_pack("{s:o}", "users", users));
}
