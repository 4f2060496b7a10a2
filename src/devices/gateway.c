/* The MQTT side: libmosquitto's own thread receives messages and queues them, stamped with
 * the server's time of receipt; the event loop is woken to take them. Nothing here touches
 * the application state. */
#include <event2/event.h>
#include <mosquitto.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "devices/internal.h"
#include "store/store.h"

#define MAX_QUEUED 100000 /* beyond this, messages are dropped and counted as overload */

int devices_configure(struct devices_config *cfg, const char *address, const char *secret_path,
                      char *message, size_t size)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->silence_s = 30;
    const char *colon = strrchr(address, ':');
    cfg->port = colon ? atoi(colon + 1) : 0;
    if (!colon || cfg->port <= 0 || cfg->port > 65535 || (size_t)(colon - address) >= sizeof cfg->host) {
        snprintf(message, size, "--mqtt wants HOST:PORT, such as 127.0.0.1:18830");
        return -1;
    }
    memcpy(cfg->host, address, (size_t)(colon - address));
    FILE *f = fopen(secret_path, "r");
    char line[300] = "";
    if (!f || !fgets(line, sizeof line, f)) {
        if (f) fclose(f);
        snprintf(message, size, "cannot read the broker account from %s (scripts/broker.sh start makes it)",
                 secret_path);
        return -1;
    }
    fclose(f);
    line[strcspn(line, "\r\n")] = '\0';
    char *sep = strchr(line, ':');
    if (!sep || sep == line || strlen(sep + 1) == 0 || (size_t)(sep - line) >= sizeof cfg->user ||
        strlen(sep + 1) >= sizeof cfg->password) {
        snprintf(message, size, "%s must hold user:password", secret_path);
        return -1;
    }
    *sep = '\0';
    snprintf(cfg->user, sizeof cfg->user, "%s", line);
    snprintf(cfg->password, sizeof cfg->password, "%s", sep + 1);
    return 0;
}

static void on_connect(struct mosquitto *m, void *arg, int rc)
{
    if (rc != 0) {
        fprintf(stderr, "jiangxing: device broker refused the connection: %s\n",
                mosquitto_connack_string(rc));
        return;
    }
    mosquitto_subscribe(m, NULL, "jiangxing/+/+/+", 1);
    mosquitto_subscribe(m, NULL, "$CONTROL/dynamic-security/v1/response", 1);
}

static void on_subscribe(struct mosquitto *m, void *arg, int mid, int n, const int *granted)
{
    struct devices *d = arg;
    for (int i = 0; i < n; i++)
        if (granted[i] == 0x80) { /* the broker refused the subscription */
            fprintf(stderr, "jiangxing: the device broker refused our subscription\n");
            return;
        }
    if (!d->connected) /* once per connection, not per subscription */
        fprintf(stderr, "jiangxing: listening to devices on %s:%d\n", d->cfg.host, d->cfg.port);
    d->connected = true;
}

static void on_disconnect(struct mosquitto *m, void *arg, int rc)
{
    struct devices *d = arg;
    d->connected = false;
    if (rc != 0) fprintf(stderr, "jiangxing: lost the device broker; reconnecting\n");
}

static void on_message(struct mosquitto *m, void *arg, const struct mosquitto_message *msg)
{
    struct devices *d = arg;
    struct queued q = {.at_ms = now_ms(), .len = msg->payloadlen > 0 ? (size_t)msg->payloadlen : 0};
    q.topic = strdup(msg->topic);
    q.payload = malloc(q.len + 1);
    if (q.payload) {
        if (q.len) memcpy(q.payload, msg->payload, q.len);
        q.payload[q.len] = '\0';
    }
    pthread_mutex_lock(&d->lock);
    bool kept = q.topic && q.payload && d->n_queued < MAX_QUEUED;
    if (kept) {
        if (d->n_queued == d->cap_queued) {
            int cap = d->cap_queued ? d->cap_queued * 2 : 256;
            struct queued *grown = realloc(d->queue, (size_t)cap * sizeof *grown);
            if (grown) {
                d->queue = grown;
                d->cap_queued = cap;
            }
        }
        kept = d->n_queued < d->cap_queued;
        if (kept) d->queue[d->n_queued++] = q;
    }
    if (!kept) d->overload++;
    pthread_mutex_unlock(&d->lock);
    if (!kept) {
        free(q.topic);
        free(q.payload);
    }
    event_active(d->wake, EV_READ, 0);
}

