/* Spectator comments (held for moderation unless auto-published and clean), the
 * organiser's moderation and expert commentary, and the feed pages read on connect. */
#include <stdlib.h>
#include <string.h>

#include "social/internal.h"
#include "store/store.h"

#define FEED_COMMENTS 50
#define FEED_COMMENTARY 20

/* True when text contains one of the filter's words (ASCII letters compared caselessly). */
static bool filtered(json_t *words, const char *text)
{
    size_t i;
    json_t *w;
    json_array_foreach(words, i, w)
        if (strcasestr(text, json_string_value(w))) return true;
    return false;
}

int social_comment(struct social *s, const struct competition *comp, int contestant,
                   const char *device, const char *text, bool *published, written_fn done,
                   void *arg, struct jx_error *e)
{
    struct comp_state *cs = comp_state(s, comp);
    if (!cs) return jx_fail(e, 500, "out_of_memory", NULL, "out of memory");
    int64_t blocked;
    if (strmap_get(&cs->blocked, device, &blocked))
        return jx_fail(e, 403, "device_blocked", NULL,
                       "此设备已被禁止留言 / comments from this device are blocked");
    *published = json_is_true(json_object_get(cs->settings, "auto_publish")) &&
                 !filtered(json_object_get(cs->settings, "word_filter"), text);
    const char *who = contestant >= 0 ? comp->contest.scheme.contestants[contestant].id : NULL;
    int64_t at = now_ms();
    json_t *frame = *published ? json_pack("{s:s?, s:s, s:I}", "contestant", who, "text", text,
                                           "at", (json_int_t)at)
                               : NULL;
    struct write_job *job = announcing_job(s, cs->id, "comment", frame, true, done, arg);
    if (!job || job_add(job,
                        "INSERT INTO social_comments(competition, contestant, device, text, status,"
                        " at_ms) VALUES(?, ?, ?, ?, ?, ?)",
                        "sssssi", cs->id, who, device, text, *published ? "published" : "pending",
                        at) != 0)
        return jx_fail(e, 500, "out_of_memory", NULL, "out of memory");
    job_submit(s, job);
    return 0;
}

/* The comment's row: its contestant, device, text, time and whether it is shown; -1 when
 * unknown. */
static int find_comment(struct social *s, const char *competition, int64_t id, char **contestant,
                        char device[33], char **text, int64_t *at, bool *published)
{
    sqlite3_stmt *stmt;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT contestant, device, text, at_ms, status = 'published'"
                           " FROM social_comments"
                           " WHERE competition = ? AND id = ?",
                           -1, &stmt, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(stmt, 1, competition, -1, SQLITE_STATIC);
    sqlite3_bind_int64(stmt, 2, id);
    int rc = -1;
    if (sqlite3_step(stmt) == SQLITE_ROW) {
        const char *who = (const char *)sqlite3_column_text(stmt, 0);
        *contestant = who ? strdup(who) : NULL;
        snprintf(device, 33, "%s", (const char *)sqlite3_column_text(stmt, 1));
        *text = strdup((const char *)sqlite3_column_text(stmt, 2));
        *at = sqlite3_column_int64(stmt, 3);
        *published = sqlite3_column_int(stmt, 4) != 0;
        rc = 0;
    }
    sqlite3_finalize(stmt);
    return rc;
}

int social_moderate(struct social *s, const struct competition *comp, int64_t id,
                    const char *action, const char *by, written_fn done, void *arg,
                    struct jx_error *e)
{
    struct comp_state *cs = comp_state(s, comp);
    if (!cs) return jx_fail(e, 500, "out_of_memory", NULL, "out of memory");
    bool approve = strcmp(action, "approve") == 0, block = strcmp(action, "block") == 0;
    if (!approve && !block && strcmp(action, "reject") != 0)
        return jx_fail(e, 400, "invalid_action", "action",
                       "action 须为 approve、reject 或 block / action must be approve, reject or block");
    char *contestant = NULL, *text = NULL, device[33];
    int64_t at;
    bool published;
    if (find_comment(s, cs->id, id, &contestant, device, &text, &at, &published) != 0)
        return jx_fail(e, 404, "unknown_comment", "id", "未知留言 / unknown comment");
    /* Approving what is already shown announces nothing again. */
    json_t *frame = approve && !published ? json_pack("{s:I, s:s?, s:s, s:I}", "id", (json_int_t)id, "contestant",
                                        contestant, "text", text, "at", (json_int_t)at)
                            : NULL;
    free(contestant);
    free(text);
    struct write_job *job = announcing_job(s, cs->id, "comment", frame, true, done, arg);
    int rc = job ? job_add(job, "UPDATE social_comments SET status = ?, moderated_by = ? WHERE id = ?",
                           "ssi", approve ? "published" : "rejected", by, id)
                 : -1;
    if (rc == 0 && block) {
        rc = job_add(job, "INSERT OR IGNORE INTO social_blocked VALUES(?, ?)", "ss", cs->id, device);
        if (rc == 0) rc = strmap_put(&cs->blocked, device, 1);
    }
    if (rc != 0) return jx_fail(e, 500, "out_of_memory", NULL, "out of memory");
    job_submit(s, job);
    return 0;
}

