/* Spectator state: loading it, device identity, likes and cheers with per-device caps,
 * the display settings, and the once-a-second flush that writes counts and announces
 * them. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "social/internal.h"
#include "store/store.h"

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS social_keys(name TEXT PRIMARY KEY, value BLOB NOT NULL);"
    "CREATE TABLE IF NOT EXISTS social_reactions(competition TEXT NOT NULL,"
    " contestant TEXT NOT NULL, device TEXT NOT NULL, likes INTEGER NOT NULL,"
    " cheers INTEGER NOT NULL, PRIMARY KEY(competition, contestant, device)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS social_comments(id INTEGER PRIMARY KEY,"
    " competition TEXT NOT NULL, contestant TEXT, device TEXT NOT NULL, text TEXT NOT NULL,"
    " status TEXT NOT NULL, at_ms INTEGER NOT NULL, moderated_by TEXT);"
    "CREATE INDEX IF NOT EXISTS social_comments_status ON social_comments(competition, status, id);"
    "CREATE TABLE IF NOT EXISTS social_commentary(id INTEGER PRIMARY KEY,"
    " competition TEXT NOT NULL, text TEXT NOT NULL, by TEXT NOT NULL, at_ms INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS social_profiles(competition TEXT NOT NULL,"
    " contestant TEXT NOT NULL, pledge TEXT, photo BLOB,"
    " PRIMARY KEY(competition, contestant)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS social_blocked(competition TEXT NOT NULL, device TEXT NOT NULL,"
    " PRIMARY KEY(competition, device)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS social_settings(competition TEXT PRIMARY KEY, body TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS social_history(competition TEXT NOT NULL,"
    " contestant TEXT NOT NULL, at_ms INTEGER NOT NULL, rank INTEGER NOT NULL,"
    " total INTEGER NOT NULL, PRIMARY KEY(competition, contestant, at_ms)) WITHOUT ROWID;";

#define MAX_HISTORY 500        /* points kept per contestant */
#define HISTORY_STEP_MS 5000   /* one point per contestant per step */

static void free_state(struct comp_state *cs)
{
    for (int i = 0; i < cs->cap; i++) {
        free(cs->pledges[i]);
        free(cs->history[i].points);
    }
    free(cs->likes);
    free(cs->cheers);
    free(cs->changed);
    free(cs->pledges);
    free(cs->photo);
    free(cs->history);
    free(cs->counts);
    strmap_release(&cs->by_device);
    strmap_release(&cs->blocked);
    json_decref(cs->settings);
    free(cs->id);
    free(cs);
}

/* Grows the per-contestant arrays to n. */
static int grow(struct comp_state *cs, int n)
{
    if (n <= cs->cap) return 0;
#define GROW(field)                                                                 \
    do {                                                                            \
        void *p = realloc(cs->field, (size_t)n * sizeof *cs->field);                \
        if (!p) return -1;                                                          \
        cs->field = p;                                                              \
        memset(cs->field + cs->cap, 0, (size_t)(n - cs->cap) * sizeof *cs->field); \
    } while (0)
    GROW(likes);
    GROW(cheers);
    GROW(changed);
    GROW(pledges);
    GROW(photo);
    GROW(history);
#undef GROW
    cs->cap = n;
    return 0;
}

struct comp_state *comp_state(struct social *s, const struct competition *comp)
{
    const char *id = comp->contest.scheme.id;
    struct comp_state *cs = NULL;
    for (int i = 0; i < s->n_comps && !cs; i++)
        if (strcmp(s->comps[i]->id, id) == 0) cs = s->comps[i];
    if (!cs) {
        struct comp_state **grown = realloc(s->comps, (size_t)(s->n_comps + 1) * sizeof *grown);
        if (!grown) return NULL;
        s->comps = grown;
        if (!(cs = calloc(1, sizeof *cs))) return NULL;
        cs->id = strdup(id);
        cs->settings = default_settings(comp);
        if (!cs->id || !cs->settings) {
            free_state(cs);
            return NULL;
        }
        s->comps[s->n_comps++] = cs;
    }
    return grow(cs, comp->contest.scheme.n_contestants) == 0 ? cs : NULL;
}

/* Runs fn on every row of a query bound to nothing. */
static int each_row(sqlite3 *db, const char *sql, void (*fn)(struct social *, sqlite3_stmt *),
                    struct social *s)
{
    sqlite3_stmt *stmt;
    if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK) return -1;
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) fn(s, stmt);
    sqlite3_finalize(stmt);
    return rc == SQLITE_DONE ? 0 : -1;
}

