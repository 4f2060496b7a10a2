/* From queued device messages to the log: parse each, find the station's contestant, note
 * that the station is alive, apply the signal through the core and commit it with its
 * automatic marks (one commit and one live delta per wake-up) — or count and log why it
 * was refused. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/commit.h"
#include "devices/internal.h"
#include "format/signal_json.h"
#include "format/standings_json.h"
#include "live/board.h"
#include "store/store.h"

#define SKEW_MS 5000
#define LOGS_PER_SECOND 10

static struct device_log *log_of(struct devices *d, const char *competition)
{
    for (int i = 0; i < d->n_logs; i++)
        if (strcmp(d->logs[i]->competition, competition) == 0) return d->logs[i];
    struct device_log *l = calloc(1, sizeof *l);
    struct device_log **grown = realloc(d->logs, (size_t)(d->n_logs + 1) * sizeof *grown);
    if (grown) d->logs = grown;
    if (!l || !grown || !(l->competition = strdup(competition)) || !(l->counts = json_object())) {
        if (l) free(l->competition);
        free(l);
        return NULL;
    }
    d->logs[d->n_logs++] = l;
    return l;
}

static void count(struct device_log *l, const char *what)
{
    json_t *n = json_object_get(l->counts, what);
    json_object_set_new(l->counts, what, json_integer(json_integer_value(n) + 1));
}

static void refuse(struct devices *d, struct device_log *l, const struct queued *q,
                   const struct device_message *m, const struct jx_error *e)
{
    if (l) {
        count(l, e->code);
        count(l, "refused");
        struct refusal *r = &l->recent[l->next_recent];
        l->next_recent = (l->next_recent + 1) % RECENT;
        if (l->n_recent < RECENT) l->n_recent++;
        *r = (struct refusal){.at_ms = q->at_ms};
        snprintf(r->station, sizeof r->station, "%s", m->station);
        snprintf(r->signal, sizeof r->signal, "%s", m->signal);
        snprintf(r->reason, sizeof r->reason, "%s", e->code);
        snprintf(r->message, sizeof r->message, "%s", e->message);
    }
    int64_t second = q->at_ms / 1000;
    if (second != d->log_second) {
        d->log_second = second;
        d->logged_this_second = 0;
    }
    if (d->logged_this_second++ < LOGS_PER_SECOND)
        fprintf(stderr, "jiangxing: device message refused (%s) on %.200s: %s\n", e->code, q->topic,
                e->message);
}

static struct station *station_of(struct device_log *l, const char *station, int contestant)
{
    int64_t known;
    if (strmap_get(&l->station_index, station, &known)) return &l->stations[known];
    if (strmap_put(&l->station_index, station, l->n_stations) != 0) return NULL;
    if (l->n_stations == l->cap_stations) {
        int cap = l->cap_stations ? l->cap_stations * 2 : 32;
        struct station *grown = realloc(l->stations, (size_t)cap * sizeof *grown);
        if (!grown) {
            strmap_remove(&l->station_index, station);
            return NULL;
        }
        l->stations = grown;
        l->cap_stations = cap;
    }
    struct station *st = &l->stations[l->n_stations++];
    *st = (struct station){.contestant = contestant};
    snprintf(st->station, sizeof st->station, "%s", station);
    return st;
}

/* The batch's delta for the competition, begun on its first message. */
static struct batch_part *part_of(struct devices *d, struct ingest_batch *b, struct competition *comp)
{
    for (int i = 0; i < b->n_parts; i++)
        if (b->parts[i].comp == comp) return &b->parts[i];
    struct batch_part *grown = realloc(b->parts, (size_t)(b->n_parts + 1) * sizeof *grown);
    if (!grown) abort(); /* earlier messages are applied in memory: they must be committed */
    b->parts = grown;
    struct batch_part *p = &b->parts[b->n_parts++];
    *p = (struct batch_part){comp, NULL, 0};
    if (app_watched(d->app, comp->contest.scheme.id)) p->delta = delta_begin(&comp->contest);
    return p;
}

