/* `jiangxing simulate`: plays the workstation devices of a competition over real MQTT
 * (docs/devices.md): heartbeats, pass signals, readings around the thresholds, starts and
 * stops, faults and their clearing, duplicates, a skewed device clock and one station that
 * goes silent. It reads the competition from the database (no writer lock) and only
 * publishes; what the server makes of the signals is the server's business. */
#include <errno.h>
#include <math.h>
#include <mosquitto.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app/app.h"
#include "cli/cli.h"
#include "core/error.h"

static const char usage[] =
    "usage: jiangxing simulate --db FILE --competition ID [--stations N] [--rate HZ]\n"
    "                          [--seconds S] [--mqtt HOST:PORT] [--mqtt-secret FILE] [--seed N]\n"
    "  Publishes, QoS 1, what the devices of the first N stations (every station by default)\n"
    "  would send for the competition's rules (docs/devices.md): a heartbeat every second,\n"
    "  pass signals (mostly true, some false then true), readings with jitter around the\n"
    "  thresholds, starts and stops, faults cleared within or over the limit, duplicates\n"
    "  (same key and body), a device clock 30 s fast now and then, and one station that\n"
    "  goes silent partway. About HZ messages per second per station (HZ >= 1, default 2):\n"
    "  readings fill what the heartbeat and the scenario leave. For S seconds (default 60),\n"
    "  with progress every 5 s and a summary at the end. --mqtt defaults to 127.0.0.1:18830,\n"
    "  the account (user:password) to run/broker/admin.secret (scripts/broker.sh start).\n"
    "  Keys are sim-SEED.RUN-STATION-N, unique per run; --seed repeats the same scenario.\n";

#define MAX_DUPS 4     /* duplicates waiting per station */
#define SKEW_S 30.0    /* a fast device clock */
#define SILENCE_S 35.0 /* the silent station stays silent at least this long when it can */

enum role {
    ROLE_HEARTBEAT,
    ROLE_PASS,
    ROLE_READING,
    ROLE_START,
    ROLE_STOP,
    ROLE_INJECTED,
    ROLE_CLEARED
};
static const char *const role_names[] = {"heartbeat", "pass",           "reading",      "start",
                                         "stop",      "fault injected", "fault cleared"};

struct sig { /* one distinct signal name with what was sent of it */
    char *name;
    enum role role;
    char criteria[64]; /* the criteria whose rules use it, for the summary */
    long sent, trues, falses;
    double min, max;
};

struct reading_rule {
    int sig;
    double lo, hi; /* the span readings are drawn from, around the limits */
    bool nonnegative;
};

struct pair_rule { /* elapsed (start → stop) or fault (injected → cleared) */
    int start, stop;
    bool fault;
    char criterion[64];
    double full, zero; /* seconds: full marks within full; nothing after zero (== full: auto) */
    long within, partial, over, unfinished, shortened;
};

struct item {  /* a scripted message of one station */
    double at; /* seconds after the start */
    int sig;
    int kind; /* 0: true, 1: false, 2: number */
    double value;
};

struct dup {
    double at;
    int sig;
    char topic[256], payload[256];
};

struct sim_station {
    char *id;
    char key_id[48]; /* the station in keys: A-Z a-z 0-9 _ . - */
    double next_heartbeat, next_filler, silent_at, skew;
    struct item *items;
    int n_items, cap_items, next_item;
    struct dup dups[MAX_DUPS];
    int n_dups;
    double *bases; /* per reading rule: this station's typical reading */
    long n;        /* messages sent, for keys */
    int filler;
    bool silenced;
};

struct sim {
    const char *competition;
    double rate, seconds, elapsed;
    double filler_rate;   /* readings per second per station beyond heartbeats and the script */
    int readings_per_run; /* scripted readings per thresholds rule, besides the filler */
    unsigned long long seed;
    long long run;
    uint64_t rng;
    struct sig *sigs;
    int n_sigs;
    int *passes;
    int n_passes;
    struct reading_rule *readings;
    int n_readings;
    struct pair_rule *pairs;
    int n_pairs;
    struct sim_station *stations;
    int n_stations, silent;
    struct mosquitto *mosq;
    bool connected;
    int connack;
    long published, acked, failed, duplicates, skewed, reconnects;
};

