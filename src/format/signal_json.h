/* Device messages (docs/devices.md): an MQTT topic and JSON payload read into a device
 * message, and the body of the "signal" event that records one in the log. */
#ifndef JX_FORMAT_SIGNAL_JSON_H
#define JX_FORMAT_SIGNAL_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/signals.h"

#define MAX_DEVICE_PAYLOAD 4096

struct device_message {
    char competition[65], station[65], signal[65];
    char key[SIGNAL_KEY_MAX + 1];
    milli_t value;
    bool has_at;
    int64_t device_at_ms;
};

/* Reads jiangxing/{competition}/{station}/{signal} and {"key","value","at"}; -1 with e
 * (e->code names the reason: bad_topic, malformed, bad_key, bad_value, bad_time) when not. */
int device_message_parse(const char *topic, const char *payload, size_t len,
                         struct device_message *out, struct jx_error *e);
/* An RFC 3339 date-time ("2026-11-23T09:30:12.250+08:00" or "…Z") in ms since the epoch. */
bool rfc3339_ms(const char *text, int64_t *out);

/* The signal event's body: {"key","contestant","station","signal","value","at_ms"}, its key
 * the device's scoped by station ("wz-01/plc-000123"); NULL when too long. */
json_t *signal_event_json(const struct device_message *m, const char *contestant, int64_t at_ms);
/* Reads a signal event's body into sig (borrowing doc's strings); -1 with e. */
int signal_from_json(const json_t *doc, struct signal *sig, struct jx_error *e);
/* A derived mark as a MARKS.jsonl object. */
json_t *derived_mark_json(const struct derived *d);

#endif
