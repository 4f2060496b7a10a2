/* bench/ingest_client.c: a closed-loop HTTP/1.1 load generator for
 * POST /api/v1/competitions/{id}/marks. Each of C keep-alive connections sends one
 * request (one mark by default), waits for the answer, and sends the next, for the
 * given duration after a warm-up. Raw epoll, one thread by default, so the client
 * costs as little CPU as possible on a small machine it shares with the server.
 *
 * Prints a human summary and one line starting with RESULT (key=value pairs) that
 * bench/ingest.sh parses. Latency is per request: send → whole answer received. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define REQ_CAP (64 * 1024)
#define RESP_CAP (16 * 1024)

struct options {
    const char *host, *token, *competition, *prefix;
    const char *path, *raw_body; /* for floor measurements: another path, a fixed body */
    int port, conns, threads, batch, expect;
    double seconds, warmup, drain;
    const char *criteria[16];
    int n_criteria;
    char contestants[1024][16];
    int n_contestants;
};

static struct options opt = {
    .host = "127.0.0.1",
    .competition = "irom-final-2026",
    .prefix = "bench",
    .port = 8080,
    .conns = 64,
    .threads = 1,
    .batch = 1,
    .expect = 200,
    .seconds = 10,
    .warmup = 1,
    .drain = 15,
};

struct conn {
    int fd, id;
    uint64_t seq;     /* requests sent on this connection */
    uint64_t sent_ns; /* when the current request was written */
    bool in_flight;
    char *req;
    size_t req_len, req_off;
    char resp[RESP_CAP];
    size_t resp_len;
};

struct worker {
    pthread_t thread;
    int index, ep;
    struct conn *conns;
    int n_conns;
    uint64_t acks, marks, http_errors, io_errors, not_accepted, reconnects;
    uint64_t *lat_ns;
    size_t n_lat, cap_lat;
    char first_error[300];
};

static uint64_t t_start, t_measure, t_end;

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void die(const char *what)
{
    perror(what);
    exit(1);
}

static void note_error(struct worker *w, const char *fmt, const char *detail)
{
    if (w->first_error[0]) return;
    snprintf(w->first_error, sizeof w->first_error, fmt, detail);
}

static int connect_one(void)
{
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)opt.port)};
    if (inet_pton(AF_INET, opt.host, &addr.sin_addr) != 1) {
        fprintf(stderr, "ingest_client: --host must be an IPv4 address\n");
        exit(2);
    }
    for (int attempt = 0; attempt < 50; attempt++) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) die("socket");
        if (connect(fd, (struct sockaddr *)&addr, sizeof addr) == 0) {
            int one = 1;
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
            return fd;
        }
        close(fd);
        usleep(100000);
    }
    die("connect");
    return -1;
}

/* Writes the next request (batch marks with fresh keys) into c->req. Deductions of 0
 * on deduction criteria: always accepted, never need a replacement reason. */
static void build_request(struct conn *c)
{
    static const char head_fmt[] = "POST %s HTTP/1.1\r\n"
                                   "Host: %s:%d\r\n"
                                   "Authorization: Bearer %s\r\n"
                                   "Content-Type: application/json\r\n"
                                   "Content-Length: %d\r\n"
                                   "\r\n";
    char body[REQ_CAP / 2];
    int len = snprintf(body, sizeof body, "{\"marks\":[");
    int cells = opt.n_contestants * opt.n_criteria;
    for (int i = 0; i < opt.batch; i++) {
        /* Spread marks over every (contestant, criterion) cell so no cell's deduction
         * list grows much faster than the others. */
        uint64_t n = c->seq * (uint64_t)opt.batch + (uint64_t)i;
        int cell = (int)((n + (uint64_t)c->id * 7919u) % (uint64_t)cells);
        len += snprintf(body + len, sizeof body - (size_t)len,
                        "%s{\"key\":\"%s-%d-%llu-%d\",\"contestant\":\"%s\",\"criterion\":\"%s\","
                        "\"deduction\":0,\"reason\":\"bench\"}",
                        i ? "," : "", opt.prefix, c->id, (unsigned long long)c->seq, i,
                        opt.contestants[cell % opt.n_contestants],
                        opt.criteria[cell / opt.n_contestants]);
    }
    len += snprintf(body + len, sizeof body - (size_t)len, "]}");
    if (opt.raw_body) len = snprintf(body, sizeof body, "%s", opt.raw_body);
    if ((size_t)len >= sizeof body) {
        fprintf(stderr, "ingest_client: --batch too large\n");
        exit(2);
    }
    char path[300];
    if (opt.path) snprintf(path, sizeof path, "%s", opt.path);
    else snprintf(path, sizeof path, "/api/v1/competitions/%s/marks", opt.competition);
    int head = snprintf(c->req, REQ_CAP, head_fmt, path, opt.host, opt.port, opt.token, len);
    memcpy(c->req + head, body, (size_t)len);
    c->req_len = (size_t)head + (size_t)len;
    c->req_off = 0;
}