static volatile sig_atomic_t interrupted;
static void on_interrupt(int signo)
{
    interrupted = signo;
}

/* splitmix64: small, seedable, good enough for a scenario. */
static uint64_t next_random(struct sim *s)
{
    uint64_t z = (s->rng += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}
static double uniform(struct sim *s)
{
    return (double)(next_random(s) >> 11) * 0x1.0p-53;
}
static double between(struct sim *s, double a, double b)
{
    return a + (b - a) * uniform(s);
}
static bool chance(struct sim *s, double p)
{
    return uniform(s) < p;
}
static double jitter(struct sim *s)
{
    return uniform(s) + uniform(s) + uniform(s) - 1.5;
}

static double monotonic(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* RFC 3339 with milliseconds and the local offset: 2026-11-23T09:30:12.250+08:00. */
static void format_at(char *out, size_t size, double skew)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    long long ms = (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + (long long)(skew * 1000);
    time_t secs = (time_t)(ms / 1000);
    struct tm tm;
    localtime_r(&secs, &tm);
    int off = (int)(tm.tm_gmtoff / 60), hours = abs(off) / 60 % 24, minutes = abs(off) % 60;
    char date[32];
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, size, "%.19s.%03d%c%02d:%02d", date, (int)(ms % 1000), off < 0 ? '-' : '+', hours,
             minutes);
}

static int find_sig(const struct sim *s, const char *name)
{
    for (int i = 0; i < s->n_sigs; i++)
        if (strcmp(s->sigs[i].name, name) == 0) return i;
    return -1;
}

/* The signal's index, added with its role when new; the criterion is noted either way. */
static int add_sig(struct sim *s, const char *name, enum role role, const char *criterion)
{
    int i = find_sig(s, name);
    if (i < 0) {
        struct sig *grown = realloc(s->sigs, (size_t)(s->n_sigs + 1) * sizeof *grown);
        char *copy = strdup(name);
        if (!grown || !copy) {
            free(copy);
            if (grown) s->sigs = grown;
            return -1;
        }
        s->sigs = grown;
        i = s->n_sigs++;
        s->sigs[i] = (struct sig){.name = copy, .role = role, .min = INFINITY, .max = -INFINITY};
    }
    if (criterion) {
        size_t used = strlen(s->sigs[i].criteria);
        snprintf(s->sigs[i].criteria + used, sizeof s->sigs[i].criteria - used, "%s%s",
                 used ? ", " : "", criterion);
    }
    return i;
}

static void *grow(void *array, int count, size_t size)
{
    return realloc(array, (size_t)(count + 1) * size);
}

/* What each rule asks devices to send; signals shared by several rules are sent once. */
static int plan_rules(struct sim *s, const struct scheme *sc)
{
    if (add_sig(s, "heartbeat", ROLE_HEARTBEAT, NULL) != 0) return -1;
    for (int k = 0; k < sc->n_criteria; k++) {
        const struct criterion *c = &sc->criteria[k];
        const struct rule *r = &c->rule;
        if (r->type == RULE_PASS) {
            bool known = find_sig(s, r->signal) >= 0;
            int sig = add_sig(s, r->signal, ROLE_PASS, c->id);
            if (sig < 0) return -1;
            if (known) continue;
            int *grown = grow(s->passes, s->n_passes, sizeof *grown);
            if (!grown) return -1;
            s->passes = grown;
            s->passes[s->n_passes++] = sig;
        } else if (r->type == RULE_THRESHOLDS) {
            bool known = find_sig(s, r->signal) >= 0;
            int sig = add_sig(s, r->signal, ROLE_READING, c->id);
            if (sig < 0) return -1;
            if (known) continue;
            struct reading_rule *grown = grow(s->readings, s->n_readings, sizeof *grown);
            if (!grown) return -1;
            s->readings = grown;
            double lo = INFINITY, hi = -INFINITY;
            bool nonnegative = true;
            for (int i = 0; i < r->n_steps; i++) {
                double limit = (double)r->steps[i].limit / MILLI;
                lo = fmin(lo, limit);
                hi = fmax(hi, limit);
                nonnegative = nonnegative && limit >= 0;
            }
            double span = hi - lo > 0 ? hi - lo : fabs(hi) * 0.4 + 1;
            s->readings[s->n_readings++] =
                (struct reading_rule){sig, lo - 0.35 * span, hi + 0.35 * span, nonnegative};
        } else if (r->type == RULE_ELAPSED || r->type == RULE_FAULT) {
            bool fault = r->type == RULE_FAULT;
            bool known = find_sig(s, r->start) >= 0 && find_sig(s, r->signal) >= 0;
            int start = add_sig(s, r->start, fault ? ROLE_INJECTED : ROLE_START, c->id);
            int stop = add_sig(s, r->signal, fault ? ROLE_CLEARED : ROLE_STOP, c->id);
            if (start < 0 || stop < 0) return -1;
            if (known) continue;
            struct pair_rule *grown = grow(s->pairs, s->n_pairs, sizeof *grown);
            if (!grown) return -1;
            s->pairs = grown;
            double full = (double)(c->kind == KIND_AUTO ? r->within : c->full_within) / MILLI;
            double zero = c->kind == KIND_AUTO ? full : (double)c->zero_after / MILLI;
            if (full <= 0) full = zero > 0 ? zero / 2 : 60;
            struct pair_rule *pr = &s->pairs[s->n_pairs++];
            *pr = (struct pair_rule){.start = start,
                                     .stop = stop,
                                     .fault = fault,
                                     .full = full,
                                     .zero = fmax(zero, full)};
            snprintf(pr->criterion, sizeof pr->criterion, "%s", c->id);
        }
    }
    return 0;
}

static int add_item(struct sim_station *st, double at, int sig, int kind, double value)
{
    if (st->n_items == st->cap_items) {
        int cap = st->cap_items ? st->cap_items * 2 : 16;
        struct item *grown = realloc(st->items, (size_t)cap * sizeof *grown);
        if (!grown) return -1;
        st->items = grown;
        st->cap_items = cap;
    }
    st->items[st->n_items++] = (struct item){at, sig, kind, value};
    return 0;
}

static int by_time(const void *a, const void *b)
{
    double x = ((const struct item *)a)->at, y = ((const struct item *)b)->at;
    return x < y ? -1 : x > y;
}

static double reading(struct sim *s, const struct reading_rule *r, double base)
{
    double v = base + jitter(s) * 0.06 * (r->hi - r->lo);
    if (r->nonnegative && v < 0) v = 0;
    v = round(fmin(fmax(v, -1e9), 1e9) * 1000) / 1000;
    return v == 0 ? 0 : v; /* no -0 */
}

/* A station's run: when each rule's signals are sent, from the scenario's random draws. */
static int script_station(struct sim *s, struct sim_station *st)
{
    double S = s->seconds, end = fmin(S, st->silent_at);
    for (int p = 0; p < s->n_passes; p++) {
        double at = between(s, 0.05, 0.5) * S;
        double u = uniform(s);
        if (u < 0.2) { /* fails its self-test, then passes after a repair */
            if (add_item(st, at, s->passes[p], 1, 0) != 0 ||
                add_item(st, at + between(s, 0.1, 0.3) * S, s->passes[p], 0, 0) != 0)
                return -1;
        } else if (add_item(st, at, s->passes[p], u < 0.3 ? 1 : 0, 0) != 0)
            return -1;
    }
    for (int k = 0; k < s->n_readings; k++) {
        const struct reading_rule *r = &s->readings[k];
        st->bases[k] = between(s, r->lo, r->hi);
        for (int i = 0; i < s->readings_per_run; i++)
            if (add_item(st, (i + uniform(s)) * S / s->readings_per_run, r->sig, 2,
                         reading(s, r, st->bases[k])) != 0)
                return -1;
    }
    for (int k = 0; k < s->n_pairs; k++) {
        struct pair_rule *r = &s->pairs[k];
        double start = between(s, r->fault ? 0.1 : 0.02, r->fault ? 0.3 : 0.2) * S, delay;
        double u = uniform(s);
        if (r->zero <= r->full) /* auto: within the limit or over it */
            delay = u < 0.7 ? between(s, 0.2, 0.95) * r->full : between(s, 1.05, 1.5) * r->full;
        else
            delay = u < 0.6    ? between(s, 0.3, 1.0) * r->full
                    : u < 0.85 ? between(s, r->full, r->zero)
                               : between(s, 1.0, 1.3) * r->zero;
        double room = 0.95 * S - start;
        if (delay > room) { /* the limits are longer than the run: squeeze into it */
            delay = between(s, 0.3, 1.0) * room;
            r->shortened++;
        }
        if (add_item(st, start, r->start, 0, 0) != 0 ||
            add_item(st, start + delay, r->stop, 0, 0) != 0)
            return -1;
        if (start >= end) continue; /* never started: counted nowhere */
        if (start + delay >= end)
            r->unfinished++;
        else if (delay <= r->full)
            r->within++;
        else if (delay <= r->zero && r->zero > r->full)
            r->partial++;
        else
            r->over++;
    }
    qsort(st->items, (size_t)st->n_items, sizeof *st->items, by_time);
    return 0;
}

/* Stations in contestant order, each once; a station shared by contestants is named. */
static int pick_stations(struct sim *s, const struct scheme *sc, int wanted)
{
    s->stations =
        calloc((size_t)(sc->n_contestants > 0 ? sc->n_contestants : 1), sizeof *s->stations);
    if (!s->stations) return -1;
    int shared = 0, unusable = 0;
    const char *example = NULL;
    struct strmap seen = {0};
    for (int i = 0; i < sc->n_contestants && s->n_stations < wanted; i++) {
        const char *id = sc->contestants[i].station;
        if (!id[0]) continue;
        if (strlen(id) > 64 || strpbrk(id, "/+#")) {
            unusable++;
            continue;
        }
        if (strmap_get(&seen, id, NULL)) {
            if (!shared++) example = id;
            continue;
        }
        struct sim_station *st = &s->stations[s->n_stations];
        if (strmap_put(&seen, id, i) != 0 || !(st->id = strdup(id))) {
            strmap_release(&seen);
            return -1;
        }
        s->n_stations++;
        size_t n = 0;
        for (const char *p = id; *p && n + 1 < sizeof st->key_id; p++)
            st->key_id[n++] = strchr("_.-", *p) || (*p >= '0' && *p <= '9') ||
                                      (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z')
                                  ? *p
                                  : '_';
    }
    if (shared)
        printf("  note: %d contestants share a station with another (station %s, …): a device\n"
               "        addresses a station, so stations should be unique; each is played once\n",
               shared, example);
    strmap_release(&seen);
    if (unusable)
        printf(
            "  note: %d stations hold / + # or are over 64 bytes and cannot be topics; skipped\n",
            unusable);
    return 0;
}

static int prepare(struct sim *s, const struct scheme *sc, int wanted)
{
    if (plan_rules(s, sc) != 0 || pick_stations(s, sc, wanted) != 0) return -1;
    if (s->n_stations == 0) return 0;
    s->readings_per_run = (int)fmax(1, fmin(10, s->seconds / 6)); /* a reading every 6 s or more */
    double scripted =
        (1.2 * s->n_passes + s->readings_per_run * s->n_readings + 2.0 * s->n_pairs) / s->seconds;
    s->filler_rate = fmax(0, (s->rate - 1 - scripted) / 1.03); /* 3 % of signals come twice */
    s->silent = s->n_stations >= 2 ? (int)(next_random(s) % (uint64_t)s->n_stations) : -1;
    int forced_skew =
        s->n_stations >= 2
            ? (s->silent + 1 + (int)(next_random(s) % (uint64_t)(s->n_stations - 1))) %
                  s->n_stations
            : -1;
    for (int i = 0; i < s->n_stations; i++) {
        struct sim_station *st = &s->stations[i];
        st->silent_at = INFINITY;
        if (i == s->silent) {
            double latest = s->seconds - SILENCE_S;
            st->silent_at = fmax(0.2 * s->seconds, fmin(between(s, 0.3, 0.6) * s->seconds, latest));
        }
        st->skew = i == forced_skew || (i != s->silent && chance(s, 0.08)) ? SKEW_S : 0;
        st->next_heartbeat = uniform(s);
        st->next_filler = s->filler_rate > 0 ? uniform(s) / s->filler_rate : INFINITY;
        if (!(st->bases = calloc((size_t)s->n_readings + 1, sizeof *st->bases))) return -1;
        if (script_station(s, st) != 0) return -1;
    }
    return 0;
}

static void on_connect(struct mosquitto *m, void *arg, int rc)
{
    struct sim *s = arg;
    s->connack = rc;
    s->connected = rc == 0;
}

static void on_disconnect(struct mosquitto *m, void *arg, int rc)
{
    ((struct sim *)arg)->connected = false;
}

static void on_publish(struct mosquitto *m, void *arg, int mid)
{
    ((struct sim *)arg)->acked++;
}

static void publish(struct sim *s, const char *topic, const char *payload)
{
    int rc = mosquitto_publish(s->mosq, NULL, topic, (int)strlen(payload), payload, 1, false);
    if (rc == MOSQ_ERR_SUCCESS)
        s->published++;
    else
        s->failed++;
}

/* Builds and sends one message of a station; a signal message is duplicated now and then. */
static void send_message(struct sim *s, struct sim_station *st, int sig, int kind, double value,
                         double now)
{
    char key[128], at[48], val[40] = "", topic[256], payload[256];
    snprintf(key, sizeof key, "sim-%llu.%lld-%s-%ld", s->seed, s->run, st->key_id, ++st->n);
    format_at(at, sizeof at, st->skew);
    struct sig *g = &s->sigs[sig];
    if (g->role != ROLE_HEARTBEAT) {
        if (kind == 2) {
            char buf[32];
            milli_t m = (milli_t)llround(value * MILLI);
            snprintf(val, sizeof val, "\"value\":%s,", milli_format(m, buf));
            g->min = fmin(g->min, value);
            g->max = fmax(g->max, value);
        } else {
            snprintf(val, sizeof val, "\"value\":%s,", kind == 0 ? "true" : "false");
            if (kind == 0)
                g->trues++;
            else
                g->falses++;
        }
    }
    snprintf(topic, sizeof topic, "jiangxing/%s/%s/%s", s->competition, st->id, g->name);
    snprintf(payload, sizeof payload, "{\"key\":\"%s\",%s\"at\":\"%s\"}", key, val, at);
    publish(s, topic, payload);
    g->sent++;
    if (st->skew != 0) s->skewed++;
    if (g->role != ROLE_HEARTBEAT && st->n_dups < MAX_DUPS && chance(s, 0.03)) {
        struct dup *d = &st->dups[st->n_dups++];
        d->at = now + between(s, 0.2, 3.0);
        d->sig = sig;
        memcpy(d->topic, topic, sizeof topic);
        memcpy(d->payload, payload, sizeof payload);
    }
}

/* What a station sends next and when: a heartbeat each second, scripted messages and
 * duplicates when due, readings (or, with no thresholds rule, heartbeats) in between. */
enum due { DUE_HEARTBEAT, DUE_ITEM, DUE_DUP, DUE_FILLER };
static double next_due(const struct sim_station *st, enum due *what, int *dup)
{
    double at = st->next_heartbeat;
    *what = DUE_HEARTBEAT;
    if (st->next_item < st->n_items && st->items[st->next_item].at < at) {
        at = st->items[st->next_item].at;
        *what = DUE_ITEM;
    }
    for (int i = 0; i < st->n_dups; i++)
        if (st->dups[i].at < at) {
            at = st->dups[i].at;
            *what = DUE_DUP;
            *dup = i;
        }
    if (st->next_filler < at) {
        at = st->next_filler;
        *what = DUE_FILLER;
    }
    return at;
}

static void send_due(struct sim *s, struct sim_station *st, enum due what, int i, double now)
{
    if (what == DUE_DUP) {
        publish(s, st->dups[i].topic, st->dups[i].payload);
        s->duplicates++;
        s->sigs[st->dups[i].sig].sent++;
        if (st->skew != 0) s->skewed++;
        st->dups[i] = st->dups[--st->n_dups];
    } else if (what == DUE_ITEM) {
        const struct item *it = &st->items[st->next_item++];
        send_message(s, st, it->sig, it->kind, it->value, now);
    } else if (what == DUE_HEARTBEAT) {
        send_message(s, st, 0, 0, 0, now);
        st->next_heartbeat += 1.0;
    } else {
        if (s->n_readings == 0)
            send_message(s, st, 0, 0, 0, now);
        else {
            int k = st->filler++ % s->n_readings;
            send_message(s, st, s->readings[k].sig, 2, reading(s, &s->readings[k], st->bases[k]),
                         now);
        }
        st->next_filler += between(s, 0.5, 1.5) / s->filler_rate;
    }
}

static int connect_broker(struct sim *s, const char *address, const char *secret_path)
{
    char host[256];
    const char *colon = strrchr(address, ':');
    int port = colon ? atoi(colon + 1) : 0;
    if (!colon || colon == address || port <= 0 || port > 65535 ||
        (size_t)(colon - address) >= sizeof host) {
        fprintf(stderr, "jiangxing simulate: --mqtt wants HOST:PORT, such as 127.0.0.1:18830\n");
        return -1;
    }
    memcpy(host, address, (size_t)(colon - address));
    host[colon - address] = '\0';
    char line[512] = "";
    FILE *f = fopen(secret_path, "r");
    if (!f || !fgets(line, sizeof line, f)) {
        fprintf(stderr,
                "jiangxing simulate: cannot read the broker account from %s: %s\n"
                "  (scripts/broker.sh start writes it)\n",
                secret_path, f ? "empty file" : strerror(errno));
        if (f) fclose(f);
        return -1;
    }
    fclose(f);
    line[strcspn(line, "\r\n")] = '\0';
    char *sep = strchr(line, ':');
    if (!sep || sep == line || !sep[1]) {
        fprintf(stderr, "jiangxing simulate: %s must hold user:password\n", secret_path);
        return -1;
    }
    *sep = '\0';
    char id[64];
    snprintf(id, sizeof id, "jx-sim-%ld", (long)getpid());
    s->mosq = mosquitto_new(id, true, s);
    if (!s->mosq || mosquitto_username_pw_set(s->mosq, line, sep + 1) != MOSQ_ERR_SUCCESS) {
        fprintf(stderr, "jiangxing simulate: cannot create the MQTT client\n");
        return -1;
    }
    sodium_memzero(line, sizeof line);
    mosquitto_max_inflight_messages_set(s->mosq, 100);
    mosquitto_connect_callback_set(s->mosq, on_connect);
    mosquitto_disconnect_callback_set(s->mosq, on_disconnect);
    mosquitto_publish_callback_set(s->mosq, on_publish);
    int rc = mosquitto_connect(s->mosq, host, port, 30);
    if (rc != MOSQ_ERR_SUCCESS) {
        fprintf(stderr, "jiangxing simulate: cannot reach the broker at %s:%d: %s\n", host, port,
                rc == MOSQ_ERR_ERRNO ? strerror(errno) : mosquitto_strerror(rc));
        return -1;
    }
    s->connack = -1;
    double until = monotonic() + 5;
    while (s->connack < 0 && monotonic() < until && !interrupted)
        if (mosquitto_loop(s->mosq, 100, 1) != MOSQ_ERR_SUCCESS) break;
    if (!s->connected) {
        fprintf(stderr, "jiangxing simulate: the broker at %s:%d refused %s: %s\n", host, port, id,
                s->connack < 0 ? "no answer" : mosquitto_connack_string(s->connack));
        return -1;
    }
    printf("  connected to %s:%d as %s\n", host, port, id);
    return 0;
}

static void print_progress(const struct sim *s, double now)
{
    printf("  %5.0f s: %ld published (%.0f/s), %ld acknowledged, %ld duplicates%s\n", now,
           s->published, now > 0 ? (double)s->published / now : 0.0, s->acked, s->duplicates,
           s->connected ? "" : ", disconnected");
    fflush(stdout);
}

static void run(struct sim *s)
{
    double t0 = monotonic(), next_progress = 5, last_reconnect = -10, now = 0;
    while (!interrupted && (now = monotonic() - t0) < s->seconds) {
        double wake = s->seconds;
        for (int i = 0; i < s->n_stations; i++) {
            struct sim_station *st = &s->stations[i];
            if (st->silenced) continue;
            /* Fallen behind (a slow broker): carry on from now rather than in a burst. */
            if (st->next_heartbeat < now - 1.0) st->next_heartbeat = now;
            if (st->next_filler < now - 1.0) st->next_filler = now;
            enum due what;
            int dup = 0;
            double at;
            while ((at = next_due(st, &what, &dup)) <= now) {
                if (at >= st->silent_at) {
                    st->silenced = true;
                    printf("  %5.0f s: station %s goes silent\n", now, st->id);
                    break;
                }
                send_due(s, st, what, dup, at);
            }
            if (!st->silenced) wake = fmin(wake, at);
        }
        if (now >= next_progress) {
            print_progress(s, now);
            next_progress += 5;
        }
        int wait_ms = (int)fmax(0, fmin(100, (wake - (monotonic() - t0)) * 1000));
        if (mosquitto_loop(s->mosq, wait_ms, 1) != MOSQ_ERR_SUCCESS) {
            s->connected = false;
            if (now - last_reconnect >= 1) {
                last_reconnect = now;
                if (mosquitto_reconnect(s->mosq) == MOSQ_ERR_SUCCESS) s->reconnects++;
            } else
                usleep((useconds_t)wait_ms * 1000);
        }
    }
    /* Let the broker acknowledge what is in flight (at most 10 s). */
    double until = monotonic() + 10;
    while (s->connected && s->acked < s->published && monotonic() < until)
        if (mosquitto_loop(s->mosq, 100, 1) != MOSQ_ERR_SUCCESS) break;
    s->elapsed = fmin(s->seconds, monotonic() - t0);
    mosquitto_disconnect(s->mosq);
    mosquitto_loop(s->mosq, 100, 1);
}

static void print_summary(const struct sim *s)
{
    printf("jiangxing simulate: %s, %d stations, %.1f s%s\n", s->competition, s->n_stations,
           s->elapsed, interrupted ? " (interrupted)" : "");
    printf("  published %ld messages (%.1f/s), acknowledged %ld, failed %ld%s\n", s->published,
           s->elapsed > 0 ? (double)s->published / s->elapsed : 0.0, s->acked, s->failed,
           s->reconnects ? ", reconnected" : "");
    for (int i = 0; i < s->n_sigs; i++) {
        const struct sig *g = &s->sigs[i];
        printf("    %-20s %8ld  %s", g->name, g->sent, role_names[g->role]);
        if (g->criteria[0]) printf(" (%s)", g->criteria);
        if (g->role == ROLE_PASS) printf(": %ld true, %ld false", g->trues, g->falses);
        if (g->role == ROLE_READING && g->sent) printf(": %.3f to %.3f", g->min, g->max);
        putchar('\n');
    }
    printf("  duplicates (same key and body resent): %ld\n", s->duplicates);
    printf("  device clock +%.0f s:", SKEW_S);
    int skewed = 0;
    for (int i = 0; i < s->n_stations; i++)
        if (s->stations[i].skew != 0)
            printf("%s %s", skewed++ ? "," : " station", s->stations[i].id);
    if (skewed)
        printf(" (%ld messages)\n", s->skewed);
    else
        printf(" none\n");
    if (s->silent >= 0) {
        const struct sim_station *st = &s->stations[s->silent];
        if (st->silent_at < s->elapsed)
            printf("  silent: station %s from %.1f s on (nothing, not even heartbeats, after it)\n",
                   st->id, st->silent_at);
        else
            printf("  silent: station %s was to go silent at %.1f s; the run ended first\n", st->id,
                   st->silent_at);
    }
    for (int k = 0; k < s->n_pairs; k++) {
        const struct pair_rule *r = &s->pairs[k];
        printf("  %s → %s (%s), planned for %.0f s: %ld within %.0f s, ", s->sigs[r->start].name,
               s->sigs[r->stop].name, r->criterion, s->seconds, r->within, r->full);
        if (r->zero > r->full) printf("%ld within %.0f s, ", r->partial, r->zero);
        printf("%ld over, %ld unfinished\n", r->over, r->unfinished);
        if (r->shortened)
            printf("    shortened to fit the run (its limits outlast --seconds %.0f): %ld delays\n",
                   s->seconds, r->shortened);
    }
}

static void release(struct sim *s)
{
    for (int i = 0; i < s->n_sigs; i++)
        free(s->sigs[i].name);
    free(s->sigs);
    free(s->passes);
    free(s->readings);
    free(s->pairs);
    for (int i = 0; i < s->n_stations; i++) {
        free(s->stations[i].id);
        free(s->stations[i].items);
        free(s->stations[i].bases);
    }
    free(s->stations);
    if (s->mosq) mosquitto_destroy(s->mosq);
}

/* Parses a number option within [min, max]; -1 with a message otherwise. */
static int number(const char *name, const char *text, double min, double max, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (errno || end == text || *end || !(v >= min && v <= max)) {
        fprintf(stderr, "jiangxing simulate: %s wants a number from %g to %g, not \"%s\"\n", name,
                min, max, text);
        return -1;
    }
    *out = v;
    return 0;
}

int cmd_simulate(int argc, char **argv)
{
    if (cli_wants_help(argc, argv, usage)) return 0;
    const char *db = NULL, *address = "127.0.0.1:18830", *secret = "run/broker/admin.secret";
    const char *stations_text = NULL, *rate_text = "2", *seconds_text = "60", *seed_text = NULL;
    struct sim s = {.run = (long long)time(NULL), .silent = -1};
    for (int i = 1; i < argc; i++) {
        const char **slot = i + 1 >= argc                       ? NULL
                            : !strcmp(argv[i], "--db")          ? &db
                            : !strcmp(argv[i], "--competition") ? &s.competition
                            : !strcmp(argv[i], "--stations")    ? &stations_text
                            : !strcmp(argv[i], "--rate")        ? &rate_text
                            : !strcmp(argv[i], "--seconds")     ? &seconds_text
                            : !strcmp(argv[i], "--mqtt")        ? &address
                            : !strcmp(argv[i], "--mqtt-secret") ? &secret
                            : !strcmp(argv[i], "--seed")        ? &seed_text
                                                                : NULL;
        if (!slot) {
            fprintf(stderr, "jiangxing simulate: unexpected argument %s\n%s", argv[i], usage);
            return 2;
        }
        *slot = argv[++i];
    }
    if (!db || !s.competition) {
        fputs(usage, stderr);
        return 2;
    }
    double stations = 1e6, seed = 0;
    if ((stations_text && number("--stations", stations_text, 1, 1e6, &stations) != 0) ||
        number("--rate", rate_text, 1, 1000, &s.rate) != 0 ||
        number("--seconds", seconds_text, 1, 7 * 86400, &s.seconds) != 0 ||
        (seed_text && number("--seed", seed_text, 0, 9007199254740991.0, &seed) != 0))
        return 2;
    s.seed = seed_text ? (unsigned long long)seed
                       : ((unsigned long long)s.run * 1000003ULL ^ (unsigned long long)getpid()) %
                             1000000ULL;
    s.rng = s.seed;
    if (access(db, R_OK) != 0) {
        fprintf(stderr, "jiangxing simulate: cannot read %s: %s\n", db, strerror(errno));
        return 1;
    }

    struct app app;
    struct jx_error e;
    if (app_open(&app, db, &e) != 0) {
        cli_print_error(&e);
        return 1;
    }
    const struct competition *comp = app_competition(&app, s.competition);
    int rc = 1;
    if (!comp) {
        fprintf(stderr, "jiangxing simulate: no competition \"%s\" in %s\n", s.competition, db);
        app_close(&app);
        return 1;
    }
    printf("jiangxing simulate: %s from %s, seed %llu\n", s.competition, db, s.seed);
    if (prepare(&s, &comp->contest.scheme, (int)stations) != 0) {
        fprintf(stderr, "jiangxing simulate: out of memory\n");
        goto done;
    }
    if (s.n_stations == 0) {
        fprintf(stderr, "jiangxing simulate: no contestant of %s has a station\n", s.competition);
        goto done;
    }
    if (s.n_sigs == 1)
        printf("  note: no criterion of %s has a device rule; heartbeats only\n", s.competition);
    else if (s.n_readings == 0 && s.filler_rate > 0)
        printf("  note: no thresholds rule to send readings for; extra heartbeats fill the rate\n");
    printf("  %d stations, %g Hz each (about %.0f messages/s), %g s\n", s.n_stations, s.rate,
           s.n_stations * s.rate, s.seconds);
    app_close(&app); /* everything needed is copied; the database is not held open */
    comp = NULL;

    mosquitto_lib_init();
    signal(SIGINT, on_interrupt);
    signal(SIGTERM, on_interrupt);
    if (connect_broker(&s, address, secret) == 0) {
        run(&s);
        print_summary(&s);
        rc = s.failed == 0 && s.acked == s.published ? 0 : 1;
    }
    release(&s);
    mosquitto_lib_cleanup();
    return rc;
done:
    release(&s);
    app_close(&app);
    return rc;
}
