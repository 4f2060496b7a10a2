/* The device gateway (docs/devices.md): a libmosquitto client on its own thread receives
 * station messages; the event loop turns each into a signal command through the core,
 * commits it like a mark, counts what it refuses, and watches each station's health. */
#ifndef JX_DEVICES_DEVICES_H
#define JX_DEVICES_DEVICES_H

#include <jansson.h>
#include <stdint.h>

#include "app/app.h"

struct event_base;
struct devices;

struct devices_config {
    char host[128];
    int port;
    char user[128], password[128]; /* the broker account: subscribes to jiangxing/# */
    int silence_s;                 /* a station quiet this long after it was seen: alarm */
};

/* Reads "HOST:PORT" and a secret file holding "user:password"; -1 with a message. */
int devices_configure(struct devices_config *cfg, const char *address, const char *secret_path,
                      char *message, size_t size);

/* Announces a frame without id to a competition's viewers (alarms). */
typedef void (*devices_announce_fn)(void *target, const char *competition, const char *name,
                                    const char *data);

/* Connects in the background (reconnecting with backoff) and starts receiving. */
struct devices *devices_start(struct app *app, struct event_base *base,
                              const struct devices_config *cfg, devices_announce_fn announce,
                              void *target);
void devices_stop(struct devices *d);

/* Told when the broker answered an account change: result (stolen) or an error text. */
typedef void (*account_done_fn)(json_t *result, const char *error, void *arg);
/* Issues (or re-issues, with a new password) a station's device account that may publish
 * only under jiangxing/{competition}/{station}/: result {"username","password","host",
 * "port","topic"}. Revoking deletes it. -1 when the request cannot be sent. */
int devices_issue(struct devices *d, const struct competition *comp, const char *station,
                  account_done_fn done, void *arg);
int devices_revoke(struct devices *d, const struct competition *comp, const char *station,
                   account_done_fn done, void *arg);

/* For the organiser and chief judge: stations (last seen, silent), counts by outcome and
 * refusal reason, and the latest refusals. */
json_t *devices_status(struct devices *d, const struct competition *comp);
/* The stations currently silent: [{"station","contestant","since"}]. */
json_t *devices_alarms(struct devices *d, const struct competition *comp);

#endif
