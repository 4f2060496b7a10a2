/* Station health: every message marks its station seen; a station quiet for longer than
 * the configured silence after it was first seen raises an alarm (and clears it when it
 * speaks again). Also the status the organiser and chief judge read. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/internal.h"
#include "store/store.h"

static json_t *alarm_json(const struct station *st, const struct competition *comp)
{
    return json_pack("{s:s, s:s, s:I, s:b}", "station", st->station, "contestant",
                     comp->contest.scheme.contestants[st->contestant].id, "since",
                     (json_int_t)st->last_seen, "silent", st->silent);
}

void announce_alarm(struct devices *d, const struct device_log *l, const struct station *st,
                    const struct competition *comp)
{
    json_t *frame = alarm_json(st, comp);
    char *text = json_dumps(frame, JSON_COMPACT);
    if (text) d->announce(d->target, l->competition, "alarm", text);
    free(text);
    json_decref(frame);
}

void check_health(evutil_socket_t fd, short what, void *arg)
{
    struct devices *d = arg;
    int64_t now = now_ms(), silence = (int64_t)d->cfg.silence_s * 1000;
    accounts_expire(d, now);
    for (int i = 0; i < d->n_logs; i++) {
        struct device_log *l = d->logs[i];
        const struct competition *comp = app_competition(d->app, l->competition);
        for (int k = 0; comp && k < l->n_stations; k++) {
            struct station *st = &l->stations[k];
            if (st->silent || now - st->last_seen <= silence) continue;
            st->silent = true;
            fprintf(stderr, "jiangxing: station %s of %s is silent\n", st->station, l->competition);
            announce_alarm(d, l, st, comp);
        }
    }
}

static struct device_log *find_log(struct devices *d, const struct competition *comp)
{
    for (int i = 0; d && i < d->n_logs; i++)
        if (strcmp(d->logs[i]->competition, comp->contest.scheme.id) == 0) return d->logs[i];
    return NULL;
}

json_t *devices_alarms(struct devices *d, const struct competition *comp)
{
    json_t *list = json_array();
    struct device_log *l = find_log(d, comp);
    for (int k = 0; l && k < l->n_stations; k++)
        if (l->stations[k].silent) json_array_append_new(list, alarm_json(&l->stations[k], comp));
    return list;
}

json_t *devices_status(struct devices *d, const struct competition *comp)
{
    struct device_log *l = find_log(d, comp);
    json_t *stations = json_array(), *recent = json_array();
    for (int k = 0; l && k < l->n_stations; k++) {
        const struct station *st = &l->stations[k];
        json_array_append_new(stations, json_pack("{s:s, s:s, s:I, s:I, s:b}", "station", st->station,
                                                  "contestant",
                                                  comp->contest.scheme.contestants[st->contestant].id,
                                                  "last_seen", (json_int_t)st->last_seen,
                                                  "messages", (json_int_t)st->messages, "silent",
                                                  st->silent));
    }
    for (int i = 0; l && i < l->n_recent; i++) {
        const struct refusal *r = &l->recent[(l->next_recent - 1 - i + RECENT) % RECENT];
        json_array_append_new(recent, json_pack("{s:I, s:s, s:s, s:s, s:s}", "at", (json_int_t)r->at_ms,
                                                "station", r->station, "signal", r->signal,
                                                "reason", r->reason, "message", r->message));
    }
    json_t *counts = l ? json_deep_copy(l->counts) : json_object();
    /* Dropped before any competition could be named: shown to every organiser. */
    if (d) {
        pthread_mutex_lock(&d->lock);
        int64_t overload = d->overload;
        pthread_mutex_unlock(&d->lock);
        json_object_set_new(counts, "overload", json_integer(overload));
        json_object_set_new(counts, "unmatched", json_integer(d->unmatched));
    }
    return json_pack("{s:b, s:b, s:o, s:o, s:o, s:i}", "enabled", d != NULL, "connected",
                     d && d->connected, "stations", stations, "counts", counts, "recent_refusals",
                     recent, "silence_s", d ? d->cfg.silence_s : 0);
}

void release_states(struct devices *d)
{
    for (int i = 0; i < d->n_logs; i++) {
        free(d->logs[i]->competition);
        free(d->logs[i]->stations);
        strmap_release(&d->logs[i]->station_index);
        json_decref(d->logs[i]->counts);
        free(d->logs[i]);
    }
    free(d->logs);
}
