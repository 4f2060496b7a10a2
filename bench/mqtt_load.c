/* Load for bench/devices.sh: device signals over MQTT (or, for the baseline, the same
 * readings as marks over HTTP), timed end to end to the `standings` event on the live
 * stream (docs/devices.md, docs/live.md).
 *
 *   mqtt_load mqtt --port BROKER --secret FILE --http-port P --competition C --stations N
 *                  --rate R --seconds S [--conns K] [--warmup] [--run ID]
 *   mqtt_load http --http-port P --token T --competition C --stations N
 *                  --rate R --seconds S [--conns K] [--warmup] [--run ID]
 *
 * Stations are st-0000 … and contestants c0000 … (the competition bench/devices.sh posts),
 * criterion Q1: thresholds on cell.cycle_s, lower is better, ≤ 30 → 4. Message n goes to
 * station n mod N, so each station sends every N/R s, evenly; the readings hover in
 * 20–29.999 s, so the score stays 4 and a frame moves nobody else (small frames). The
 * HTTP baseline posts {"marks":[{contestant, criterion Q1, value 4, reason}]}, one mark
 * per request, the same order and rate.
 *
 * --warmup sends one message per station first (before the stream is opened, so the
 * first automatic marks, which move ranks, are not timed), then waits 2 s.
 *
 * Latency: one SSE reader on GET /competitions/C/live. The signals one wake-up of the
 * gateway takes (an HTTP request's marks) are one commit and one `standings` frame whose
 * changed[] holds each marked contestant once with its whole state (`total` present);
 * contestants only pushed by them carry ranks alone (see reader() for several signals of one
 * contestant in one frame). Station
 * i's messages leave on one connection (i mod K) in order and the gateway applies them in
 * order, so the k-th such frame for contestant c answers the k-th message sent to c: the
 * publisher pushes its send time (wall clock, µs, just before mosquitto_publish or the
 * write) on c's FIFO, the reader pops it when the frame arrives (wall clock at read()).
 * The frame's "at" (server ms when it was built) splits the time into send → at (broker,
 * gateway, apply) and at → receipt (group commit, fan-out). Frames with no FIFO entry, seq
 * gaps, reset frames and entries never answered are counted. One machine, one clock. The
 * stream is read by one thread and parsed by another (see reader()), so the parse cost
 * does not make the server drop us as a slow client; a drop is reported (stream_ended).
 *
 * Open loop: a 1 ms tick sends whatever is due; `lag` is how far the sender ever fell
 * behind its schedule. Prints a RESULT line of key=value pairs. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <mosquitto.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static const char *opt_host = "127.0.0.1", *opt_secret, *opt_token, *opt_competition;
static int opt_port = 18830, opt_http_port, opt_stations = 77, opt_conns = 4, opt_warmup;
static double opt_rate = 770, opt_seconds = 10;
static long opt_run;
static bool http_mode;

static void die(const char *what)
{
    fprintf(stderr, "mqtt_load: %s%s%s\n", what, errno ? ": " : "", errno ? strerror(errno) : "");
    exit(1);
}

static int64_t wall_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

static int64_t mono_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

/* ------------------------------------------------------------ send times per contestant */

#define FIFO_CAP 4096
struct fifo {
    int64_t t[FIFO_CAP];
    unsigned head, tail; /* pop at head, push at tail */
};
static struct fifo *fifos;
static pthread_mutex_t fifo_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t fifo_overflow;

static void fifo_push(int c, int64_t t)
{
    pthread_mutex_lock(&fifo_lock);
    struct fifo *f = &fifos[c];
    if (f->tail - f->head == FIFO_CAP) fifo_overflow++;
    else f->t[f->tail++ % FIFO_CAP] = t;
    pthread_mutex_unlock(&fifo_lock);
}

static bool fifo_pop(int c, int64_t *t)
{
    pthread_mutex_lock(&fifo_lock);
    struct fifo *f = &fifos[c];
    bool ok = f->head != f->tail;
    if (ok) *t = f->t[f->head++ % FIFO_CAP];
    pthread_mutex_unlock(&fifo_lock);
    return ok;
}

