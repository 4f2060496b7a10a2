/* Shared inside src/devices: the gateway's state. Not for use outside this folder. */
#ifndef JX_DEVICES_INTERNAL_H
#define JX_DEVICES_INTERNAL_H

#include <event2/util.h>
#include <pthread.h>
#include <stdbool.h>

#include "core/strmap.h"
#include "devices/devices.h"

struct mosquitto;
struct pending_account;
struct event;

/* A message as received, stamped with the server's clock. */
struct queued {
    char *topic, *payload;
    size_t len;
    int64_t at_ms;
};

struct station {
    char station[65];
    int contestant;
    int64_t first_seen, last_seen, messages;
    bool silent;
};

#define RECENT 50

struct refusal {
    int64_t at_ms;
    char station[65], signal[65], reason[48], message[320]; /* as in struct jx_error */
};

/* Per competition: stations seen, outcome counts, the latest refusals. */
struct device_log {
    char *competition;
    struct station *stations;
    int n_stations, cap_stations;
    struct strmap station_index; /* station → index into stations */
    json_t *counts; /* outcome or refusal reason → count */
    struct refusal recent[RECENT];
    int n_recent, next_recent;
};

struct devices {
    struct app *app;
    struct devices_config cfg;
    devices_announce_fn announce;
    void *target;
    struct mosquitto *mosq;
    bool running;
    _Atomic bool connected; /* subscribed: messages now reach us (set on the MQTT thread) */
    struct event *wake, *health;
    pthread_mutex_t lock; /* guards the queue and overload */
    struct queued *queue;
    int n_queued, cap_queued;
    int64_t overload;
    struct device_log **logs;
    int n_logs;
    int64_t unmatched; /* messages for no known competition */
    int64_t log_second, logged_this_second;
    struct pending_account **pending; /* account changes awaiting the broker's answer */
    int n_pending;
    int64_t next_correlation;
};

/* The messages of one wake-up go to the log together: one commit (events stay in sequence
 * order on disk), and per competition one live delta for every contestant they changed. */
struct ingest_batch {
    struct commit *commit;
    struct batch_part {
        struct competition *comp;
        struct delta *delta;
        int applied;
    } *parts;
    int n_parts;
};
void ingest(struct devices *d, struct ingest_batch *b, const struct queued *q);
/* Submits the batch's commits (each with its frame) and empties it. */
void ingest_finish(struct devices *d, struct ingest_batch *b);
/* Account changes: the broker's answers, timeouts, and shutdown. */
void account_username(const char *competition, const char *station, char out[140]);
void account_answer(struct devices *d, const char *payload, size_t len);
void accounts_expire(struct devices *d, int64_t now);
void accounts_release(struct devices *d);
void check_health(evutil_socket_t fd, short what, void *arg);
/* Tells the station's viewers that it fell silent or spoke again. */
void announce_alarm(struct devices *d, const struct device_log *l, const struct station *st,
                    const struct competition *comp);
void release_states(struct devices *d);

#endif