json_t *social_comments(struct social *s, const struct competition *comp, const char *status)
{
    sqlite3_stmt *stmt;
    json_t *list = json_array();
    if (sqlite3_prepare_v2(s->db,
                           "SELECT id, contestant, text, at_ms, status, device FROM social_comments"
                           " WHERE competition = ? AND status = ? ORDER BY id DESC LIMIT 500",
                           -1, &stmt, NULL) != SQLITE_OK)
        return list;
    sqlite3_bind_text(stmt, 1, comp->contest.scheme.id, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 2, status, -1, SQLITE_STATIC);
    while (sqlite3_step(stmt) == SQLITE_ROW)
        json_array_append_new(
            list, json_pack("{s:I, s:s?, s:s, s:I, s:s, s:s}", "id",
                            (json_int_t)sqlite3_column_int64(stmt, 0), "contestant",
                            (const char *)sqlite3_column_text(stmt, 1), "text",
                            (const char *)sqlite3_column_text(stmt, 2), "at",
                            (json_int_t)sqlite3_column_int64(stmt, 3), "status",
                            (const char *)sqlite3_column_text(stmt, 4), "device",
                            (const char *)sqlite3_column_text(stmt, 5)));
    sqlite3_finalize(stmt);
    return list;
}

int social_commentary(struct social *s, const struct competition *comp, const char *text,
                      const char *by, written_fn done, void *arg, struct jx_error *e)
{
    struct comp_state *cs = comp_state(s, comp);
    int64_t at = now_ms();
    json_t *frame = json_pack("{s:s, s:s, s:I}", "text", text, "by", by, "at", (json_int_t)at);
    struct write_job *job = cs ? announcing_job(s, cs->id, "commentary", frame, true, done, arg) : NULL;
    if (!job || job_add(job, "INSERT INTO social_commentary(competition, text, by, at_ms)"
                             " VALUES(?, ?, ?, ?)",
                        "sssi", cs->id, text, by, at) != 0)
        return jx_fail(e, 500, "out_of_memory", NULL, "out of memory");
    job_submit(s, job);
    return 0;
}

static json_t *latest(struct social *s, const char *sql, const char *competition, bool comments)
{
    sqlite3_stmt *stmt;
    json_t *list = json_array();
    if (sqlite3_prepare_v2(s->db, sql, -1, &stmt, NULL) != SQLITE_OK) return list;
    sqlite3_bind_text(stmt, 1, competition, -1, SQLITE_STATIC);
    while (sqlite3_step(stmt) == SQLITE_ROW)
        json_array_append_new(
            list, json_pack(comments ? "{s:I, s:s?, s:s, s:I}" : "{s:I, s:s, s:s, s:I}", "id",
                            (json_int_t)sqlite3_column_int64(stmt, 0), comments ? "contestant" : "by",
                            (const char *)sqlite3_column_text(stmt, 1), "text",
                            (const char *)sqlite3_column_text(stmt, 2), "at",
                            (json_int_t)sqlite3_column_int64(stmt, 3)));
    sqlite3_finalize(stmt);
    return list;
}

json_t *social_feed(struct social *s, const struct competition *comp)
{
    struct comp_state *cs = comp_state(s, comp);
    if (!cs) return NULL;
    const struct scheme *sc = &comp->contest.scheme;
    json_t *likes = json_object(), *cheers = json_object();
    for (int i = 0; i < sc->n_contestants && i < cs->cap; i++) {
        if (cs->likes[i]) json_object_set_new(likes, sc->contestants[i].id, json_integer(cs->likes[i]));
        if (cs->cheers[i])
            json_object_set_new(cheers, sc->contestants[i].id, json_integer(cs->cheers[i]));
    }
    return json_pack(
        "{s:o, s:o, s:o, s:o}", "likes", likes, "cheers", cheers, "comments",
        latest(s,
               "SELECT id, contestant, text, at_ms FROM social_comments WHERE competition = ?"
               " AND status = 'published' ORDER BY id DESC LIMIT " "50",
               cs->id, true),
        "commentary",
        latest(s,
               "SELECT id, by, text, at_ms FROM social_commentary WHERE competition = ?"
               " ORDER BY id DESC LIMIT " "20",
               cs->id, false));
}