/* Pops c's oldest send time only when it is no later than t. */
static bool fifo_pop_sent_by(int c, int64_t by, int64_t *t)
{
    pthread_mutex_lock(&fifo_lock);
    struct fifo *f = &fifos[c];
    bool ok = f->head != f->tail && f->t[f->head % FIFO_CAP] <= by;
    if (ok) *t = f->t[f->head++ % FIFO_CAP];
    pthread_mutex_unlock(&fifo_lock);
    return ok;
}

static uint64_t fifo_pending(void)
{
    uint64_t n = 0;
    pthread_mutex_lock(&fifo_lock);
    for (int i = 0; i < opt_stations; i++) n += fifos[i].tail - fifos[i].head;
    pthread_mutex_unlock(&fifo_lock);
    return n;
}

/* ------------------------------------------------------------ samples */

struct samples {
    int64_t *v;
    size_t n, cap;
};

static void sample_add(struct samples *s, int64_t x)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 65536;
        s->v = realloc(s->v, s->cap * sizeof *s->v);
        if (!s->v) die("malloc");
    }
    s->v[s->n++] = x;
}

static int cmp64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static double pct_ms(struct samples *s, double p)
{
    if (!s->n) return -1;
    size_t i = (size_t)(p * (double)(s->n - 1) + 0.5);
    return (double)s->v[i] / 1000.0;
}

/* ------------------------------------------------------------ the SSE reader */

static struct {
    pthread_mutex_t lock;
    struct samples e2e, to_at, at_to_recv; /* µs; to_at and at_to_recv at 1 ms resolution */
    uint64_t frame_bytes, frames, matched, unmatched, resets, snapshots, gaps, other_items, batched;
    int64_t last_seq, last_frame_us;
    _Atomic bool ready, measuring, stop;
    int fd;
} rd = {.lock = PTHREAD_MUTEX_INITIALIZER};

static int tcp_connect(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) die("socket");
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, opt_host, &a.sin_addr);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) die("connect");
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

static void on_frame(const char *event, const char *data, size_t len, int64_t recv_us)
{
    if (strcmp(event, "snapshot") == 0) {
        json_t *doc = json_loadb(data, len, 0, NULL);
        pthread_mutex_lock(&rd.lock);
        rd.snapshots++;
        rd.last_seq = json_integer_value(json_object_get(doc, "seq"));
        pthread_mutex_unlock(&rd.lock);
        json_decref(doc);
        rd.ready = true;
        return;
    }
    if (strcmp(event, "reset") == 0) {
        pthread_mutex_lock(&rd.lock);
        rd.resets++;
        pthread_mutex_unlock(&rd.lock);
        return;
    }
    if (strcmp(event, "standings") != 0) return;
    json_t *doc = json_loadb(data, len, 0, NULL);
    if (!doc) return;
    int64_t seq = json_integer_value(json_object_get(doc, "seq"));
    int64_t at_us = json_integer_value(json_object_get(doc, "at")) * 1000;
    pthread_mutex_lock(&rd.lock);
    rd.frames++;
    rd.frame_bytes += len;
    rd.last_frame_us = recv_us;
    size_t i;
    json_t *item;
    int marked[4096], n_marked = 0;
    json_array_foreach(json_object_get(doc, "changed"), i, item) {
        if (!json_object_get(item, "total")) {
            rd.other_items++;
            continue;
        }
        const char *id = json_string_value(json_object_get(item, "id"));
        int c = id && id[0] == 'c' ? atoi(id + 1) : -1;
        int64_t sent;
        if (c < 0 || c >= opt_stations || !fifo_pop(c, &sent)) {
            rd.unmatched++;
            continue;
        }
        if (n_marked < 4096) marked[n_marked++] = c;
        rd.matched++;
        if (rd.measuring) {
            sample_add(&rd.e2e, recv_us - sent);
            sample_add(&rd.to_at, at_us - sent);
            sample_add(&rd.at_to_recv, recv_us - at_us);
        }
    }
    /* The server commits what one wake-up of its gateway received together, in one frame:
     * the frame covers seq − last seq events, and a contestant appears once however many of
     * its signals it holds. The extra ones are the contestants' next messages sent before
     * the frame was built; what cannot be told apart that way counts as a gap. */
    int64_t extra = rd.last_seq ? seq - rd.last_seq - n_marked : 0;
    if (extra > 0) rd.batched++;
    for (int k = 0; extra > 0 && k < n_marked; k++) {
        int64_t sent;
        while (extra > 0 && fifo_pop_sent_by(marked[k], at_us + 999, &sent)) {
            extra--;
            rd.matched++;
            if (rd.measuring) {
                sample_add(&rd.e2e, recv_us - sent);
                sample_add(&rd.to_at, at_us - sent);
                sample_add(&rd.at_to_recv, recv_us - at_us);
            }
        }
    }
    if (extra != 0) rd.gaps++;
    rd.last_seq = seq;
    pthread_mutex_unlock(&rd.lock);
    json_decref(doc);
}