static void commit_signal(struct devices *d, struct ingest_batch *b, struct batch_part *p, int who,
                          json_t *body, const struct derived *out, int n)
{
    if (!b->commit && !(b->commit = commit_begin(d->app))) abort();
    p->applied++;
    const struct scheme *s = &p->comp->contest.scheme;
    json_t *marks = json_array();
    for (int i = 0; i < n; i++) json_array_append_new(marks, derived_mark_json(&out[i]));
    json_object_set_new(body, "marks", marks);
    char *text = json_dumps(body, JX_BODY_FLAGS);
    char actor[80];
    snprintf(actor, sizeof actor, "device:%s",
             json_string_value(json_object_get(body, "station")));
    if (!text ||
        commit_event(b->commit, s->id, "signal", actor,
                     json_string_value(json_object_get(body, "key")), s->contestants[who].id,
                     text) != 0 ||
        commit_result(b->commit, p->comp, who) != 0)
        abort(); /* applied in memory: committing is the only way forward */
    free(text);
}

void ingest_finish(struct devices *d, struct ingest_batch *b)
{
    for (int i = 0; i < b->n_parts; i++) {
        struct batch_part *p = &b->parts[i];
        if (!p->applied) {
            delta_free(p->delta);
            continue;
        }
        json_t *frame = delta_finish(p->delta, p->comp->last_seq, now_ms());
        if (commit_frame(b->commit, p->comp->contest.scheme.id, frame ? "standings" : "reset",
                         frame ? frame : json_object(), false) != 0)
            abort();
    }
    if (b->commit) commit_submit(b->commit, NULL, NULL);
    free(b->parts);
    *b = (struct ingest_batch){0};
}

void ingest(struct devices *d, struct ingest_batch *b, const struct queued *q)
{
    struct device_message m;
    struct jx_error e;
    int parsed = device_message_parse(q->topic, q->payload, q->len, &m, &e);
    /* The competition is named by a well-formed topic even when the payload is not. */
    struct competition *comp = m.competition[0] ? app_competition(d->app, m.competition) : NULL;
    struct device_log *l = comp ? log_of(d, m.competition) : NULL;
    if (l) count(l, "received");
    else d->unmatched++;
    if (parsed != 0 || !l) {
        if (parsed == 0)
            jx_fail(&e, 404, "unknown_competition", "topic", "未知竞赛 / unknown competition");
        refuse(d, l, q, &m, &e);
        return;
    }
    int who = scheme_station(&comp->contest.scheme, m.station);
    if (who < 0) {
        jx_fail(&e, 404, who == -1 ? "unknown_station" : "ambiguous_station", "topic",
                who == -1 ? "没有选手在工位 %s / no contestant at station %s"
                          : "多名选手共用工位 %s / several contestants share station %s",
                m.station, m.station);
        refuse(d, l, q, &m, &e);
        return;
    }
    struct station *st = station_of(l, m.station, who);
    if (st) {
        if (!st->first_seen) st->first_seen = q->at_ms;
        st->last_seen = q->at_ms;
        st->messages++;
        if (st->silent) {
            st->silent = false;
            announce_alarm(d, l, st, comp);
        }
    }
    if (strcmp(m.signal, "heartbeat") == 0) {
        count(l, "heartbeat");
        return;
    }
    if (m.has_at && llabs(m.device_at_ms - q->at_ms) > SKEW_MS) count(l, "clock_skew");
    json_t *body = signal_event_json(&m, comp->contest.scheme.contestants[who].id, q->at_ms);
    struct batch_part *p = part_of(d, b, comp);
    struct derived out[MAX_DERIVED];
    int n = 0, rc = body && delta_touch(p->delta, who) == 0
                        ? app_apply_signal(comp, body, out, MAX_DERIVED, &n, &e)
                        : jx_fail(&e, 500, "out_of_memory", NULL, "out of memory");
    if (rc == APPLY_ACCEPTED) {
        count(l, "applied");
        commit_signal(d, b, p, who, body, out, n);
    } else if (rc == APPLY_DUPLICATE) {
        count(l, "duplicate");
    } else {
        refuse(d, l, q, &m, &e);
    }
    json_decref(body);
}
