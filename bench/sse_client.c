/* bench/sse_client.c: the load client of bench/live.sh. One binary, four modes; raw
 * epoll, one thread each, so it costs as little CPU as possible on a 2-core machine it
 * shares with the server it measures.
 *
 *   listen  holds N Server-Sent Events connections (GET PATH, HTTP/1.1, chunked or not),
 *           spread over --sources loopback source addresses from --first-address on
 *           (127.0.0.2, .3, ... by default) so the ephemeral ports do not run out. Several
 *           listeners (one per ~19,000 connections under a 20,000-file limit) are given
 *           disjoint address ranges. Every event with a data line carrying "at":MS (the
 *           commit-side stamp, wall-clock ms) gives a delivery latency: the wall clock
 *           when the bytes were read minus at. Controlled by lines on stdin, or on the
 *           FIFO --control (opened read-write: writers come and go, no EOF):
 *           `status TAG`, `begin` (starts a measurement window), `report TAG` (prints the
 *           window so far; with --hist FILE it first writes the window's raw latency
 *           histogram there), `quit`. A connection the server closes is not reopened: it
 *           is counted as dropped.
 *   post    POSTs marks (one per request, unique keys) at a steady rate, open loop
 *           (pipelined behind unanswered ones up to --pipeline per connection).
 *   flood   POSTs likes ({} to PATH) the same way, no cookie by default.
 *   relay   reads one Jiangxing stream and POSTs the data of each `standings` event to an
 *           nchan publisher (X-EventSource-Event: standings), pipelined on one connection,
 *           with "at" re-stamped to the moment of the POST (same width, same bytes).
 *   merge   reads --hist files of several listeners and prints the quantiles of their
 *           union (the same buckets and rule as one listener's report).
 *
 * Output lines starting with READY, STATUS or RESULT are key=value pairs for the script. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

/* ---------------------------------------------------------------- common */

static const char *opt_host = "127.0.0.1", *opt_path = NULL, *opt_token = "";
static const char *opt_prefix = "live", *opt_to_path = "/pub";
static const char *opt_first_address = "127.0.0.2", *opt_control = NULL, *opt_hist = NULL;
static int opt_port = 8080, opt_to_port = 0, opt_conns = 1, opt_sources = 1;
static int opt_parallel = 200, opt_keep_cookie = 0;
static double opt_rate = 20, opt_seconds = 20, opt_timeout = 30;
static volatile sig_atomic_t stopping;

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Wall clock in µs: the server stamps "at" with the same clock (same machine). */
static int64_t wall_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static double cpu_seconds(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
           ru.ru_stime.tv_usec / 1e6;
}

static void die(const char *what)
{
    perror(what);
    exit(1);
}

static struct sockaddr_in target(const char *host, int port)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (inet_pton(AF_INET, host, &a.sin_addr) != 1) {
        fprintf(stderr, "sse_client: %s is not an IPv4 address\n", host);
        exit(2);
    }
    return a;
}

static void on_stop(int sig) { stopping = 1; }

/* Latency histogram: 0.1 ms buckets up to 60 s, then one overflow bucket. */
#define HIST_BUCKETS 600000
struct hist {
    uint32_t *b;
    uint64_t n;
    double max, sum;
};

static void hist_init(struct hist *h)
{
    h->b = calloc(HIST_BUCKETS + 1, sizeof *h->b);
    if (!h->b) die("calloc");
    h->n = 0;
    h->max = h->sum = 0;
}

static void hist_clear(struct hist *h)
{
    memset(h->b, 0, (HIST_BUCKETS + 1) * sizeof *h->b);
    h->n = 0;
    h->max = h->sum = 0;
}

static void hist_add(struct hist *h, double ms)
{
    if (ms < 0) ms = 0;
    long i = (long)(ms * 10);
    if (i > HIST_BUCKETS) i = HIST_BUCKETS;
    h->b[i]++;
    h->n++;
    h->sum += ms;
    if (ms > h->max) h->max = ms;
}

/* The q-quantile in ms (upper edge of its bucket); -1 without samples. */
static double hist_q(const struct hist *h, double q)
{
    if (h->n == 0) return -1;
    uint64_t want = (uint64_t)(q * (double)h->n);
    if (want >= h->n) want = h->n - 1;
    uint64_t seen = 0;
    for (long i = 0; i <= HIST_BUCKETS; i++) {
        seen += h->b[i];
        if (seen > want) return i == HIST_BUCKETS ? h->max : (double)(i + 1) / 10;
    }
    return h->max;
}

/* The raw histogram to path (written beside it, then renamed, so a reader never sees half
 * of it): a line `samples=N sum_ms=S max_ms=M`, then `BUCKET COUNT` for each bucket used. */
static void hist_write(const struct hist *h, const char *path)
{
    char part[4096];
    snprintf(part, sizeof part, "%s.part", path);
    FILE *f = fopen(part, "w");
    if (!f) die(part);
    fprintf(f, "samples=%llu sum_ms=%.17g max_ms=%.17g\n", (unsigned long long)h->n, h->sum, h->max);
    for (long i = 0; i <= HIST_BUCKETS; i++)
        if (h->b[i]) fprintf(f, "%ld %u\n", i, h->b[i]);
    if (fclose(f) != 0 || rename(part, path) != 0) die(path);
}