/* The stream is read by one thread that only copies what arrives, stamped with the time of
 * the read, and parsed by another, so a slow parse never makes the server see a slow client
 * (it drops a client whose unsent backlog passes 512 KB). */
struct chunk {
    struct chunk *next;
    int64_t at_us;
    size_t len;
    char data[];
};
static struct chunk *chunks_head, **chunks_tail = &chunks_head;
static pthread_mutex_t chunks_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t chunks_cond = PTHREAD_COND_INITIALIZER;
static _Atomic bool stream_ended, read_done;
static _Atomic uint64_t parse_backlog_max, parse_backlog;

static void *reader(void *arg)
{
    int fd = rd.fd;
    int big = 8 << 20;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
    char req[512];
    int n = snprintf(req, sizeof req,
                     "GET /api/v1/competitions/%s/live HTTP/1.1\r\nHost: %s:%d\r\n"
                     "Accept: text/event-stream\r\n\r\n",
                     opt_competition, opt_host, opt_http_port);
    if (write(fd, req, (size_t)n) != n) die("sse write");
    static char buf[1 << 20];
    while (!rd.stop) {
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, 100) <= 0) continue;
        ssize_t r = read(fd, buf, sizeof buf);
        int64_t now = wall_us();
        if (r <= 0) {
            fprintf(stderr, "mqtt_load: the live stream ended (closed by the server)\n");
            stream_ended = true;
            break;
        }
        struct chunk *c = malloc(sizeof *c + (size_t)r);
        if (!c) die("malloc");
        c->next = NULL;
        c->at_us = now;
        c->len = (size_t)r;
        memcpy(c->data, buf, (size_t)r);
        pthread_mutex_lock(&chunks_lock);
        *chunks_tail = c;
        chunks_tail = &c->next;
        parse_backlog += (uint64_t)r;
        if (parse_backlog > parse_backlog_max) parse_backlog_max = parse_backlog;
        pthread_cond_signal(&chunks_cond);
        pthread_mutex_unlock(&chunks_lock);
    }
    pthread_mutex_lock(&chunks_lock);
    read_done = true;
    pthread_cond_signal(&chunks_cond);
    pthread_mutex_unlock(&chunks_lock);
    return NULL;
}