/* The state and contestant index a row names, or NULL when either is gone. */
static struct comp_state *row_target(struct social *s, sqlite3_stmt *stmt, int *contestant)
{
    const char *competition = (const char *)sqlite3_column_text(stmt, 0);
    const struct competition *comp = competition ? app_competition(s->app, competition) : NULL;
    if (!comp) return NULL;
    if (contestant) {
        const char *who = (const char *)sqlite3_column_text(stmt, 1);
        *contestant = who ? scheme_contestant(&comp->contest.scheme, who) : -1;
        if (*contestant < 0) return NULL;
    }
    return comp_state(s, comp);
}

static struct device_count *device_count(struct comp_state *cs, int contestant,
                                         const char *device)
{
    char key[64];
    snprintf(key, sizeof key, "%s %d", device, contestant);
    int64_t index;
    if (strmap_get(&cs->by_device, key, &index)) return &cs->counts[index];
    if (cs->n_counts == cs->cap_counts) {
        int64_t cap = cs->cap_counts ? cs->cap_counts * 2 : 64;
        struct device_count *grown = realloc(cs->counts, (size_t)cap * sizeof *grown);
        if (!grown) return NULL;
        cs->counts = grown;
        cs->cap_counts = cap;
    }
    if (strmap_put(&cs->by_device, key, cs->n_counts) != 0) return NULL;
    struct device_count *d = &cs->counts[cs->n_counts++];
    *d = (struct device_count){.contestant = contestant};
    snprintf(d->device, sizeof d->device, "%s", device);
    return d;
}

static void load_reaction(struct social *s, sqlite3_stmt *stmt)
{
    int who;
    struct comp_state *cs = row_target(s, stmt, &who);
    struct device_count *d =
        cs ? device_count(cs, who, (const char *)sqlite3_column_text(stmt, 2)) : NULL;
    if (!d) return;
    d->likes = sqlite3_column_int(stmt, 3);
    d->cheers = sqlite3_column_int(stmt, 4);
    cs->likes[who] += d->likes;
    cs->cheers[who] += d->cheers;
}

static void load_profile(struct social *s, sqlite3_stmt *stmt)
{
    int who;
    struct comp_state *cs = row_target(s, stmt, &who);
    if (!cs) return;
    const char *pledge = (const char *)sqlite3_column_text(stmt, 2);
    free(cs->pledges[who]);
    cs->pledges[who] = pledge ? strdup(pledge) : NULL;
    cs->photo[who] = sqlite3_column_int(stmt, 3) != 0;
}

static void load_blocked(struct social *s, sqlite3_stmt *stmt)
{
    struct comp_state *cs = row_target(s, stmt, NULL);
    if (cs) strmap_put(&cs->blocked, (const char *)sqlite3_column_text(stmt, 1), 1);
}

static void load_settings(struct social *s, sqlite3_stmt *stmt)
{
    struct comp_state *cs = row_target(s, stmt, NULL);
    json_t *doc = json_loads((const char *)sqlite3_column_text(stmt, 1), 0, NULL);
    if (cs && json_is_object(doc)) json_object_update(cs->settings, doc);
    json_decref(doc);
}

/* Records a point: a new one, or within a step of the last, an update of the last one.
 * True when something changed. */
static bool add_point(struct history *h, struct history_point p)
{
    struct history_point *last = h->n ? &h->points[h->n - 1] : NULL;
    if (last && last->rank == p.rank && last->total == p.total) return false;
    if (last && p.at_ms - last->at_ms < HISTORY_STEP_MS) {
        last->rank = p.rank;
        last->total = p.total;
        return h->dirty = true;
    }
    if (h->n == MAX_HISTORY) memmove(h->points, h->points + 1, (size_t)--h->n * sizeof *h->points);
    if (h->n == h->cap) {
        int cap = h->cap ? h->cap * 2 : 16;
        struct history_point *grown = realloc(h->points, (size_t)cap * sizeof *grown);
        if (!grown) return false;
        h->points = grown;
        h->cap = cap;
    }
    h->points[h->n++] = p;
    return h->dirty = true;
}

static void load_history(struct social *s, sqlite3_stmt *stmt)
{
    int who;
    struct comp_state *cs = row_target(s, stmt, &who);
    if (cs) {
        add_point(&cs->history[who],
                  (struct history_point){sqlite3_column_int64(stmt, 2), sqlite3_column_int64(stmt, 4),
                                         sqlite3_column_int(stmt, 3)});
        cs->history[who].dirty = false; /* read from the table */
    }
}