/* Adds a file written by hist_write to h. */
static void hist_read(struct hist *h, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) die(path);
    unsigned long long n;
    double sum, max;
    if (fscanf(f, "samples=%llu sum_ms=%lf max_ms=%lf", &n, &sum, &max) != 3) {
        fprintf(stderr, "sse_client: %s is not a histogram\n", path);
        exit(1);
    }
    h->n += n;
    h->sum += sum;
    if (max > h->max) h->max = max;
    long i;
    unsigned c;
    uint64_t in_buckets = 0;
    while (fscanf(f, "%ld %u", &i, &c) == 2) {
        if (i < 0 || i > HIST_BUCKETS) {
            fprintf(stderr, "sse_client: %s: bucket %ld out of range\n", path, i);
            exit(1);
        }
        h->b[i] += c;
        in_buckets += c;
    }
    if (!feof(f) || in_buckets != n) {
        fprintf(stderr, "sse_client: %s: buckets hold %llu samples, its header says %llu\n", path,
                (unsigned long long)in_buckets, n);
        exit(1);
    }
    fclose(f);
}

/* ---------------------------------------------------------------- listen */

enum { ST_CONNECTING, ST_SENT, ST_BODY, ST_CLOSED };
enum { CH_SIZE, CH_EXT, CH_DATA, CH_CR, CH_LF, CH_DONE };
enum { EV_NONE, EV_STANDINGS, EV_SNAPSHOT, EV_OTHER };

#define LINE_KEEP 72 /* `data: {"seq":887,"at":1795442299471,` fits */

struct lconn {
    int fd;
    uint8_t state, chunk_state, ev;
    bool chunked, has_data, got_snapshot;
    uint8_t line_len;
    uint32_t chunk_left;
    int64_t at_ms, seq, last_seq, id; /* id: the `id:` line of the event */
    uint64_t started_ns;
    char *hdr;
    uint16_t hdr_len;
    char line[LINE_KEEP];
};

static struct {
    struct lconn *c;
    int ctl; /* the command input: stdin or --control */
    uint32_t first_source; /* host order */
    int ep, next_to_open, connecting, open, failed, dropped, ended;
    uint64_t snapshots, bytes, heartbeats;
    /* the window (since `begin`) */
    uint64_t w_msgs, w_others, w_gaps, w_dups, w_frames, w_bytes;
    int64_t g_max_seq;
    uint64_t w_start_ns, w_last_msg_ns;
    double w_cpu;
    int w_dropped;
    struct hist h;
    char request[512];
    size_t request_len;
    struct sockaddr_in to;
    char first_error[200];
    uint64_t now_ns; /* when the bytes being parsed were read */
} L;

static void l_error(const char *what, int err)
{
    if (!L.first_error[0]) snprintf(L.first_error, sizeof L.first_error, "%s: %s", what, strerror(err));
}

static void l_close(struct lconn *c, bool abortive)
{
    if (c->fd >= 0) {
        if (abortive) {
            struct linger lg = {1, 0}; /* RST: no TIME_WAIT left behind on 50,000 ports */
            setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
        }
        close(c->fd); /* also leaves the epoll set */
    }
    c->fd = -1;
    free(c->hdr);
    c->hdr = NULL;
    c->state = ST_CLOSED;
}

static void l_open_more(void)
{
    while (L.next_to_open < opt_conns && L.connecting < opt_parallel) {
        int i = L.next_to_open++;
        struct lconn *c = &L.c[i];
        memset(c, 0, sizeof *c);
        c->fd = -1;
        c->at_ms = c->seq = c->last_seq = c->id = -1;
        c->started_ns = mono_ns();
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            l_error("socket", errno);
            c->state = ST_CLOSED;
            L.failed++;
            continue;
        }
        int one = 1;
        setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
        struct sockaddr_in src = {.sin_family = AF_INET};
        src.sin_addr.s_addr = htonl(L.first_source + (uint32_t)(i % opt_sources));
        if (bind(fd, (struct sockaddr *)&src, sizeof src) != 0) {
            l_error("bind", errno);
            close(fd);
            c->state = ST_CLOSED;
            L.failed++;
            continue;
        }
        if (connect(fd, (struct sockaddr *)&L.to, sizeof L.to) != 0 && errno != EINPROGRESS) {
            l_error("connect", errno);
            close(fd);
            c->state = ST_CLOSED;
            L.failed++;
            continue;
        }
        c->fd = fd;
        c->state = ST_CONNECTING;
        struct epoll_event ev = {.events = EPOLLOUT | EPOLLIN, .data.u32 = (uint32_t)i};
        if (epoll_ctl(L.ep, EPOLL_CTL_ADD, fd, &ev) != 0) die("epoll_ctl");
        L.connecting++;
    }
}

/* The connection did not become a stream. */
static void l_fail(struct lconn *c)
{
    if (c->state == ST_CONNECTING || c->state == ST_SENT) L.connecting--;
    l_close(c, true);
    L.failed++;
}

static void l_dispatch(struct lconn *c, int64_t now_us)
{
    if (c->has_data) {
        if (c->ev == EV_SNAPSHOT) {
            L.snapshots++;
            c->got_snapshot = true;
            if (c->id > c->last_seq) c->last_seq = c->id; /* its seq is far into the data */
        } else if ((c->ev == EV_STANDINGS || c->ev == EV_NONE) && c->at_ms >= 0) {
            L.w_msgs++;
            L.w_last_msg_ns = L.now_ns;
            hist_add(&L.h, (double)(now_us - c->at_ms * 1000) / 1000.0);
            if (c->seq >= 0) {
                if (c->last_seq >= 0 && c->seq > c->last_seq + 1) L.w_gaps += (uint64_t)(c->seq - c->last_seq - 1);
                if (c->last_seq >= 0 && c->seq <= c->last_seq) L.w_dups++;
                if (c->seq > c->last_seq) c->last_seq = c->seq;
                if (c->seq > L.g_max_seq) {
                    L.g_max_seq = c->seq;
                    L.w_frames++;
                }
            }
        } else {
            L.w_others++;
        }
    }
    c->ev = EV_NONE;
    c->has_data = false;
    c->at_ms = c->seq = c->id = -1;
}