static void *parser(void *arg)
{
    size_t cap = 64 << 20, raw_len = 0, body_len = 0;
    char *raw = malloc(cap), *body = malloc(cap);
    if (!raw || !body) die("malloc");
    bool in_body = false, chunked = false;
    char event[64] = "message";
    char *data = NULL;
    size_t data_len = 0;
    for (;;) {
        pthread_mutex_lock(&chunks_lock);
        while (!chunks_head && !read_done) pthread_cond_wait(&chunks_cond, &chunks_lock);
        struct chunk *ch = chunks_head;
        if (ch) {
            chunks_head = ch->next;
            if (!chunks_head) chunks_tail = &chunks_head;
            parse_backlog -= ch->len;
        }
        pthread_mutex_unlock(&chunks_lock);
        if (!ch) break;
        int64_t now = ch->at_us;
        if (raw_len + ch->len > cap) die("stream buffer full");
        memcpy(raw + raw_len, ch->data, ch->len);
        raw_len += ch->len;
        free(ch);
        if (!in_body) {
            char *e = memmem(raw, raw_len, "\r\n\r\n", 4);
            if (!e) continue;
            if (strncmp(raw, "HTTP/1.1 200", 12) != 0) {
                fprintf(stderr, "mqtt_load: live stream answered %.*s\n", (int)(strchr(raw, '\r') - raw), raw);
                exit(1);
            }
            *e = '\0';
            for (char *h = raw; *h; h++)
                if (*h >= 'A' && *h <= 'Z') *h = (char)(*h + 32);
            chunked = strstr(raw, "transfer-encoding: chunked") != NULL;
            size_t used = (size_t)(e + 4 - raw);
            memmove(raw, raw + used, raw_len - used);
            raw_len -= used;
            in_body = true;
        }
        size_t off = 0;
        if (!chunked) {
            memcpy(body + body_len, raw, raw_len);
            body_len += raw_len;
            off = raw_len;
        } else {
            for (;;) {
                char *crlf = memmem(raw + off, raw_len - off, "\r\n", 2);
                if (!crlf) break;
                size_t size = strtoul(raw + off, NULL, 16), start = (size_t)(crlf + 2 - raw);
                if (raw_len < start + size + 2) break;
                memcpy(body + body_len, raw + start, size);
                body_len += size;
                off = start + size + 2;
            }
        }
        memmove(raw, raw + off, raw_len - off);
        raw_len -= off;
        size_t pos = 0;
        char *nl;
        while ((nl = memchr(body + pos, '\n', body_len - pos))) {
            char *line = body + pos;
            size_t ll = (size_t)(nl - line);
            if (ll && line[ll - 1] == '\r') ll--;
            if (ll == 0) {
                if (data) on_frame(event, data, data_len, now);
                free(data);
                data = NULL;
                snprintf(event, sizeof event, "message");
            } else if (ll > 6 && memcmp(line, "event:", 6) == 0) {
                size_t st = line[6] == ' ' ? 7 : 6;
                snprintf(event, sizeof event, "%.*s", (int)(ll - st), line + st);
            } else if (ll > 5 && memcmp(line, "data:", 5) == 0 && !data) {
                size_t st = line[5] == ' ' ? 6 : 5;
                data_len = ll - st;
                data = malloc(data_len + 1);
                if (!data) die("malloc");
                memcpy(data, line + st, data_len);
                data[data_len] = '\0';
            }
            pos = (size_t)(nl + 1 - body);
        }
        memmove(body, body + pos, body_len - pos);
        body_len -= pos;
    }
    free(data);
    free(raw);
    free(body);
    return NULL;
}

/* ------------------------------------------------------------ what is sent */

static uint64_t sent_total;

static double cpu_now(void) /* this process's CPU seconds, all threads */
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}
static int64_t max_lag_us;

static double reading(int station, uint64_t n)
{
    /* each station has its own typical cycle in 20–29.9 s, with ±0.05 s of jitter */
    uint64_t h = (n * 0x9E3779B97F4A7C15ULL) >> 40;
    return 20.0 + (double)((station * 7) % 100) / 10.0 + (double)(h % 100) / 1000.0;
}

/* MQTT: K client connections, station i on connection i mod K. */
struct pub {
    struct mosquitto *m;
    _Atomic uint64_t acked;
    _Atomic int connack;
};
static struct pub *pubs;
static _Atomic uint64_t publish_errors;

static void on_connect(struct mosquitto *m, void *arg, int rc) { ((struct pub *)arg)->connack = rc; }
static void on_publish(struct mosquitto *m, void *arg, int mid) { ((struct pub *)arg)->acked++; }

static uint64_t acked_total(void)
{
    uint64_t a = 0;
    for (int k = 0; k < opt_conns; k++) a += pubs[k].acked;
    return a;
}