static void watch(struct worker *w, struct conn *c, int op, uint32_t events)
{
    struct epoll_event ev = {.events = events, .data.ptr = c};
    if (epoll_ctl(w->ep, op, c->fd, &ev) != 0) die("epoll_ctl");
}

static void flush_request(struct worker *w, struct conn *c);

static void send_next(struct worker *w, struct conn *c)
{
    build_request(c);
    c->seq++;
    c->in_flight = true;
    c->resp_len = 0;
    c->sent_ns = now_ns();
    flush_request(w, c);
}

static void reconnect(struct worker *w, struct conn *c)
{
    epoll_ctl(w->ep, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    c->fd = connect_one();
    c->in_flight = false;
    w->reconnects++;
    watch(w, c, EPOLL_CTL_ADD, EPOLLIN);
}

static void flush_request(struct worker *w, struct conn *c)
{
    while (c->req_off < c->req_len) {
        ssize_t n = send(c->fd, c->req + c->req_off, c->req_len - c->req_off, MSG_NOSIGNAL);
        if (n > 0) {
            c->req_off += (size_t)n;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            watch(w, c, EPOLL_CTL_MOD, EPOLLIN | EPOLLOUT);
            return;
        } else {
            w->io_errors++;
            note_error(w, "send failed: %s", strerror(errno));
            reconnect(w, c);
            return;
        }
    }
}

static void record(struct worker *w, uint64_t ns)
{
    if (w->n_lat == w->cap_lat) {
        w->cap_lat = w->cap_lat ? w->cap_lat * 2 : 65536;
        if (!(w->lat_ns = realloc(w->lat_ns, w->cap_lat * sizeof *w->lat_ns))) die("realloc");
    }
    w->lat_ns[w->n_lat++] = ns;
}

static const char *find_header(const char *head, size_t head_len, const char *name)
{
    size_t name_len = strlen(name);
    for (const char *p = head; p && p < head + head_len; p = memchr(p, '\n', (size_t)(head + head_len - p))) {
        if (*p == '\n') p++;
        if ((size_t)(head + head_len - p) > name_len && strncasecmp(p, name, name_len) == 0 &&
            p[name_len] == ':')
            return p + name_len + 1;
    }
    return NULL;
}

/* Handles a complete answer, if c->resp holds one. Returns true when it was handled. */
static bool take_response(struct worker *w, struct conn *c, uint64_t t)
{
    c->resp[c->resp_len] = '\0';
    char *end = strstr(c->resp, "\r\n\r\n");
    if (!end) return false;
    size_t head_len = (size_t)(end - c->resp) + 4;
    const char *cl = find_header(c->resp, head_len, "Content-Length");
    size_t body_len = cl ? strtoul(cl, NULL, 10) : 0;
    if (c->resp_len < head_len + body_len) return false;
    int status = 0;
    sscanf(c->resp, "HTTP/1.%*d %d", &status);
    const char *body = c->resp + head_len;
    const char *conn_hdr = find_header(c->resp, head_len, "Connection");
    bool closing = conn_hdr && strncasecmp(conn_hdr + strspn(conn_hdr, " "), "close", 5) == 0;
    bool counted = t >= t_measure && t < t_end;
    c->in_flight = false;
    if (status == opt.expect && opt.expect != 200) {
        if (counted) {
            w->acks++;
            record(w, t - c->sent_ns);
        }
    } else if (status != 200) {
        w->http_errors++;
        char detail[200];
        snprintf(detail, sizeof detail, "%d %.*s", status, (int)(body_len < 150 ? body_len : 150), body);
        note_error(w, "HTTP %s", detail);
    } else {
        const char *a = strstr(body, "\"accepted\"");
        long accepted = a ? strtol(a + 10 + strspn(a + 10, ": "), NULL, 10) : -1;
        if (accepted != opt.batch) {
            w->not_accepted++;
            note_error(w, "200 but not all accepted: %.150s", body);
        } else if (counted) {
            w->acks++;
            w->marks += (uint64_t)opt.batch;
            record(w, t - c->sent_ns);
        }
    }
    size_t rest = c->resp_len - head_len - body_len;
    memmove(c->resp, c->resp + head_len + body_len, rest);
    c->resp_len = rest;
    if (closing) reconnect(w, c);
    return true;
}

static void on_readable(struct worker *w, struct conn *c)
{
    for (;;) {
        if (c->resp_len >= RESP_CAP - 1) {
            w->io_errors++;
            note_error(w, "%s", "answer too large");
            reconnect(w, c);
            return;
        }
        ssize_t n = recv(c->fd, c->resp + c->resp_len, RESP_CAP - 1 - c->resp_len, 0);
        if (n > 0) {
            c->resp_len += (size_t)n;
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        w->io_errors++;
        note_error(w, "connection closed by the server: %s", n == 0 ? "EOF" : strerror(errno));
        reconnect(w, c);
        return;
    }
    uint64_t t = now_ns();
    if (c->in_flight && take_response(w, c, t) && t < t_end) send_next(w, c);
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct epoll_event events[256];
    for (int i = 0; i < w->n_conns; i++) send_next(w, &w->conns[i]);
    uint64_t drain_until = t_end + (uint64_t)(opt.drain * 1e9);
    for (;;) {
        uint64_t t = now_ns();
        int busy = 0;
        for (int i = 0; i < w->n_conns; i++) busy += w->conns[i].in_flight;
        if (t >= t_end) {
            if (busy == 0) break;
            if (t >= drain_until) {
                note_error(w, "%s", "answers still missing after the drain timeout");
                break;
            }
        } else {
            /* a connection that was reset and is idle starts again */
            for (int i = 0; i < w->n_conns; i++)
                if (!w->conns[i].in_flight) send_next(w, &w->conns[i]);
        }
        int n = epoll_wait(w->ep, events, 256, 50);
        if (n < 0 && errno != EINTR) die("epoll_wait");
        for (int i = 0; i < n; i++) {
            struct conn *c = events[i].data.ptr;
            if (events[i].events & EPOLLOUT) {
                watch(w, c, EPOLL_CTL_MOD, EPOLLIN);
                flush_request(w, c);
            }
            if (events[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) on_readable(w, c);
        }
    }
    return NULL;
}

static int compare_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static double percentile_ms(const uint64_t *sorted, size_t n, double p)
{
    if (n == 0) return 0;
    size_t i = (size_t)(p * (double)(n - 1) + 0.5);
    return (double)sorted[i] / 1e6;
}

static void parse_contestants(const char *spec)
{
    /* "W:30,T:22,S:25" → W001..W030, T001..T022, S001..S025 */
    char copy[256];
    snprintf(copy, sizeof copy, "%s", spec);
    for (char *save, *part = strtok_r(copy, ",", &save); part; part = strtok_r(NULL, ",", &save)) {
        char *colon = strchr(part, ':');
        int count = colon ? atoi(colon + 1) : 0;
        if (colon) *colon = '\0';
        for (int i = 1; i <= count && opt.n_contestants < 1024; i++)
            snprintf(opt.contestants[opt.n_contestants++], 16, "%s%03d", part, i);
    }
}

static void usage(void)
{
    fprintf(stderr,
            "usage: ingest_client --port P --token T [--host 127.0.0.1] [--conns 64] [--threads 1]\n"
            "         [--seconds 10] [--warmup 1] [--batch 1] [--prefix KEYPREFIX]\n"
            "         [--competition irom-final-2026] [--criteria A3,B2,E2]\n"
            "         [--contestants W:30,T:22,S:25]\n"
            "  Floor measurements: --path P sends to another path, --body B sends B every time,\n"
            "  --expect N counts answers with status N (not marks) as the successes.\n");
    exit(2);
}

int main(int argc, char **argv)
{
    const char *criteria = "A3,B2,E2", *contestants = "W:30,T:22,S:25";
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v) usage();
        i++;
        if (!strcmp(a, "--host")) opt.host = v;
        else if (!strcmp(a, "--port")) opt.port = atoi(v);
        else if (!strcmp(a, "--token")) opt.token = v;
        else if (!strcmp(a, "--conns")) opt.conns = atoi(v);
        else if (!strcmp(a, "--threads")) opt.threads = atoi(v);
        else if (!strcmp(a, "--seconds")) opt.seconds = atof(v);
        else if (!strcmp(a, "--warmup")) opt.warmup = atof(v);
        else if (!strcmp(a, "--batch")) opt.batch = atoi(v);
        else if (!strcmp(a, "--prefix")) opt.prefix = v;
        else if (!strcmp(a, "--competition")) opt.competition = v;
        else if (!strcmp(a, "--criteria")) criteria = v;
        else if (!strcmp(a, "--contestants")) contestants = v;
        else if (!strcmp(a, "--path")) opt.path = v;
        else if (!strcmp(a, "--body")) opt.raw_body = v;
        else if (!strcmp(a, "--expect")) opt.expect = atoi(v);
        else usage();
    }
    if (!opt.token || opt.conns < 1 || opt.threads < 1 || opt.batch < 1 || opt.batch > 200 ||
        opt.seconds <= 0)
        usage();
    static char criteria_copy[256];
    snprintf(criteria_copy, sizeof criteria_copy, "%s", criteria);
    for (char *save, *p = strtok_r(criteria_copy, ",", &save); p && opt.n_criteria < 16;
         p = strtok_r(NULL, ",", &save))
        opt.criteria[opt.n_criteria++] = p;
    parse_contestants(contestants);
    if (opt.n_criteria == 0 || opt.n_contestants == 0) usage();
    if (opt.threads > opt.conns) opt.threads = opt.conns;

    struct worker *workers = calloc((size_t)opt.threads, sizeof *workers);
    struct conn *conns = calloc((size_t)opt.conns, sizeof *conns);
    if (!workers || !conns) die("calloc");
    for (int i = 0; i < opt.conns; i++) {
        conns[i].id = i;
        conns[i].fd = connect_one();
        if (!(conns[i].req = malloc(REQ_CAP))) die("malloc");
    }
    int per = opt.conns / opt.threads, extra = opt.conns % opt.threads, next = 0;
    for (int t = 0; t < opt.threads; t++) {
        struct worker *w = &workers[t];
        w->index = t;
        w->conns = &conns[next];
        w->n_conns = per + (t < extra);
        next += w->n_conns;
        if ((w->ep = epoll_create1(EPOLL_CLOEXEC)) < 0) die("epoll_create1");
        for (int i = 0; i < w->n_conns; i++) watch(w, &w->conns[i], EPOLL_CTL_ADD, EPOLLIN);
    }
    t_start = now_ns();
    t_measure = t_start + (uint64_t)(opt.warmup * 1e9);
    t_end = t_measure + (uint64_t)(opt.seconds * 1e9);
    for (int t = 0; t < opt.threads; t++)
        if (pthread_create(&workers[t].thread, NULL, worker_main, &workers[t]) != 0) die("pthread_create");

    uint64_t acks = 0, marks = 0, http_errors = 0, io_errors = 0, not_accepted = 0, reconnects = 0;
    size_t n_lat = 0;
    for (int t = 0; t < opt.threads; t++) {
        pthread_join(workers[t].thread, NULL);
        acks += workers[t].acks;
        marks += workers[t].marks;
        http_errors += workers[t].http_errors;
        io_errors += workers[t].io_errors;
        not_accepted += workers[t].not_accepted;
        reconnects += workers[t].reconnects;
        n_lat += workers[t].n_lat;
    }
    uint64_t *lat = malloc((n_lat + 1) * sizeof *lat);
    if (!lat) die("malloc");
    size_t k = 0;
    for (int t = 0; t < opt.threads; t++) {
        memcpy(lat + k, workers[t].lat_ns, workers[t].n_lat * sizeof *lat);
        k += workers[t].n_lat;
        if (workers[t].first_error[0]) fprintf(stderr, "  first error: %s\n", workers[t].first_error);
    }
    qsort(lat, n_lat, sizeof *lat, compare_u64);
    double p50 = percentile_ms(lat, n_lat, 0.50), p99 = percentile_ms(lat, n_lat, 0.99);
    double p999 = percentile_ms(lat, n_lat, 0.999);
    double max = n_lat ? (double)lat[n_lat - 1] / 1e6 : 0, sum = 0;
    for (size_t i = 0; i < n_lat; i++) sum += (double)lat[i];
    double mean = n_lat ? sum / (double)n_lat / 1e6 : 0;
    uint64_t errors = http_errors + io_errors + not_accepted;
    printf("conns %d, batch %d, %.1f s measured: %llu acks (%.0f/s), %.0f marks/s, "
           "p50 %.3f ms, mean %.3f ms, p99 %.3f ms, p99.9 %.3f ms, max %.3f ms, errors %llu\n",
           opt.conns, opt.batch, opt.seconds, (unsigned long long)acks, (double)acks / opt.seconds,
           (double)marks / opt.seconds, p50, mean, p99, p999, max, (unsigned long long)errors);
    printf("RESULT conns=%d threads=%d batch=%d seconds=%.1f acks=%llu marks=%llu marks_per_s=%.0f "
           "p50_ms=%.3f mean_ms=%.3f p99_ms=%.3f p999_ms=%.3f max_ms=%.3f errors=%llu http_errors=%llu "
           "io_errors=%llu not_accepted=%llu reconnects=%llu\n",
           opt.conns, opt.threads, opt.batch, opt.seconds, (unsigned long long)acks,
           (unsigned long long)marks, (double)marks / opt.seconds, p50, mean, p99, p999,
           max, (unsigned long long)errors, (unsigned long long)http_errors,
           (unsigned long long)io_errors, (unsigned long long)not_accepted,
           (unsigned long long)reconnects);
    for (int i = 0; i < opt.conns; i++) close(conns[i].fd);
    return 0;
}