/* The number after key; -1 if none. A number running to the end of a line cut at
 * LINE_KEEP may be cut too, so it counts only when the line is whole. */
static int64_t number_after(const char *s, size_t n, const char *key, bool whole)
{
    const char *p = memmem(s, n, key, strlen(key));
    if (!p) return -1;
    p += strlen(key);
    const char *end = s + n;
    while (p < end && *p == ' ') p++;
    if (p >= end || !isdigit((unsigned char)*p)) return -1;
    int64_t v = 0;
    while (p < end && isdigit((unsigned char)*p)) v = v * 10 + (*p++ - '0');
    return p < end || whole ? v : -1;
}

static void l_line(struct lconn *c, int64_t now_us)
{
    size_t n = c->line_len;
    bool whole = n < LINE_KEEP;
    if (n && c->line[n - 1] == '\r') n--;
    const char *s = c->line;
    if (n == 0) {
        l_dispatch(c, now_us);
    } else if (s[0] == ':') {
        L.heartbeats++;
    } else if (n >= 3 && memcmp(s, "id:", 3) == 0) {
        c->id = number_after(s, n, "id:", whole);
    } else if (n >= 6 && memcmp(s, "event:", 6) == 0) {
        const char *v = s + 6;
        size_t vn = n - 6;
        if (vn && *v == ' ') v++, vn--;
        c->ev = vn == 9 && memcmp(v, "standings", 9) == 0 ? EV_STANDINGS
                : vn == 8 && memcmp(v, "snapshot", 8) == 0 ? EV_SNAPSHOT
                                                            : EV_OTHER;
    } else if (n >= 5 && memcmp(s, "data:", 5) == 0 && !c->has_data) {
        c->has_data = true;
        c->seq = number_after(s, n, "\"seq\":", whole);
        c->at_ms = number_after(s, n, "\"at\":", whole);
    }
}

/* Body bytes after de-chunking: SSE lines. Only the first LINE_KEEP bytes of a line are
 * kept; a snapshot's 40 KB data line is skipped with memchr. */
static void l_sse(struct lconn *c, const char *p, size_t n, int64_t now_us)
{
    while (n > 0) {
        const char *nl = memchr(p, '\n', n);
        size_t take = nl ? (size_t)(nl - p) : n;
        size_t room = LINE_KEEP - c->line_len;
        size_t copy = take < room ? take : room;
        memcpy(c->line + c->line_len, p, copy);
        c->line_len = (uint8_t)(c->line_len + copy);
        if (!nl) return;
        l_line(c, now_us);
        c->line_len = 0;
        p = nl + 1;
        n -= take + 1;
    }
}

/* Returns false when the stream ended (last chunk). */
static bool l_body(struct lconn *c, const char *p, size_t n, int64_t now_us)
{
    if (!c->chunked) {
        l_sse(c, p, n, now_us);
        return true;
    }
    while (n > 0) {
        switch (c->chunk_state) {
        case CH_SIZE:
            if (isxdigit((unsigned char)*p)) {
                int d = isdigit((unsigned char)*p) ? *p - '0' : (tolower((unsigned char)*p) - 'a' + 10);
                c->chunk_left = c->chunk_left * 16 + (uint32_t)d;
            } else if (*p == '\n') {
                c->chunk_state = c->chunk_left ? CH_DATA : CH_DONE;
                if (!c->chunk_left) return false;
            } else {
                c->chunk_state = CH_EXT; /* ';' extensions or '\r' */
            }
            p++, n--;
            break;
        case CH_EXT:
            if (*p == '\n') {
                c->chunk_state = c->chunk_left ? CH_DATA : CH_DONE;
                if (!c->chunk_left) return false;
            }
            p++, n--;
            break;
        case CH_DATA: {
            size_t take = n < c->chunk_left ? n : c->chunk_left;
            l_sse(c, p, take, now_us);
            p += take, n -= take;
            c->chunk_left -= (uint32_t)take;
            if (!c->chunk_left) c->chunk_state = CH_CR;
            break;
        }
        case CH_CR:
            c->chunk_state = *p == '\r' ? CH_LF : CH_SIZE;
            if (*p == '\n') c->chunk_state = CH_SIZE;
            p++, n--;
            break;
        case CH_LF:
            c->chunk_state = CH_SIZE;
            p++, n--;
            break;
        default:
            return false;
        }
    }
    return true;
}

static void l_headers(struct lconn *c, const char *p, size_t n, int64_t now_us)
{
    if (!c->hdr && !(c->hdr = malloc(4096))) die("malloc");
    size_t room = 4095 - c->hdr_len;
    size_t copy = n < room ? n : room;
    memcpy(c->hdr + c->hdr_len, p, copy);
    c->hdr_len = (uint16_t)(c->hdr_len + copy);
    c->hdr[c->hdr_len] = '\0';
    char *end = strstr(c->hdr, "\r\n\r\n");
    if (!end) {
        if (c->hdr_len >= 4095) {
            l_error("headers", EMSGSIZE);
            l_fail(c);
        }
        return;
    }
    int status = 0;
    if (sscanf(c->hdr, "HTTP/1.%*d %d", &status) != 1 || status != 200) {
        if (!L.first_error[0])
            snprintf(L.first_error, sizeof L.first_error, "status %d: %.100s", status, c->hdr);
        l_fail(c);
        return;
    }
    *end = '\0';
    for (char *h = c->hdr; *h; h++) *h = (char)tolower((unsigned char)*h);
    c->chunked = strstr(c->hdr, "transfer-encoding: chunked") != NULL;
    size_t used = (size_t)(end + 4 - c->hdr) - (c->hdr_len - copy); /* of this read */
    free(c->hdr);
    c->hdr = NULL;
    c->state = ST_BODY;
    L.connecting--;
    L.open++;
    if (used < n && !l_body(c, p + used, n - used, now_us)) {
        L.ended++;
        L.open--;
        l_close(c, true);
    }
}