static void mqtt_open(void)
{
    char line[300] = "";
    FILE *f = fopen(opt_secret, "r");
    if (!f || !fgets(line, sizeof line, f)) die("cannot read the broker secret");
    fclose(f);
    line[strcspn(line, "\r\n")] = '\0';
    char *sep = strchr(line, ':');
    if (!sep) die("the secret must be user:password");
    *sep = '\0';
    mosquitto_lib_init();
    pubs = calloc((size_t)opt_conns, sizeof *pubs);
    for (int k = 0; k < opt_conns; k++) {
        char id[64];
        snprintf(id, sizeof id, "jx-bench-%d-%d", (int)getpid(), k);
        struct pub *p = &pubs[k];
        p->connack = -1;
        p->m = mosquitto_new(id, true, p);
        if (!p->m || mosquitto_username_pw_set(p->m, line, sep + 1) != MOSQ_ERR_SUCCESS) die("mosquitto_new");
        mosquitto_max_inflight_messages_set(p->m, 1000);
        mosquitto_connect_callback_set(p->m, on_connect);
        mosquitto_publish_callback_set(p->m, on_publish);
        if (mosquitto_connect(p->m, opt_host, opt_port, 30) != MOSQ_ERR_SUCCESS) die("mqtt connect");
        if (mosquitto_loop_start(p->m) != MOSQ_ERR_SUCCESS) die("mosquitto_loop_start");
    }
    for (int k = 0; k < opt_conns; k++) {
        int64_t until = mono_us() + 5000000;
        while (pubs[k].connack < 0 && mono_us() < until) usleep(1000);
        if (pubs[k].connack != 0) {
            fprintf(stderr, "mqtt_load: broker refused: %s\n", mosquitto_connack_string(pubs[k].connack));
            exit(1);
        }
    }
}

static void mqtt_send(int station, uint64_t n, bool timed)
{
    char topic[200], payload[200];
    snprintf(topic, sizeof topic, "jiangxing/%s/st-%04d/cell.cycle_s", opt_competition, station);
    int len = snprintf(payload, sizeof payload, "{\"key\":\"b%ld-%d-%llu\",\"value\":%.3f}", opt_run,
                       station, (unsigned long long)n, reading(station, n));
    if (timed) fifo_push(station, wall_us());
    int rc = mosquitto_publish(pubs[station % opt_conns].m, NULL, topic, len, payload, 1, false);
    if (rc != MOSQ_ERR_SUCCESS) {
        publish_errors++;
        fprintf(stderr, "mqtt_load: publish: %s\n", mosquitto_strerror(rc));
    }
}

/* HTTP: K keep-alive connections, pipelined, station i on connection i mod K. */
struct hconn {
    int fd;
    char *out, in[65536];
    size_t out_len, out_cap, in_len;
    uint64_t sent, answered;
};
static struct hconn *hconns;
static uint64_t http_ok, http_bad;

static void http_open(void)
{
    hconns = calloc((size_t)opt_conns, sizeof *hconns);
    for (int k = 0; k < opt_conns; k++) {
        hconns[k].fd = tcp_connect(opt_http_port);
        fcntl(hconns[k].fd, F_SETFL, O_NONBLOCK);
        hconns[k].out_cap = 4 << 20;
        hconns[k].out = malloc(hconns[k].out_cap);
        if (!hconns[k].out) die("malloc");
    }
}

static void http_flush(struct hconn *h)
{
    while (h->out_len) {
        ssize_t w = write(h->fd, h->out, h->out_len);
        if (w < 0 && errno == EAGAIN) return;
        if (w <= 0) die("http write");
        memmove(h->out, h->out + w, h->out_len - (size_t)w);
        h->out_len -= (size_t)w;
    }
}

static void http_read(struct hconn *h)
{
    for (;;) {
        ssize_t r = read(h->fd, h->in + h->in_len, sizeof h->in - h->in_len);
        if (r < 0 && errno == EAGAIN) break;
        if (r <= 0) die("http read (the server closed the connection)");
        h->in_len += (size_t)r;
        size_t used = 0;
        for (;;) {
            char *end = memmem(h->in + used, h->in_len - used, "\r\n\r\n", 4);
            if (!end) break;
            size_t head = (size_t)(end + 4 - (h->in + used));
            char *cl = memmem(h->in + used, head, "Content-Length:", 15);
            if (!cl) cl = memmem(h->in + used, head, "content-length:", 15);
            size_t blen = cl ? strtoul(cl + 15, NULL, 10) : 0;
            if (h->in_len - used < head + blen) break;
            int status = atoi(h->in + used + 9);
            if (status == 200) http_ok++;
            else if (http_bad++ < 3)
                fprintf(stderr, "mqtt_load: mark answered %.*s\n", (int)(head + blen < 300 ? head + blen : 300),
                        h->in + used);
            h->answered++;
            used += head + blen;
        }
        memmove(h->in, h->in + used, h->in_len - used);
        h->in_len -= used;
    }
}