static int load_key(struct social *s)
{
    sqlite3_stmt *stmt;
    if (sqlite3_prepare_v2(s->db, "SELECT value FROM social_keys WHERE name = 'device'", -1, &stmt,
                           NULL) != SQLITE_OK)
        return -1;
    int found = sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_bytes(stmt, 0) == 32;
    if (found) memcpy(s->key, sqlite3_column_blob(stmt, 0), 32);
    sqlite3_finalize(stmt);
    if (found) return 0;
    randombytes_buf(s->key, sizeof s->key);
    if (sqlite3_prepare_v2(s->db, "INSERT OR REPLACE INTO social_keys VALUES('device', ?)", -1,
                           &stmt, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_blob(stmt, 1, s->key, 32, SQLITE_STATIC);
    int rc = sqlite3_step(stmt);
    sqlite3_finalize(stmt);
    return rc == SQLITE_DONE ? 0 : -1;
}

static void on_flush(evutil_socket_t fd, short what, void *arg);

struct social *social_open(sqlite3 *db, struct writer *w, struct event_base *base,
                           const struct app *app, announce_fn announce, void *target,
                           struct jx_error *e)
{
    struct social *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    *s = (struct social){.db = db, .writer = w, .app = app, .announce = announce, .target = target};
    struct timeval second = {1, 0};
    if (store_exec(db, schema) != 0 || load_key(s) != 0 ||
        each_row(db, "SELECT competition, contestant, device, likes, cheers FROM social_reactions",
                 load_reaction, s) != 0 ||
        each_row(db, "SELECT competition, contestant, pledge, photo IS NOT NULL FROM social_profiles",
                 load_profile, s) != 0 ||
        each_row(db, "SELECT competition, device FROM social_blocked", load_blocked, s) != 0 ||
        each_row(db, "SELECT competition, body FROM social_settings", load_settings, s) != 0 ||
        each_row(db, "SELECT competition, contestant, at_ms, rank, total FROM social_history"
                     " ORDER BY competition, contestant, at_ms", load_history, s) != 0 ||
        !(s->flush = event_new(base, -1, EV_PERSIST, on_flush, s)) ||
        event_add(s->flush, &second) != 0) {
        jx_fail(e, 500, "store", "db", "无法读取观众数据 / cannot load spectator data: %s",
                sqlite3_errmsg(db));
        social_close(s);
        return NULL;
    }
    return s;
}

/* True when value (len bytes) is "<32 hex>.<32 hex MAC>" signed with our key. */
static bool signed_device(const struct social *s, const char *value, size_t len, char device[33])
{
    if (len != 65 || value[32] != '.') return false;
    memcpy(device, value, 32);
    device[32] = '\0';
    if (strspn(device, "0123456789abcdef") != 32) return false;
    unsigned char mac[crypto_auth_BYTES];
    char hex[crypto_auth_BYTES * 2 + 1];
    crypto_auth(mac, (const unsigned char *)device, 32, s->key);
    sodium_bin2hex(hex, sizeof hex, mac, 16);
    return sodium_memcmp(hex, value + 33, 32) == 0;
}

void social_device(struct social *s, const char *cookie_header, char device[33],
                   char set_cookie[160])
{
    set_cookie[0] = '\0';
    /* Cookie: name=value pairs separated by "; ". */
    for (const char *p = cookie_header; p && *p;) {
        p += strspn(p, " ;");
        size_t len = strcspn(p, ";");
        if (len > 10 && strncmp(p, "jx_device=", 10) == 0) {
            size_t value_len = len - 10;
            while (value_len && p[10 + value_len - 1] == ' ') value_len--;
            if (signed_device(s, p + 10, value_len, device)) return;
        }
        p += len;
    }
    unsigned char id[16], mac[crypto_auth_BYTES];
    char hex[33];
    randombytes_buf(id, sizeof id);
    sodium_bin2hex(device, 33, id, sizeof id);
    crypto_auth(mac, (const unsigned char *)device, 32, s->key);
    sodium_bin2hex(hex, sizeof hex, mac, 16);
    snprintf(set_cookie, 160, "jx_device=%s.%s; Path=/; Max-Age=31536000; HttpOnly; SameSite=Strict",
             device, hex);
}

int social_react(struct social *s, const struct competition *comp, int contestant,
                 const char *device, enum reaction kind, struct jx_error *e)
{
    struct comp_state *cs = comp_state(s, comp);
    struct device_count *d = cs ? device_count(cs, contestant, device) : NULL;
    if (!d) return jx_fail(e, 500, "out_of_memory", NULL, "out of memory");
    const char *cap_name = kind == REACT_LIKE ? "like_cap" : "cheer_cap";
    int cap = (int)json_integer_value(json_object_get(cs->settings, cap_name));
    int *mine = kind == REACT_LIKE ? &d->likes : &d->cheers;
    if (*mine >= cap)
        return jx_fail(e, 429, "cap_reached", NULL,
                       "已达到本设备的上限（%d 次）/ this device reached its limit of %d", cap, cap);
    (*mine)++;
    (kind == REACT_LIKE ? cs->likes : cs->cheers)[contestant]++;
    d->dirty = true;
    cs->changed[contestant] = cs->any_changed = true;
    return 0;
}

json_t *social_counts(struct social *s, const struct competition *comp, int contestant,
                      const char *device)
{
    struct comp_state *cs = comp_state(s, comp);
    if (!cs) return NULL;
    struct device_count *d = device ? device_count(cs, contestant, device) : NULL;
    return json_pack("{s:I, s:I, s:{s:i, s:i}}", "likes", (json_int_t)cs->likes[contestant],
                     "cheers", (json_int_t)cs->cheers[contestant], "mine", "likes",
                     d ? d->likes : 0, "cheers", d ? d->cheers : 0);
}

/* Writes dirty counts and history, and announces new totals. */
static void flush_state(struct social *s, const struct competition *comp, struct comp_state *cs,
                        struct write_job *job)
{
    const struct scheme *sc = &comp->contest.scheme;
    for (int64_t i = 0; i < cs->n_counts; i++) {
        struct device_count *d = &cs->counts[i];
        if (!d->dirty) continue;
        d->dirty = false;
        job_add(job,
                "INSERT INTO social_reactions VALUES(?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET"
                " likes = excluded.likes, cheers = excluded.cheers",
                "sssii", cs->id, sc->contestants[d->contestant].id, d->device, (int64_t)d->likes,
                (int64_t)d->cheers);
    }
    for (int k = 0; k < cs->cap && k < sc->n_contestants; k++) {
        struct history *h = &cs->history[k];
        if (!h->dirty || h->n == 0) continue;
        h->dirty = false;
        const struct history_point *p = &h->points[h->n - 1];
        job_add(job, "INSERT OR REPLACE INTO social_history VALUES(?, ?, ?, ?, ?)", "ssiii", cs->id,
                sc->contestants[k].id, p->at_ms, (int64_t)p->rank, p->total);
    }
    if (!cs->any_changed) return;
    json_t *likes = json_object(), *cheers = json_object();
    for (int k = 0; k < cs->cap && k < sc->n_contestants; k++) {
        if (!cs->changed[k]) continue;
        cs->changed[k] = false;
        json_object_set_new(likes, sc->contestants[k].id, json_integer(cs->likes[k]));
        json_object_set_new(cheers, sc->contestants[k].id, json_integer(cs->cheers[k]));
    }
    cs->any_changed = false;
    json_t *frame = json_pack("{s:o, s:o}", "likes", likes, "cheers", cheers);
    char *text = json_dumps(frame, JSON_COMPACT);
    if (text) s->announce(s->target, cs->id, "reactions", text);
    free(text);
    json_decref(frame);
}

static void flush_all(struct social *s)
{
    struct write_job *job = job_new(NULL, NULL);
    for (int i = 0; job && i < s->n_comps; i++) {
        const struct competition *comp = app_competition(s->app, s->comps[i]->id);
        if (comp) flush_state(s, comp, s->comps[i], job);
    }
    if (job) job_submit(s, job);
}

static void on_flush(evutil_socket_t fd, short what, void *arg) { flush_all(arg); }

void social_close(struct social *s)
{
    if (!s) return;
    if (s->flush) {
        flush_all(s);
        event_free(s->flush);
    }
    for (int i = 0; i < s->n_comps; i++) free_state(s->comps[i]);
    free(s->comps);
    free(s);
}

void social_follow(struct social *s, const char *competition, const char *name, const json_t *frame)
{
    const struct competition *comp = app_competition(s->app, competition);
    bool whole = strcmp(name, "snapshot") == 0;
    struct comp_state *cs =
        comp && (whole || strcmp(name, "standings") == 0) ? comp_state(s, comp) : NULL;
    const json_t *doc = cs ? frame : NULL;
    int64_t at = json_integer_value(json_object_get(doc, "at"));
    size_t i;
    json_t *entry;
    json_array_foreach(json_object_get(doc, whole ? "contestants" : "changed"), i, entry) {
        json_t *rank = json_object_get(json_object_get(entry, "ranks"), "overall");
        int who = scheme_contestant(&comp->contest.scheme,
                                    json_string_value(json_object_get(entry, "id")));
        if (!rank || who < 0 || who >= cs->cap) continue;
        struct history *h = &cs->history[who];
        /* The total as of this commit: the delta's, or unchanged since the last point. */
        json_t *total = json_object_get(entry, "total");
        milli_t value = 0;
        if (total) milli_from_double(json_number_value(total), &value);
        else if (h->n) value = h->points[h->n - 1].total;
        else value = comp->contest.results[who].total;
        struct history_point p = {at, value, (int)json_integer_value(rank)};
        add_point(h, p);
    }
}
