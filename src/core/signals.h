/* Device signals (docs/devices.md): what a station's equipment reported, turned by the
 * criteria's rules into automatic marks. Pure: the server's time of receipt comes in. */
#ifndef JX_CORE_SIGNALS_H
#define JX_CORE_SIGNALS_H

#include "core/contest.h"

#define SIGNAL_KEY_MAX 30        /* a device's own key */
#define SIGNAL_EVENT_KEY_MAX 63  /* "station/key": station ≤ 32; "…#criterion" fits a mark key */
#define MAX_DERIVED 32    /* criteria one signal may drive */

struct signal {
    const char *key;        /* "station/key": unique per device, whatever other devices send */
    const char *contestant;
    const char *name;
    milli_t value;  /* true = 1000, false = 0, readings in thousandths */
    int64_t at_ms;  /* when the server received it: rules measure time by this clock */
};

/* One automatic mark a signal yields; mark's strings point into this struct. */
struct derived {
    char key[SIGNAL_EVENT_KEY_MAX + 66];
    char reason[96];
    struct mark mark;
};

/* Applies a signal, all or nothing: the marks its rules yield (at most max_out, written to
 * out) and the start times it sets. APPLY_ACCEPTED, APPLY_DUPLICATE (same key and content),
 * or -1 with e: 404 unknown contestant or a signal no rule uses, 409 a stop before its start,
 * a key used for something else, or only criteria a person has marked (their value wins over
 * any device), or whatever refuses one of its marks (a locked module). */
int contest_apply_signal(struct contest *c, const struct signal *sig, struct derived *out,
                         int max_out, int *n_out, struct jx_error *e);

#endif