static void http_queue(int station, uint64_t n, bool timed, int batch_from, int batch_n)
{
    struct hconn *h = &hconns[station % opt_conns];
    char body[262144];
    size_t len = (size_t)snprintf(body, sizeof body, "{\"marks\":[");
    for (int i = 0; i < batch_n; i++) {
        int s = batch_from + i;
        len += (size_t)snprintf(body + len, sizeof body - len,
                                "%s{\"key\":\"h%ld-%d-%llu\",\"contestant\":\"c%04d\",\"criterion\":\"Q1\","
                                "\"judge\":\"device\",\"value\":4,\"reason\":\"bench\"}",
                                i ? "," : "", opt_run, s, (unsigned long long)n, s);
    }
    len += (size_t)snprintf(body + len, sizeof body - len, "]}");
    if (h->out_len + len + 512 > h->out_cap) die("http backlog full");
    h->out_len += (size_t)snprintf(h->out + h->out_len, h->out_cap - h->out_len,
                                   "POST /api/v1/competitions/%s/marks HTTP/1.1\r\nHost: %s:%d\r\n"
                                   "Authorization: Bearer %s\r\nContent-Type: application/json\r\n"
                                   "Content-Length: %zu\r\n\r\n",
                                   opt_competition, opt_host, opt_http_port, opt_token, len);
    memcpy(h->out + h->out_len, body, len);
    h->out_len += len;
    h->sent++;
    if (timed) fifo_push(station, wall_us());
    http_flush(h);
}

static uint64_t http_answered(void)
{
    uint64_t a = 0;
    for (int k = 0; k < opt_conns; k++) a += hconns[k].answered;
    return a;
}

static uint64_t http_requests(void)
{
    uint64_t a = 0;
    for (int k = 0; k < opt_conns; k++) a += hconns[k].sent;
    return a;
}

static void http_poll(int timeout_ms)
{
    struct pollfd p[256];
    int n = opt_conns < 256 ? opt_conns : 256;
    for (int k = 0; k < n; k++)
        p[k] = (struct pollfd){hconns[k].fd, (short)(POLLIN | (hconns[k].out_len ? POLLOUT : 0)), 0};
    if (poll(p, (nfds_t)n, timeout_ms) <= 0) return;
    for (int k = 0; k < n; k++) {
        if (p[k].revents & POLLOUT) http_flush(&hconns[k]);
        if (p[k].revents & (POLLIN | POLLERR | POLLHUP)) http_read(&hconns[k]);
    }
}

/* Waits (polling the HTTP answers when there are any) for ms milliseconds. */
static void idle_ms(int ms)
{
    if (!http_mode) {
        usleep((useconds_t)ms * 1000);
        return;
    }
    int64_t until = mono_us() + ms * 1000;
    while (mono_us() < until) http_poll(1);
}

/* ------------------------------------------------------------ main */