static char rbuf[1 << 18];

static void l_readable(struct lconn *c)
{
    ssize_t n = read(c->fd, rbuf, sizeof rbuf);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    if (n <= 0) {
        if (c->state == ST_BODY) {
            L.dropped++;
            L.open--;
            l_close(c, false);
        } else {
            l_error("read", n < 0 ? errno : ECONNRESET);
            l_fail(c);
        }
        return;
    }
    L.bytes += (uint64_t)n;
    L.w_bytes += (uint64_t)n;
    int64_t now = wall_us();
    L.now_ns = mono_ns();
    if (c->state == ST_SENT) {
        l_headers(c, rbuf, (size_t)n, now);
    } else if (c->state == ST_BODY && !l_body(c, rbuf, (size_t)n, now)) {
        L.ended++;
        L.open--;
        l_close(c, true);
    }
}

static void l_writable(struct lconn *c, int i)
{
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err) {
        l_error("connect", err);
        l_fail(c);
        return;
    }
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (write(c->fd, L.request, L.request_len) != (ssize_t)L.request_len) {
        l_error("write", errno);
        l_fail(c);
        return;
    }
    c->state = ST_SENT;
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
    epoll_ctl(L.ep, EPOLL_CTL_MOD, c->fd, &ev);
}

static void l_status(const char *tag)
{
    printf("STATUS %s open=%d connecting=%d failed=%d dropped=%d ended=%d snapshots=%llu "
           "bytes=%llu heartbeats=%llu attempted=%d\n",
           tag, L.open, L.connecting, L.failed, L.dropped, L.ended, (unsigned long long)L.snapshots,
           (unsigned long long)L.bytes, (unsigned long long)L.heartbeats, L.next_to_open);
}

static void l_begin(void)
{
    L.w_msgs = L.w_others = L.w_gaps = L.w_dups = L.w_frames = L.w_bytes = 0;
    L.w_start_ns = L.w_last_msg_ns = mono_ns();
    L.w_cpu = cpu_seconds();
    L.w_dropped = L.dropped;
    hist_clear(&L.h);
}

static void l_report(const char *tag)
{
    if (opt_hist) hist_write(&L.h, opt_hist);
    double secs = (double)(mono_ns() - L.w_start_ns) / 1e9;
    double cpu = cpu_seconds() - L.w_cpu;
    printf("RESULT %s secs=%.2f last_s=%.2f msgs=%llu msgs_per_s=%.0f frames=%llu expected=%llu "
           "p50_ms=%.1f p90_ms=%.1f p99_ms=%.1f max_ms=%.1f mean_ms=%.1f samples=%llu "
           "open=%d dropped=%d failed=%d gaps=%llu dups=%llu others=%llu mbytes=%.1f "
           "client_cpu=%.0f%%\n",
           tag, secs, (double)(L.w_last_msg_ns - L.w_start_ns) / 1e9, (unsigned long long)L.w_msgs,
           (double)L.w_msgs / secs,
           (unsigned long long)L.w_frames, (unsigned long long)L.w_frames * (unsigned long long)L.open,
           hist_q(&L.h, 0.5), hist_q(&L.h, 0.9), hist_q(&L.h, 0.99), L.h.max,
           L.h.n ? L.h.sum / (double)L.h.n : -1.0, (unsigned long long)L.h.n, L.open,
           L.dropped - L.w_dropped, L.failed, (unsigned long long)L.w_gaps,
           (unsigned long long)L.w_dups, (unsigned long long)L.w_others, (double)L.w_bytes / 1e6,
           100 * cpu / secs);
}

/* Reads control lines; false on `quit` or EOF (stdin only: --control is held open
 * read-write, so it has no end). */
static bool l_control(void)
{
    static char buf[1024];
    static size_t len;
    ssize_t n = read(L.ctl, buf + len, sizeof buf - 1 - len);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return true;
    if (n <= 0) return false;
    len += (size_t)n;
    char *nl;
    while ((nl = memchr(buf, '\n', len))) {
        *nl = '\0';
        char cmd[32] = "", tag[200] = "-";
        sscanf(buf, "%31s %199s", cmd, tag);
        bool go_on = true;
        if (strcmp(cmd, "status") == 0) l_status(tag);
        else if (strcmp(cmd, "begin") == 0) l_begin();
        else if (strcmp(cmd, "report") == 0) l_report(tag);
        else if (strcmp(cmd, "quit") == 0) go_on = false;
        len -= (size_t)(nl + 1 - buf);
        memmove(buf, nl + 1, len);
        if (!go_on) return false;
    }
    return true;
}