/* On the loop: takes everything queued and ingests it in order. */
static void on_wake(evutil_socket_t fd, short what, void *arg)
{
    struct devices *d = arg;
    pthread_mutex_lock(&d->lock);
    struct queued *batch = d->queue;
    int n = d->n_queued;
    d->queue = NULL;
    d->n_queued = d->cap_queued = 0;
    pthread_mutex_unlock(&d->lock);
    struct ingest_batch ingesting = {0};
    for (int i = 0; i < n; i++) {
        if (strncmp(batch[i].topic, "$CONTROL/", 9) == 0) account_answer(d, batch[i].payload, batch[i].len);
        else ingest(d, &ingesting, &batch[i]);
        free(batch[i].topic);
        free(batch[i].payload);
    }
    ingest_finish(d, &ingesting);
    free(batch);
}

struct devices *devices_start(struct app *app, struct event_base *base,
                              const struct devices_config *cfg, devices_announce_fn announce,
                              void *target)
{
    struct devices *d = calloc(1, sizeof *d);
    if (!d) return NULL;
    d->app = app;
    d->cfg = *cfg;
    d->announce = announce;
    d->target = target;
    pthread_mutex_init(&d->lock, NULL);
    mosquitto_lib_init();
    /* A fixed id and a persistent session: while the server restarts, the broker keeps the
     * QoS 1 messages the stations send, and hands them over when it is back. */
    char id[160];
    snprintf(id, sizeof id, "jiangxing-gateway-%s", cfg->user);
    d->wake = event_new(base, -1, 0, on_wake, d);
    d->health = event_new(base, -1, EV_PERSIST, check_health, d);
    struct timeval every = {1, 0};
    d->mosq = mosquitto_new(id, false, d);
    if (!d->wake || !d->health || !d->mosq || event_add(d->health, &every) != 0 ||
        mosquitto_username_pw_set(d->mosq, cfg->user, cfg->password) != MOSQ_ERR_SUCCESS ||
        mosquitto_reconnect_delay_set(d->mosq, 1, 30, true) != MOSQ_ERR_SUCCESS) {
        devices_stop(d);
        return NULL;
    }
    mosquitto_connect_callback_set(d->mosq, on_connect);
    mosquitto_subscribe_callback_set(d->mosq, on_subscribe);
    mosquitto_disconnect_callback_set(d->mosq, on_disconnect);
    mosquitto_message_callback_set(d->mosq, on_message);
    /* A broker not up yet is retried by the loop thread with backoff. */
    if (mosquitto_connect_async(d->mosq, cfg->host, cfg->port, 30) != MOSQ_ERR_SUCCESS)
        fprintf(stderr, "jiangxing: device broker %s:%d not reachable yet; retrying\n", cfg->host,
                cfg->port);
    if (mosquitto_loop_start(d->mosq) != MOSQ_ERR_SUCCESS) {
        devices_stop(d);
        return NULL;
    }
    d->running = true;
    return d;
}

void devices_stop(struct devices *d)
{
    if (!d) return;
    if (d->mosq) {
        mosquitto_disconnect(d->mosq);
        if (d->running) mosquitto_loop_stop(d->mosq, false); /* its thread ends once disconnected */
        mosquitto_destroy(d->mosq);
    }
    if (d->wake) on_wake(-1, 0, d); /* acknowledged to the broker already: apply them now */
    for (int i = 0; i < d->n_queued; i++) {
        free(d->queue[i].topic);
        free(d->queue[i].payload);
    }
    free(d->queue);
    if (d->wake) event_free(d->wake);
    if (d->health) event_free(d->health);
    accounts_release(d);
    release_states(d);
    pthread_mutex_destroy(&d->lock);
    mosquitto_lib_cleanup();
    free(d);
}
