/* Write jobs for spectator data: a few statements run by the writer in the group
 * transaction, then done(rowid) on the loop once durable. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "social/internal.h"
#include "store/writer.h"

#define MAX_STATEMENTS 4096

struct write_job {
    struct statement *statements;
    int n, cap;
    int64_t rowid;
    written_fn done;
    void *arg;
};

struct write_job *job_new(written_fn done, void *arg)
{
    struct write_job *j = calloc(1, sizeof *j);
    if (j) {
        j->done = done;
        j->arg = arg;
    }
    return j;
}

void job_free(struct write_job *j)
{
    if (!j) return;
    for (int i = 0; i < j->n; i++)
        for (int k = 0; k < j->statements[i].n_params; k++) free(j->statements[i].params[k].text);
    free(j->statements);
    free(j);
}

int job_add(struct write_job *j, const char *sql, const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    if (j->n == j->cap) {
        int cap = j->cap ? j->cap * 2 : 4;
        struct statement *grown = cap <= MAX_STATEMENTS
                                      ? realloc(j->statements, (size_t)cap * sizeof *grown)
                                      : NULL;
        if (!grown) { /* a blob is ours to free all the same */
            for (const char *f = format; *f; f++) {
                if (*f == 'i') (void)va_arg(ap, int64_t);
                else if (*f == 's') (void)va_arg(ap, const char *);
                else {
                    free(va_arg(ap, char *));
                    (void)va_arg(ap, size_t);
                }
            }
            va_end(ap);
            return -1;
        }
        j->statements = grown;
        j->cap = cap;
    }
    struct statement *st = &j->statements[j->n];
    memset(st, 0, sizeof *st);
    st->sql = sql;
    int rc = 0;
    for (const char *f = format; *f && st->n_params < 6; f++) {
        struct param *p = &st->params[st->n_params++];
        if (*f == 'i') {
            *p = (struct param){.type = P_INT, .i = va_arg(ap, int64_t)};
        } else if (*f == 's') {
            const char *text = va_arg(ap, const char *);
            *p = (struct param){.type = text ? P_TEXT : P_NULL};
            if (text && !(p->text = strdup(text))) rc = -1;
        } else {
            p->type = P_BLOB;
            p->text = va_arg(ap, char *);
            p->len = va_arg(ap, size_t);
        }
    }
    va_end(ap);
    if (rc != 0) {
        for (int k = 0; k < st->n_params; k++) free(st->params[k].text);
        return -1;
    }
    j->n++;
    return 0;
}

struct announce_later {
    struct social *s;
    char *competition, *name;
    json_t *frame;
    bool with_id; /* the frame gets the new row's "id" */
    written_fn done;
    void *arg;
};

static void announce_written(int64_t id, void *arg)
{
    struct announce_later *a = arg;
    if (a->frame) {
        if (a->with_id && !json_object_get(a->frame, "id"))
            json_object_set_new(a->frame, "id", json_integer(id));
        char *text = json_dumps(a->frame, JSON_COMPACT);
        if (text) a->s->announce(a->s->target, a->competition, a->name, text);
        free(text);
        json_decref(a->frame);
    }
    if (a->done) a->done(id, a->arg);
    free(a->competition);
    free(a->name);
    free(a);
}

struct write_job *announcing_job(struct social *s, const char *competition, const char *name,
                                 json_t *frame, bool with_id, written_fn done, void *arg)
{
    struct announce_later *a = calloc(1, sizeof *a);
    struct write_job *j = a ? job_new(announce_written, a) : NULL;
    if (!j) {
        free(a);
        json_decref(frame);
        return NULL;
    }
    *a = (struct announce_later){s, strdup(competition), strdup(name), frame, with_id, done, arg};
    return j;
}

static int run_job(sqlite3 *db, void *arg)
{
    struct write_job *j = arg;
    for (int i = 0; i < j->n; i++) {
        const struct statement *st = &j->statements[i];
        sqlite3_stmt *stmt;
        if (sqlite3_prepare_v2(db, st->sql, -1, &stmt, NULL) != SQLITE_OK) return -1;
        for (int k = 0; k < st->n_params; k++) {
            const struct param *p = &st->params[k];
            if (p->type == P_INT) sqlite3_bind_int64(stmt, k + 1, p->i);
            else if (p->type == P_TEXT) sqlite3_bind_text(stmt, k + 1, p->text, -1, SQLITE_STATIC);
            else if (p->type == P_BLOB)
                sqlite3_bind_blob64(stmt, k + 1, p->text, p->len, SQLITE_STATIC);
            else sqlite3_bind_null(stmt, k + 1);
        }
        int rc = sqlite3_step(stmt);
        sqlite3_finalize(stmt);
        if (rc != SQLITE_DONE) return -1;
        if (i == 0) j->rowid = sqlite3_last_insert_rowid(db);
    }
    return 0;
}

static void job_done(void *arg)
{
    struct write_job *j = arg;
    if (j->done) j->done(j->rowid, j->arg);
    job_free(j);
}

void job_submit(struct social *s, struct write_job *j)
{
    writer_submit(s->writer, run_job, job_done, j);
}