static int run_listen(void)
{
    if (!opt_path) opt_path = "/api/v1/competitions/irom-final-2026/live";
    L.c = calloc((size_t)opt_conns, sizeof *L.c);
    if (!L.c) die("calloc");
    L.to = target(opt_host, opt_port);
    struct sockaddr_in first = target(opt_first_address, 0);
    L.first_source = ntohl(first.sin_addr.s_addr);
    if (L.first_source >> 24 != 127 || L.first_source == (127u << 24) ||
        L.first_source + (uint32_t)opt_sources - 1 > 0x7ffffffeu) {
        fprintf(stderr, "sse_client: --first-address %s and --sources %d leave 127.0.0.1-127.255.255.254\n",
                opt_first_address, opt_sources);
        exit(2);
    }
    L.ctl = 0;
    if (opt_control) {
        struct stat st;
        if (stat(opt_control, &st) != 0) die(opt_control);
        if (!S_ISFIFO(st.st_mode)) {
            fprintf(stderr, "sse_client: --control %s is not a FIFO\n", opt_control);
            exit(2);
        }
        /* read-write: the FIFO then never reads as ended when a writer closes it */
        L.ctl = open(opt_control, O_RDWR | O_NONBLOCK | O_CLOEXEC);
        if (L.ctl < 0) die(opt_control);
    }
    L.ep = epoll_create1(EPOLL_CLOEXEC);
    L.g_max_seq = -1;
    hist_init(&L.h);
    L.request_len = (size_t)snprintf(L.request, sizeof L.request,
                                     "GET %s HTTP/1.1\r\nHost: %s:%d\r\nAccept: text/event-stream\r\n"
                                     "Cache-Control: no-cache\r\nUser-Agent: jx-bench-sse\r\n\r\n",
                                     opt_path, opt_host, opt_port);
    struct epoll_event ctl = {.events = EPOLLIN, .data.u32 = UINT32_MAX};
    if (epoll_ctl(L.ep, EPOLL_CTL_ADD, L.ctl, &ctl) != 0) die("epoll_ctl control");
    setvbuf(stdout, NULL, _IOLBF, 0);
    l_begin();
    uint64_t t0 = mono_ns(), last_sweep = t0;
    bool ready_said = false;
    l_open_more();
    struct epoll_event evs[1024];
    while (!stopping) {
        int n = epoll_wait(L.ep, evs, 1024, 100);
        if (n < 0 && errno != EINTR) die("epoll_wait");
        for (int k = 0; k < n; k++) {
            uint32_t i = evs[k].data.u32;
            if (i == UINT32_MAX) {
                if (!l_control()) stopping = 1;
                continue;
            }
            struct lconn *c = &L.c[i];
            if (c->state == ST_CLOSED) continue;
            if (c->state == ST_CONNECTING) {
                if (evs[k].events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) l_writable(c, (int)i);
            } else {
                l_readable(c);
            }
        }
        uint64_t now = mono_ns();
        if (now - last_sweep > 1000000000ull) { /* connections stuck for --timeout s fail */
            last_sweep = now;
            for (int i = 0; i < L.next_to_open; i++) {
                struct lconn *c = &L.c[i];
                if ((c->state == ST_CONNECTING || c->state == ST_SENT) &&
                    now - c->started_ns > (uint64_t)(opt_timeout * 1e9)) {
                    l_error("timeout", ETIMEDOUT);
                    l_fail(c);
                }
            }
        }
        l_open_more();
        if (!ready_said && L.next_to_open == opt_conns && L.connecting == 0) {
            ready_said = true;
            for (char *p = L.first_error; *p; p++)
                if (*p == ' ') *p = '_';
            printf("READY open=%d failed=%d secs=%.1f first_error=%s\n", L.open, L.failed,
                   (double)(mono_ns() - t0) / 1e9, L.first_error[0] ? L.first_error : "none");
        }
    }
    l_status("final");
    for (int i = 0; i < L.next_to_open; i++)
        if (L.c[i].state != ST_CLOSED) l_close(&L.c[i], true);
    return 0;
}

/* ---------------------------------------------------------------- post / flood */

/* Open loop: a request is sent when it is due, on the connection with the fewest answers
 * outstanding, pipelined (HTTP/1.1) behind them when --pipeline allows; so a slow server
 * does not slow the sender down. When every connection is at --pipeline, a due request
 * is counted as skipped. */
#define MAX_PIPELINE 1024
#define OUT_CAP (1 << 20)

struct rconn {
    int fd, outstanding;
    uint64_t sent_ns[MAX_PIPELINE]; /* ring: send times of the outstanding requests */
    int ring_first;
    char *in, *out;
    size_t in_len, out_len, out_off;
};

static const char *const venues[2] = {"wz", "hz"};
static int opt_pipeline = 1;

static int r_connect(struct sockaddr_in *to)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) die("socket");
    if (connect(fd, (struct sockaddr *)to, sizeof *to) != 0) {
        close(fd);
        return -1;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;
}

/* Writes what is queued; false on a broken connection. */
static bool r_flush(int ep, struct rconn *c, int i)
{
    while (c->out_off < c->out_len) {
        ssize_t w = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);
        if (w > 0) {
            c->out_off += (size_t)w;
        } else if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.u32 = (uint32_t)i};
            epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
            return true;
        } else {
            return false;
        }
    }
    c->out_len = c->out_off = 0;
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
    epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
    return true;
}

/* One complete answer at the start of buf: its length, 0 if incomplete; *status set. */
static size_t r_answer(const char *buf, size_t len, int *status, char *cookie, size_t cookie_size)
{
    const char *he = memmem(buf, len, "\r\n\r\n", 4);
    if (!he) return 0;
    size_t head = (size_t)(he + 4 - buf);
    long cl = 0;
    for (const char *p = buf; p && p < he; p = memmem(p, (size_t)(he - p) + 2, "\r\n", 2), p = p ? p + 2 : NULL) {
        if (strncasecmp(p, "Content-Length:", 15) == 0) cl = atol(p + 15);
        if (cookie && !*cookie && strncasecmp(p, "Set-Cookie:", 11) == 0) {
            const char *v = p + 11;
            while (*v == ' ') v++;
            size_t vl = strcspn(v, ";\r");
            if (vl < cookie_size) memcpy(cookie, v, vl), cookie[vl] = '\0';
        }
    }
    if (len < head + (size_t)cl) return 0;
    *status = 0;
    sscanf(buf, "HTTP/1.%*d %d", status);
    return head + (size_t)cl;
}