static void usage(void)
{
    fprintf(stderr, "usage: mqtt_load mqtt|http --http-port P --competition C --stations N --rate R "
                    "--seconds S [--conns K] [--port BROKER --secret FILE | --token T] [--warmup] [--run ID]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    if (argc < 2) usage();
    http_mode = strcmp(argv[1], "http") == 0;
    if (!http_mode && strcmp(argv[1], "mqtt") != 0) usage();
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--warmup") == 0) {
            opt_warmup = 1;
            continue;
        }
        if (!v) usage();
        i++;
        if (strcmp(a, "--host") == 0) opt_host = v;
        else if (strcmp(a, "--port") == 0) opt_port = atoi(v);
        else if (strcmp(a, "--http-port") == 0) opt_http_port = atoi(v);
        else if (strcmp(a, "--secret") == 0) opt_secret = v;
        else if (strcmp(a, "--token") == 0) opt_token = v;
        else if (strcmp(a, "--competition") == 0) opt_competition = v;
        else if (strcmp(a, "--stations") == 0) opt_stations = atoi(v);
        else if (strcmp(a, "--conns") == 0) opt_conns = atoi(v);
        else if (strcmp(a, "--rate") == 0) opt_rate = atof(v);
        else if (strcmp(a, "--seconds") == 0) opt_seconds = atof(v);
        else if (strcmp(a, "--run") == 0) opt_run = atol(v);
        else usage();
    }
    if (!opt_competition || !opt_http_port || opt_stations < 1 || opt_stations > 9999 || opt_conns < 1 ||
        opt_conns > 256 || opt_rate <= 0 || (http_mode ? !opt_token : !opt_secret))
        usage();
    if (!opt_run) opt_run = (long)time(NULL);
    signal(SIGPIPE, SIG_IGN);
    fifos = calloc((size_t)opt_stations, sizeof *fifos);
    if (!fifos) die("calloc");

    if (http_mode) http_open();
    else mqtt_open();

    if (opt_warmup) { /* the first automatic mark of every station, untimed */
        if (http_mode) {
            for (int s = 0; s < opt_stations; s += 500)
                http_queue(0, 0, false, s, opt_stations - s < 500 ? opt_stations - s : 500);
            while (http_answered() < http_requests()) http_poll(10);
        } else {
            for (int s = 0; s < opt_stations; s++) mqtt_send(s, 0, false);
            int64_t until = mono_us() + 10000000;
            while (acked_total() < (uint64_t)opt_stations && mono_us() < until) usleep(1000);
        }
        idle_ms(2000);
    }

    rd.fd = tcp_connect(opt_http_port);
    pthread_t rt, pt;
    if (pthread_create(&rt, NULL, reader, NULL) != 0 || pthread_create(&pt, NULL, parser, NULL) != 0)
        die("pthread_create");
    int64_t until = mono_us() + 10000000;
    while (!rd.ready && mono_us() < until) idle_ms(5);
    if (!rd.ready) die("no snapshot on the live stream within 10 s");
    idle_ms(300);

    uint64_t acked0 = http_mode ? 0 : acked_total();
    uint64_t ok0 = http_ok;
    rd.measuring = true;
    double cpu0 = cpu_now();
    int64_t t0 = mono_us(), end = t0 + (int64_t)(opt_seconds * 1e6);
    uint64_t n = 0, target = (uint64_t)(opt_rate * opt_seconds + 0.5);
    while (n < target) {
        int64_t now = mono_us();
        uint64_t due = (uint64_t)((double)(now - t0) * opt_rate / 1e6) + 1;
        if (due > target) due = target;
        if (due > n + 1) {
            int64_t lag = now - (t0 + (int64_t)((double)n * 1e6 / opt_rate));
            if (lag > max_lag_us) max_lag_us = lag;
        }
        for (; n < due; n++) {
            int station = (int)(n % (uint64_t)opt_stations);
            uint64_t k = n / (uint64_t)opt_stations + 1;
            if (http_mode) http_queue(station, k, true, station, 1);
            else mqtt_send(station, k, true);
        }
        if (http_mode) http_poll(1);
        else {
            struct timespec ts = {0, 1000000};
            nanosleep(&ts, NULL);
        }
    }
    int64_t t_sent = mono_us();
    sent_total = n;
    (void)end;
    /* Drain: until every send is answered by a frame, or nothing arrived for 3 s (≤ 30 s). */
    int64_t drain_until = mono_us() + 30000000;
    for (;;) {
        idle_ms(20);
        uint64_t pending = fifo_pending();
        if (!pending || stream_ended) break;
        pthread_mutex_lock(&rd.lock);
        int64_t last = rd.last_frame_us;
        pthread_mutex_unlock(&rd.lock);
        if (mono_us() > drain_until || (wall_us() - last > 3000000 && mono_us() - t_sent > 3000000)) break;
    }
    if (http_mode) {
        int64_t u = mono_us() + 5000000;
        while (http_answered() < http_requests() && mono_us() < u) http_poll(10);
    } else {
        int64_t u = mono_us() + 5000000;
        while (acked_total() - acked0 < n && mono_us() < u) usleep(1000);
    }
    int64_t t_done = mono_us();
    rd.measuring = false;
    rd.stop = true;
    pthread_join(rt, NULL);
    pthread_join(pt, NULL);
    double cpu_s = cpu_now() - cpu0;

    pthread_mutex_lock(&rd.lock);
    qsort(rd.e2e.v, rd.e2e.n, sizeof(int64_t), cmp64);
    qsort(rd.to_at.v, rd.to_at.n, sizeof(int64_t), cmp64);
    qsort(rd.at_to_recv.v, rd.at_to_recv.n, sizeof(int64_t), cmp64);
    double send_s = (double)(t_sent - t0) / 1e6;
    /* frames/s: answered signals over the time from the first send to the last frame */
    double last_s = rd.e2e.n ? (double)(rd.last_frame_us - (wall_us() - (mono_us() - t0))) / 1e6 : 0;
    uint64_t pending = fifo_pending();
    printf("RESULT mode=%s stations=%d conns=%d rate=%.0f seconds=%.1f sent=%llu send_rate=%.0f "
           "lag_ms=%.1f acked=%llu http_ok=%llu http_bad=%llu publish_errors=%llu frames=%llu "
           "matched=%llu unanswered=%llu unmatched=%llu resets=%llu snapshots=%llu gaps=%llu batched=%llu "
           "pushed_items=%llu fifo_overflow=%llu answered_per_s=%.0f p50_ms=%.2f p90_ms=%.2f "
           "p99_ms=%.2f p999_ms=%.2f max_ms=%.2f at_p50_ms=%.1f at_p99_ms=%.1f recv_p50_ms=%.1f "
           "recv_p99_ms=%.1f drain_s=%.1f stream_ended=%d parse_backlog_kb=%llu client_cpu=%.0f frame_bytes=%.0f\n",
           http_mode ? "http" : "mqtt", opt_stations, opt_conns, opt_rate, opt_seconds,
           (unsigned long long)n, (double)n / send_s, (double)max_lag_us / 1000.0,
           (unsigned long long)(http_mode ? 0 : acked_total() - acked0), (unsigned long long)(http_ok - ok0),
           (unsigned long long)http_bad, (unsigned long long)publish_errors, (unsigned long long)rd.frames,
           (unsigned long long)rd.matched, (unsigned long long)pending, (unsigned long long)rd.unmatched,
           (unsigned long long)rd.resets, (unsigned long long)rd.snapshots, (unsigned long long)rd.gaps,
           (unsigned long long)rd.batched,
           (unsigned long long)rd.other_items, (unsigned long long)fifo_overflow,
           last_s > 0 ? (double)rd.e2e.n / last_s : 0, pct_ms(&rd.e2e, 0.5), pct_ms(&rd.e2e, 0.9),
           pct_ms(&rd.e2e, 0.99), pct_ms(&rd.e2e, 0.999), rd.e2e.n ? (double)rd.e2e.v[rd.e2e.n - 1] / 1000 : -1,
           pct_ms(&rd.to_at, 0.5), pct_ms(&rd.to_at, 0.99), pct_ms(&rd.at_to_recv, 0.5),
           pct_ms(&rd.at_to_recv, 0.99), (double)(t_done - t_sent) / 1e6, (int)stream_ended,
           (unsigned long long)(parse_backlog_max >> 10), 100.0 * cpu_s / ((double)(t_done - t0) / 1e6),
           rd.frames ? (double)rd.frame_bytes / (double)rd.frames : 0);
    pthread_mutex_unlock(&rd.lock);
    if (!http_mode)
        for (int k = 0; k < opt_conns; k++) {
            mosquitto_disconnect(pubs[k].m);
            mosquitto_loop_stop(pubs[k].m, false);
            mosquitto_destroy(pubs[k].m);
        }
    return 0;
}
