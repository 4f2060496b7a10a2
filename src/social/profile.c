/* Contestants' pledges (赛前宣言), photos and overall rank history for spectator pages. */
#include <stdlib.h>
#include <string.h>

#include "format/standings_json.h"
#include "social/internal.h"
#include "store/store.h"

int social_set_pledge(struct social *s, const struct competition *comp, int contestant,
                      const char *pledge, written_fn done, void *arg, struct jx_error *e)
{
    struct comp_state *cs = comp_state(s, comp);
    char *copy = strdup(pledge);
    struct write_job *job = cs && copy ? job_new(done, arg) : NULL;
    if (!job || job_add(job,
                        "INSERT INTO social_profiles(competition, contestant, pledge) VALUES(?, ?, ?)"
                        " ON CONFLICT DO UPDATE SET pledge = excluded.pledge",
                        "sss", cs->id, comp->contest.scheme.contestants[contestant].id, pledge) != 0) {
        free(copy);
        job_free(job);
        return jx_fail(e, 500, "out_of_memory", NULL, "out of memory");
    }
    free(cs->pledges[contestant]);
    cs->pledges[contestant] = copy;
    job_submit(s, job);
    return 0;
}

int social_set_photo(struct social *s, const struct competition *comp, int contestant,
                     unsigned char *jpeg, size_t len, written_fn done, void *arg)
{
    struct comp_state *cs = comp_state(s, comp);
    struct write_job *job = cs ? job_new(done, arg) : NULL;
    if (!job) {
        free(jpeg);
        return -1;
    }
    if (job_add(job,
                "INSERT INTO social_profiles(competition, contestant, photo) VALUES(?, ?, ?)"
                " ON CONFLICT DO UPDATE SET photo = excluded.photo",
                "ssb", cs->id, comp->contest.scheme.contestants[contestant].id, jpeg, len) != 0) {
        job_free(job); /* the job took the photo, and freed it */
        return -1;
    }
    cs->photo[contestant] = true;
    job_submit(s, job);
    return 0;
}

unsigned char *social_photo(struct social *s, const struct competition *comp, int contestant,
                            size_t *len)
{
    sqlite3_stmt *stmt;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT photo FROM social_profiles WHERE competition = ? AND contestant = ?"
                           " AND photo IS NOT NULL",
                           -1, &stmt, NULL) != SQLITE_OK)
        return NULL;
    sqlite3_bind_text(stmt, 1, comp->contest.scheme.id, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 2, comp->contest.scheme.contestants[contestant].id, -1, SQLITE_STATIC);
    unsigned char *copy = NULL;
    if (sqlite3_step(stmt) == SQLITE_ROW) {
        *len = (size_t)sqlite3_column_bytes(stmt, 0);
        if ((copy = malloc(*len ? *len : 1))) memcpy(copy, sqlite3_column_blob(stmt, 0), *len);
    }
    sqlite3_finalize(stmt);
    return copy;
}

json_t *social_profile(struct social *s, const struct competition *comp, int contestant)
{
    struct comp_state *cs = comp_state(s, comp);
    if (!cs) return NULL;
    const struct history *h = &cs->history[contestant];
    json_t *history = json_array();
    for (int i = 0; i < h->n; i++)
        json_array_append_new(history, json_pack("{s:I, s:i, s:o}", "at",
                                                 (json_int_t)h->points[i].at_ms, "rank",
                                                 h->points[i].rank, "total",
                                                 score_to_json(h->points[i].total)));
    return json_pack("{s:s, s:s?, s:b, s:o}", "id", comp->contest.scheme.contestants[contestant].id,
                     "pledge", cs->pledges[contestant], "photo", cs->photo[contestant], "history",
                     history);
}