static int run_requests(bool marks)
{
    struct sockaddr_in to = target(opt_host, opt_port);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct rconn *rc = calloc((size_t)opt_conns, sizeof *rc);
    if (!rc) die("calloc");
    if (opt_pipeline < 1 || opt_pipeline > MAX_PIPELINE) opt_pipeline = MAX_PIPELINE;
    for (int i = 0; i < opt_conns; i++) {
        rc[i].fd = r_connect(&to);
        if (rc[i].fd < 0) die("connect");
        if (!(rc[i].in = malloc(OUT_CAP)) || !(rc[i].out = malloc(OUT_CAP))) die("malloc");
        struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
        epoll_ctl(ep, EPOLL_CTL_ADD, rc[i].fd, &ev);
    }
    /* the contestants of the demo: W001-W030, T001-T022, S001-S025; venue by station */
    char ids[77][16];
    int n_ids = 0;
    static const struct { char p; int n; } groups[] = {{'W', 30}, {'T', 22}, {'S', 25}};
    for (int g = 0; g < 3; g++)
        for (int k = 1; k <= groups[g].n; k++) snprintf(ids[n_ids++], 16, "%c%03d", groups[g].p, k % 1000);
    char cookie[200] = "";
    struct hist h;
    hist_init(&h);
    uint64_t sent = 0, s2xx = 0, s429 = 0, other = 0, errors = 0, skipped = 0;
    int other_status = 0, outstanding = 0;
    uint64_t rng = 0x9e3779b97f4a7c15ull ^ (uint64_t)getpid();
    uint64_t t0 = mono_ns(), end = t0 + (uint64_t)(opt_seconds * 1e9);
    uint64_t drain_end = end + 3000000000ull; /* then unanswered requests are counted */
    struct epoll_event evs[64];
    for (;;) {
        uint64_t now = mono_ns();
        if (stopping || (now >= end && (outstanding == 0 || now >= drain_end))) break;
        uint64_t due = now < end ? (uint64_t)((double)(now - t0) / 1e9 * opt_rate) + 1 : sent + skipped;
        while (sent + skipped < due) {
            int i = 0;
            for (int k = 1; k < opt_conns; k++)
                if (rc[k].outstanding < rc[i].outstanding) i = k;
            struct rconn *c = &rc[i];
            if (c->outstanding >= opt_pipeline || c->out_len + 4096 > OUT_CAP) {
                skipped++;
                continue;
            }
            char body[512];
            int blen;
            if (marks) {
                int who = (int)(sent % (uint64_t)n_ids);
                rng = rng * 6364136223846793005ull + 1442695040888963407ull;
                blen = snprintf(body, sizeof body,
                                "{\"marks\":[{\"key\":\"%s-%llu\",\"contestant\":\"%s\",\"criterion\":\"A1\","
                                "\"judge\":\"j-%s-A-1\",\"value\":%.2f,\"reason\":\"bench\"}]}",
                                opt_prefix, (unsigned long long)sent, ids[who], venues[who % 2],
                                (double)((rng >> 33) % 601) / 100);
            } else {
                blen = snprintf(body, sizeof body, "{}");
            }
            char auth[300] = "", cook[240] = "";
            if (*opt_token) snprintf(auth, sizeof auth, "Authorization: Bearer %s\r\n", opt_token);
            if (*cookie) snprintf(cook, sizeof cook, "Cookie: %s\r\n", cookie);
            c->out_len += (size_t)snprintf(c->out + c->out_len, OUT_CAP - c->out_len,
                                           "POST %s HTTP/1.1\r\nHost: %s:%d\r\n%s%s"
                                           "Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
                                           opt_path, opt_host, opt_port, auth, cook, blen, body);
            c->sent_ns[(c->ring_first + c->outstanding) % MAX_PIPELINE] = mono_ns();
            c->outstanding++;
            outstanding++;
            sent++;
            if (!r_flush(ep, c, i)) die("send"); /* the server closed on us: a finding */
        }
        /* wake for the next request due, at most 1 ms away */
        int n = epoll_wait(ep, evs, 64, 1);
        for (int k = 0; k < n; k++) {
            int i = (int)evs[k].data.u32;
            struct rconn *c = &rc[i];
            if ((evs[k].events & EPOLLOUT) && !r_flush(ep, c, i)) die("send");
            if (!(evs[k].events & (EPOLLIN | EPOLLERR | EPOLLHUP))) continue;
            ssize_t r = read(c->fd, c->in + c->in_len, OUT_CAP - c->in_len);
            if (r < 0 && errno == EAGAIN) continue;
            if (r <= 0) {
                fprintf(stderr, "sse_client: the server closed a connection with %d answers outstanding\n",
                        c->outstanding);
                errors += (uint64_t)c->outstanding;
                outstanding -= c->outstanding;
                c->outstanding = 0;
                c->in_len = c->out_len = c->out_off = 0;
                close(c->fd);
                c->fd = r_connect(&to);
                if (c->fd < 0) die("reconnect");
                struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
                epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
                continue;
            }
            c->in_len += (size_t)r;
            size_t used = 0, one;
            int status;
            while (c->outstanding > 0 &&
                   (one = r_answer(c->in + used, c->in_len - used, &status,
                                   opt_keep_cookie ? cookie : NULL, sizeof cookie)) > 0) {
                hist_add(&h, (double)(mono_ns() - c->sent_ns[c->ring_first]) / 1e6);
                c->ring_first = (c->ring_first + 1) % MAX_PIPELINE;
                c->outstanding--;
                outstanding--;
                used += one;
                if (status >= 200 && status < 300) s2xx++;
                else if (status == 429) s429++;
                else {
                    other++;
                    if (!other_status) {
                        other_status = status;
                        fprintf(stderr, "sse_client: answer %d: %.300s\n", status, c->in + used - one);
                    }
                }
            }
            memmove(c->in, c->in + used, c->in_len - used);
            c->in_len -= used;
        }
    }
    double secs = (double)(mono_ns() - t0) / 1e9;
    printf("RESULT sent=%llu ok=%llu limited=%llu other=%llu other_status=%d errors=%llu "
           "skipped=%llu unanswered=%d secs=%.2f sent_per_s=%.1f ack_p50_ms=%.2f ack_p99_ms=%.2f "
           "ack_max_ms=%.2f\n",
           (unsigned long long)sent, (unsigned long long)s2xx, (unsigned long long)s429,
           (unsigned long long)other, other_status, (unsigned long long)errors,
           (unsigned long long)skipped, outstanding, secs,
           (double)sent / (opt_seconds > 0 ? opt_seconds : 1), hist_q(&h, 0.5), hist_q(&h, 0.99), h.max);
    for (int i = 0; i < opt_conns; i++) close(rc[i].fd);
    return 0;
}

/* ---------------------------------------------------------------- relay */

/* Reads one Jiangxing stream; every standings frame's data is POSTed to the nchan
 * publisher on one keep-alive connection, pipelined (nginx answers in order, so the
 * frames stay in order), without waiting for the answers: the publisher is fed as fast
 * as Jiangxing commits, whatever nchan's speed. "at" is re-stamped as the frame is
 * queued for the publisher. */
static int run_relay(void)
{
    if (!opt_path) opt_path = "/api/v1/competitions/irom-final-2026/live";
    struct sockaddr_in from = target(opt_host, opt_port), to = target(opt_host, opt_to_port);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&from, sizeof from) != 0) die("relay connect");
    char req[512];
    int rl = snprintf(req, sizeof req,
                      "GET %s HTTP/1.1\r\nHost: %s:%d\r\nAccept: text/event-stream\r\n\r\n", opt_path,
                      opt_host, opt_port);
    if (write(fd, req, (size_t)rl) != rl) die("relay write");
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    struct rconn pub = {0};
    pub.fd = r_connect(&to);
    if (pub.fd < 0) die("relay connect to the publisher");
    if (!(pub.in = malloc(OUT_CAP)) || !(pub.out = malloc(64 << 20))) die("malloc");
    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = 0};
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
    ev.data.u32 = 1;
    epoll_ctl(ep, EPOLL_CTL_ADD, pub.fd, &ev);
    setvbuf(stdout, NULL, _IOLBF, 0);
    /* the stream, de-chunked, into body; lines are cut out as they complete */
    size_t cap = 4 << 20, raw_len = 0, body_len = 0;
    char *raw = malloc(cap), *body = malloc(cap);
    if (!raw || !body) die("malloc");
    bool in_body = false, chunked = false;
    uint64_t relayed = 0, answered = 0, failed = 0;
    size_t out_cap = 64 << 20;
    char event[32] = "";
    char *data = NULL;
    size_t data_len = 0;
    struct epoll_event evs[4];
    while (!stopping) {
        int n = epoll_wait(ep, evs, 4, 200);
        if (n < 0 && errno != EINTR) die("epoll_wait");
        for (int k = 0; k < n; k++) {
            if (evs[k].data.u32 == 1) { /* the publisher: answers to count, or room to write */
                if ((evs[k].events & EPOLLOUT) && !r_flush(ep, &pub, 1)) die("relay publish");
                if (!(evs[k].events & (EPOLLIN | EPOLLERR | EPOLLHUP))) continue;
                ssize_t r = read(pub.fd, pub.in + pub.in_len, OUT_CAP - pub.in_len);
                if (r < 0 && errno == EAGAIN) continue;
                if (r <= 0) die("relay: the publisher closed the connection");
                pub.in_len += (size_t)r;
                size_t used = 0, one;
                int status;
                while ((one = r_answer(pub.in + used, pub.in_len - used, &status, NULL, 0)) > 0) {
                    used += one;
                    answered++;
                    if (status < 200 || status >= 300) {
                        failed++;
                        if (failed <= 3) fprintf(stderr, "sse_client relay: publish answered %d\n", status);
                    }
                }
                memmove(pub.in, pub.in + used, pub.in_len - used);
                pub.in_len -= used;
                continue;
            }
            if (raw_len == cap) die("relay buffer full");
            ssize_t r = read(fd, raw + raw_len, cap - raw_len);
            if (r < 0 && errno == EAGAIN) continue;
            if (r <= 0) {
                fprintf(stderr, "sse_client relay: the stream ended\n");
                stopping = 1;
                break;
            }
            raw_len += (size_t)r;
            if (!in_body) {
                char *e = memmem(raw, raw_len, "\r\n\r\n", 4);
                if (!e) continue;
                *e = '\0';
                for (char *hh = raw; *hh; hh++) *hh = (char)tolower((unsigned char)*hh);
                chunked = strstr(raw, "transfer-encoding: chunked") != NULL;
                size_t used = (size_t)(e + 4 - raw);
                memmove(raw, raw + used, raw_len - used);
                raw_len -= used;
                in_body = true;
            }
            size_t off = 0; /* raw → body, de-chunked */
            if (!chunked) {
                memcpy(body + body_len, raw, raw_len);
                body_len += raw_len;
                off = raw_len;
            } else {
                for (;;) {
                    char *crlf = memmem(raw + off, raw_len - off, "\r\n", 2);
                    if (!crlf) break;
                    size_t size = strtoul(raw + off, NULL, 16);
                    size_t start = (size_t)(crlf + 2 - raw);
                    if (raw_len < start + size + 2) break;
                    if (body_len + size > cap) die("relay body full");
                    memcpy(body + body_len, raw + start, size);
                    body_len += size;
                    off = start + size + 2;
                    if (size == 0) stopping = 1;
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
                    if (data && strcmp(event, "standings") == 0) {
                        char *at = memmem(data, data_len, "\"at\":", 5);
                        if (at) { /* re-stamp: now, same width */
                            char *d = at + 5, *e = d;
                            while (e < data + data_len && isdigit((unsigned char)*e)) e++;
                            char stamp[32];
                            int sl = snprintf(stamp, sizeof stamp, "%lld", (long long)(wall_us() / 1000));
                            if (sl == e - d) memcpy(d, stamp, (size_t)sl);
                        }
                        if (pub.out_len + data_len + 512 > out_cap) die("relay: publisher backlog full");
                        pub.out_len += (size_t)snprintf(
                            pub.out + pub.out_len, out_cap - pub.out_len,
                            "POST %s HTTP/1.1\r\nHost: %s:%d\r\nContent-Type: application/json\r\n"
                            "X-EventSource-Event: standings\r\nAccept: text/json\r\n"
                            "Content-Length: %zu\r\n\r\n",
                            opt_to_path, opt_host, opt_to_port, data_len);
                        memcpy(pub.out + pub.out_len, data, data_len);
                        pub.out_len += data_len;
                        relayed++;
                        if (!r_flush(ep, &pub, 1)) die("relay publish");
                    }
                    free(data);
                    data = NULL;
                    event[0] = '\0';
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
    }
    printf("RESULT relayed=%llu answered=%llu failed=%llu\n", (unsigned long long)relayed,
           (unsigned long long)answered, (unsigned long long)failed);
    close(fd);
    close(pub.fd);
    return 0;
}

/* ---------------------------------------------------------------- merge */

/* The histograms of several listeners (--hist files) as one: the quantiles of the union,
 * in the format of a listener's report. */
static int run_merge(int n, char **files)
{
    struct hist h;
    hist_init(&h);
    for (int i = 0; i < n; i++) hist_read(&h, files[i]);
    printf("p50_ms=%.1f p90_ms=%.1f p99_ms=%.1f max_ms=%.1f mean_ms=%.1f samples=%llu\n",
           hist_q(&h, 0.5), hist_q(&h, 0.9), hist_q(&h, 0.99), h.max,
           h.n ? h.sum / (double)h.n : -1.0, (unsigned long long)h.n);
    return 0;
}

/* ---------------------------------------------------------------- main */

static void usage(void)
{
    fprintf(stderr,
            "usage: sse_client listen|post|flood|relay [--host A] [--port P] [--path P]\n"
            "  listen: --conns N --sources K [--first-address 127.0.0.2] --parallel P --timeout S\n"
            "          [--control FIFO] [--hist FILE]  (commands on stdin, or on FIFO)\n"
            "  post:   --token T --rate R --seconds S --conns C --pipeline K --prefix X\n"
            "  flood:  --path P --rate R --seconds S --conns C --pipeline K [--keep-cookie]\n"
            "  relay:  --to-port P --to-path /pub           (until SIGTERM)\n"
            "  sse_client merge HIST...  (the quantiles of listeners' --hist files together)\n");
    exit(2);
}

int main(int argc, char **argv)
{
    if (argc < 2) usage();
    const char *mode = argv[1];
    if (strcmp(mode, "merge") == 0) {
        if (argc < 3) usage();
        return run_merge(argc - 2, argv + 2);
    }
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--keep-cookie") == 0) {
            opt_keep_cookie = 1;
            continue;
        }
        if (!v) usage();
        i++;
        if (strcmp(a, "--host") == 0) opt_host = v;
        else if (strcmp(a, "--port") == 0) opt_port = atoi(v);
        else if (strcmp(a, "--path") == 0) opt_path = v;
        else if (strcmp(a, "--token") == 0) opt_token = v;
        else if (strcmp(a, "--prefix") == 0) opt_prefix = v;
        else if (strcmp(a, "--conns") == 0) opt_conns = atoi(v);
        else if (strcmp(a, "--sources") == 0) opt_sources = atoi(v);
        else if (strcmp(a, "--first-address") == 0) opt_first_address = v;
        else if (strcmp(a, "--control") == 0) opt_control = v;
        else if (strcmp(a, "--hist") == 0) opt_hist = v;
        else if (strcmp(a, "--parallel") == 0) opt_parallel = atoi(v);
        else if (strcmp(a, "--rate") == 0) opt_rate = atof(v);
        else if (strcmp(a, "--seconds") == 0) opt_seconds = atof(v);
        else if (strcmp(a, "--timeout") == 0) opt_timeout = atof(v);
        else if (strcmp(a, "--pipeline") == 0) opt_pipeline = atoi(v);
        else if (strcmp(a, "--to-port") == 0) opt_to_port = atoi(v);
        else if (strcmp(a, "--to-path") == 0) opt_to_path = v;
        else usage();
    }
    if (opt_conns < 1 || opt_sources < 1 || opt_sources > 65000 || opt_parallel < 1) usage();
    signal(SIGPIPE, SIG_IGN);
    signal(SIGTERM, on_stop);
    signal(SIGINT, on_stop);
    if (strcmp(mode, "listen") == 0) return run_listen();
    if (strcmp(mode, "post") == 0) {
        if (!opt_path) opt_path = "/api/v1/competitions/irom-final-2026/marks";
        return run_requests(true);
    }
    if (strcmp(mode, "flood") == 0) {
        if (!opt_path) opt_path = "/api/v1/public/competitions/irom-final-2026/contestants/W001/like";
        return run_requests(false);
    }
    if (strcmp(mode, "relay") == 0) {
        if (!opt_to_port) usage();
        return run_relay();
    }
    usage();
    return 2;
}
