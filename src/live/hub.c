/* The hub keeps, per competition, a ring of recent frames and how many streams each worker
 * holds. A new stream's head and catch-up bytes are built here, then its connection is taken
 * from evhttp and passed to the least loaded worker; every committed frame goes to the
 * workers that hold streams of its competition, in commit order, on the same ordered socket
 * as the hand-overs, so a stream sees each frame after its catch-up exactly once. */
#include "live/hub.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/http_struct.h> /* req->major, req->minor: chunked or not */

#include "live/frame.h"
#include "live/streamer.h"
#include "live/wire.h"
#include "store/store.h"

#define RING 4096                  /* frames kept per competition for resuming */
#define SNAPSHOT_MAX_AGE_MS 2000   /* spectator counts in a cached snapshot may lag this */
#define WATCH_GRACE_MS 60000       /* deltas are built this long after the last client left */
#define STOP_WAIT_MS 2000          /* a worker not gone by then is killed */
#define RESTART_MS 1000            /* a lost worker is started again after this */
#define RESTARTS_PER_MINUTE 5      /* beyond this a failing worker is left stopped */
#define BACKED_UP (8u << 20)       /* a worker this far behind gets no new streams */

struct worker_link {
    struct hub *hub;
    pid_t pid;
    struct wire_out *down;
    struct wire_in *up;
    size_t streams;
    bool alive;
    struct event *restart;
    int64_t restarts_since; /* the minute its recent restarts are counted in */
    int restarts;
};

/* One competition's streams and recent frames. */
struct channel {
    char *competition;
    size_t streams;  /* across workers */
    size_t *at;      /* per worker */
    struct frame **sent_snapshot; /* per worker: the snapshot it holds for attaches */
    struct frame *ring[RING];
    int ring_first, ring_count;
    int64_t resumable_from; /* a client that saw this sequence can resume from the ring */
    struct frame *snapshot;
    int64_t snapshot_ms;
    int64_t left_ms; /* when its last stream ended */
};

struct hub {
    struct hub_source source;
    struct event_base *base;
    struct channel **channels;
    int n_channels;
    struct worker_link *workers;
    int n_workers;
    size_t capacity;   /* streams one worker may hold: its open-file limit, less a reserve */
    int placeholder;   /* /dev/null: what evhttp closes in place of a handed-over socket */
    struct frame *hello;
    struct evbuffer *scratch;
};

static struct channel *find_channel(const struct hub *h, const char *competition)
{
    for (int i = 0; i < h->n_channels; i++)
        if (strcmp(h->channels[i]->competition, competition) == 0) return h->channels[i];
    return NULL;
}

/* The competition's channel, made on first use. */
static struct channel *channel_of(struct hub *h, const char *competition)
{
    struct channel *found = find_channel(h, competition);
    if (found) return found;
    struct channel *ch = calloc(1, sizeof *ch);
    struct channel **grown = realloc(h->channels, (size_t)(h->n_channels + 1) * sizeof *grown);
    if (grown) h->channels = grown;
    if (!ch || !grown || !(ch->at = calloc((size_t)h->n_workers + 1, sizeof *ch->at)) ||
        !(ch->sent_snapshot = calloc((size_t)h->n_workers + 1, sizeof *ch->sent_snapshot)) ||
        !(ch->competition = strdup(competition))) {
        if (ch) free(ch->at);
        if (ch) free(ch->sent_snapshot);
        free(ch);
        return NULL;
    }
    ch->resumable_from = h->source.last_seq(h->source.arg, competition);
    h->channels[h->n_channels++] = ch;
    return ch;
}

static void stream_ended(struct hub *h, struct channel *ch, int w, size_t n)
{
    ch->at[w] -= n;
    ch->streams -= n;
    h->workers[w].streams -= n;
    if (ch->streams == 0) ch->left_ms = now_ms();
}

/* Starts the link's worker again in a moment, unless it keeps failing. */
static void schedule_restart(struct worker_link *link)
{
    int64_t now = now_ms();
    if (now - link->restarts_since > 60000) {
        link->restarts_since = now;
        link->restarts = 0;
    }
    if (++link->restarts > RESTARTS_PER_MINUTE) {
        fprintf(stderr, "jiangxing: stream worker failed %d times in a minute: not restarted\n",
                RESTARTS_PER_MINUTE);
        return;
    }
    struct timeval later = {RESTART_MS / 1000, (RESTART_MS % 1000) * 1000};
    event_add(link->restart, &later);
}

/* A worker that died or stopped keeping up: its streams are gone (their browsers reconnect
 * and are handed to the others). */
static void worker_lost(void *arg)
{
    struct worker_link *link = arg;
    struct hub *h = link->hub;
    int w = (int)(link - h->workers);
    if (!link->alive) return;
    link->alive = false;
    fprintf(stderr, "jiangxing: stream worker %d stopped; its viewers reconnect to the others\n",
            (int)link->pid);
    kill(link->pid, SIGKILL);
    waitpid(link->pid, NULL, 0);
    link->pid = 0;
    for (int i = 0; i < h->n_channels; i++) {
        struct channel *ch = h->channels[i];
        if (ch->at[w]) stream_ended(h, ch, w, ch->at[w]);
        frame_unref(ch->sent_snapshot[w]);
        ch->sent_snapshot[w] = NULL;
    }
    wire_out_free(link->down);
    wire_in_free(link->up);
    link->down = NULL;
    link->up = NULL;
    schedule_restart(link);
}

static void on_report(const struct wire_message *m, void *arg)
{
    struct worker_link *link = arg;
    struct hub *h = link->hub;
    int w = (int)(link - h->workers);
    struct channel *ch = m->type == WIRE_LEFT ? find_channel(h, m->competition) : NULL;
    if (ch && ch->at[w] > 0) stream_ended(h, ch, w, 1);
    if (m->fd >= 0) close(m->fd);
}

/* Starts the link's worker and connects to it; false (logged) when it cannot. */
static bool worker_start(struct worker_link *link)
{
    struct streamer s;
    if (streamer_start(&s) != 0) return false;
    link->pid = s.pid;
    link->down = wire_out_new(link->hub->base, s.down, worker_lost, link);
    link->up = wire_in_new(link->hub->base, s.up, on_report, worker_lost, link);
    link->alive = true;
    link->streams = 0;
    if (!link->down) close(s.down);
    if (!link->up) close(s.up);
    if (link->down && link->up) return true;
    worker_lost(link);
    return false;
}

static void on_restart(evutil_socket_t fd, short what, void *arg)
{
    struct worker_link *link = arg;
    if (worker_start(link)) fprintf(stderr, "jiangxing: stream worker %d started\n", (int)link->pid);
    else if (!evtimer_pending(link->restart, NULL)) schedule_restart(link); /* try again */
}

/* Sends a frame to the workers holding streams of the channel. */
static void forward(struct hub *h, struct channel *ch, struct frame *f, unsigned flags)
{
    for (int w = 0; w < h->n_workers && ch->streams; w++)
        if (h->workers[w].alive && ch->at[w] > 0)
            wire_send_frame(h->workers[w].down, ch->competition, f, flags);
}

static void ring_push(struct channel *ch, struct frame *f)
{
    if (ch->ring_count == RING) {
        struct frame *old = ch->ring[ch->ring_first];
        ch->resumable_from = old->seq;
        frame_unref(old);
        ch->ring_first = (ch->ring_first + 1) % RING;
        ch->ring_count--;
    }
    f->refs++;
    ch->ring[(ch->ring_first + ch->ring_count++) % RING] = f;
}

void hub_publish(struct hub *h, const char *competition, int64_t seq, const char *name,
                 const char *data, bool end_public)
{
    struct channel *ch = channel_of(h, competition);
    struct frame *f = ch ? frame_new(seq, name, data) : NULL;
    if (!f) return; /* out of memory: clients resync from the next snapshot */
    ring_push(ch, f);
    forward(h, ch, f, end_public ? WIRE_END_PUBLIC : 0);
    frame_unref(f);
}

void hub_announce(struct hub *h, const char *competition, const char *name, const char *data)
{
    struct channel *ch = channel_of(h, competition);
    if (ch && ch->snapshot) { /* spectator data or settings changed: the next one is fresh */
        frame_unref(ch->snapshot);
        ch->snapshot = NULL;
    }
    struct frame *f = ch && ch->streams ? frame_new(-1, name, data) : NULL;
    if (!f) return;
    forward(h, ch, f, 0);
    frame_unref(f);
}

/* The board as a frame, shared by every client that connects while it is fresh. */
static struct frame *snapshot(struct hub *h, struct channel *ch)
{
    int64_t now = now_ms(), seq = h->source.last_seq(h->source.arg, ch->competition);
    if (ch->snapshot && ch->snapshot->seq == seq && now - ch->snapshot_ms < SNAPSHOT_MAX_AGE_MS)
        return ch->snapshot;
    char *data = h->source.snapshot(h->source.arg, ch->competition, &seq);
    struct frame *f = data ? frame_new(seq, "snapshot", data) : NULL;
    free(data);
    if (!f) return NULL;
    frame_unref(ch->snapshot);
    ch->snapshot = f;
    ch->snapshot_ms = now;
    return f;
}

bool hub_watched(const struct hub *h, const char *competition)
{
    const struct channel *ch = find_channel(h, competition);
    return ch && (ch->streams || now_ms() - ch->left_ms < WATCH_GRACE_MS);
}

void hub_reset(struct hub *h, const char *competition, int64_t seq)
{
    struct channel *ch = channel_of(h, competition);
    struct frame *marker = ch ? frame_new(seq, "reset", "{}") : NULL;
    if (!marker) return;
    marker->reset = true;
    ring_push(ch, marker);
    frame_unref(marker);
    struct frame *f = ch->streams ? snapshot(h, ch) : NULL;
    if (f) forward(h, ch, f, 0);
}

/* True when a client that saw last_id can be brought up to date from the ring alone, and
 * cheaply: past half the backlog cap, one snapshot says it better (and replaying it all at
 * once would only get the client dropped). */
static bool resumable(const struct hub *h, const struct channel *ch, int64_t last_id)
{
    if (last_id < ch->resumable_from ||
        last_id > h->source.last_seq(h->source.arg, ch->competition))
        return false;
    size_t missed = 0;
    for (int i = 0; i < ch->ring_count; i++) {
        const struct frame *f = ch->ring[(ch->ring_first + i) % RING];
        if (f->seq <= last_id) continue;
        if (f->reset) return false;
        missed += f->len;
    }
    return missed <= STREAM_MAX_BACKLOG / 2;
}

/* The worker with the fewest streams that has room and keeps up, or -1. */
static int pick_worker(const struct hub *h)
{
    int best = -1;
    for (int w = 0; w < h->n_workers; w++) {
        const struct worker_link *link = &h->workers[w];
        if (link->alive && link->streams < h->capacity &&
            wire_out_queued(link->down) <= BACKED_UP &&
            (best < 0 || link->streams < h->workers[best].streams))
            best = w;
    }
    return best;
}

static const char stream_head[] =
    " 200 OK\r\n"
    "Content-Type: text/event-stream; charset=utf-8\r\n"
    "Cache-Control: no-store\r\n"
    "X-Accel-Buffering: no\r\n"
    "X-Content-Type-Options: nosniff\r\n"
    "X-Frame-Options: DENY\r\n"
    "Referrer-Policy: same-origin\r\n"
    "Connection: close\r\n";

static void add_frame(struct evbuffer *out, const struct frame *f, bool chunked)
{
    size_t len;
    const char *bytes = frame_bytes(f, chunked, &len);
    evbuffer_add(out, bytes, len);
}

/* The answer's head, the retry hint, and what the client missed: the frames after last_id,
 * or (*snapshot set) the snapshot, which each worker gets once and adds itself. Returns the
 * last id the catch-up carries, or -2 when out of memory. */
static int64_t catch_up(struct hub *h, struct channel *ch, int64_t last_id, bool chunked,
                        struct evbuffer *out, struct frame **snapshot_of)
{
    evbuffer_add_printf(out, "HTTP/1.%d%s%s\r\n", chunked ? 1 : 0, stream_head,
                        chunked ? "Transfer-Encoding: chunked\r\n" : "");
    add_frame(out, h->hello, chunked);
    *snapshot_of = NULL;
    if (resumable(h, ch, last_id)) {
        for (int i = 0; i < ch->ring_count; i++) {
            const struct frame *f = ch->ring[(ch->ring_first + i) % RING];
            if (f->seq <= last_id) continue;
            add_frame(out, f, chunked);
            last_id = f->seq;
        }
        return last_id;
    }
    struct frame *f = snapshot(h, ch);
    if (!f) return -2;
    *snapshot_of = f;
    return f->seq;
}

/* Makes sure worker w holds the channel's snapshot f (sent once per snapshot and worker). */
static bool share_snapshot(struct hub *h, struct channel *ch, int w, struct frame *f)
{
    if (ch->sent_snapshot[w] == f) return true;
    if (!wire_send_snapshot(h->workers[w].down, ch->competition, f)) return false;
    frame_unref(ch->sent_snapshot[w]);
    f->refs++;
    ch->sent_snapshot[w] = f;
    return true;
}

/* An evhttp connection whose socket went to a worker, freed on the loop's next turn. */
struct handover {
    struct event *ev;
    struct evhttp_connection *conn;
};

static void free_connection(evutil_socket_t fd, short what, void *arg)
{
    struct handover *ho = arg;
    evhttp_connection_free(ho->conn);
    event_free(ho->ev);
    free(ho);
}

bool hub_attach(struct hub *h, struct evhttp_request *req, const char *competition,
                int64_t last_id, bool is_public)
{
    struct channel *ch = channel_of(h, competition);
    int w = ch ? pick_worker(h) : -1;
    if (w < 0) return false;
    bool chunked = req->major > 1 || (req->major == 1 && req->minor >= 1);
    struct evbuffer *out = h->scratch;
    evbuffer_drain(out, evbuffer_get_length(out));
    struct frame *snapshot_of;
    int64_t seen = catch_up(h, ch, last_id, chunked, out, &snapshot_of);
    const void *bytes = seen >= -1 && (!snapshot_of || share_snapshot(h, ch, w, snapshot_of))
                            ? evbuffer_pullup(out, -1)
                            : NULL;
    /* Take the socket from evhttp: stop watching it, keep our own descriptor of it, and put
     * a placeholder where evhttp will shut down and close its descriptor when it frees the
     * connection (next turn of the loop: we are inside its request callback). */
    struct evhttp_connection *conn = evhttp_request_get_connection(req);
    struct bufferevent *bev = evhttp_connection_get_bufferevent(conn);
    int fd = bufferevent_getfd(bev);
    struct handover *ho = bytes ? malloc(sizeof *ho) : NULL;
    if (ho) *ho = (struct handover){event_new(h->base, -1, 0, free_connection, ho), conn};
    int passed = ho && ho->ev ? fcntl(fd, F_DUPFD_CLOEXEC, 3) : -1;
    if (passed < 0 || bufferevent_disable(bev, EV_READ | EV_WRITE) != 0 ||
        dup2(h->placeholder, fd) < 0) {
        if (passed >= 0) close(passed);
        if (ho && ho->ev) event_free(ho->ev);
        free(ho);
        return false;
    }
    event_active(ho->ev, EV_TIMEOUT, 1);
    unsigned flags = (is_public ? WIRE_PUBLIC : 0) | (chunked ? WIRE_CHUNKED : 0) |
                     (snapshot_of ? WIRE_THEN_SNAPSHOT : 0);
    size_t len = evbuffer_get_length(out);
    if (wire_send_attach(h->workers[w].down, ch->competition, seen, flags, bytes, len, passed)) {
        ch->at[w]++;
        ch->streams++;
        h->workers[w].streams++;
    }
    evbuffer_drain(out, len);
    return true;
}

/* As many streams per worker as its open-file limit allows. */
static size_t worker_capacity(void)
{
    struct rlimit r;
    if (getrlimit(RLIMIT_NOFILE, &r) != 0 || r.rlim_cur == RLIM_INFINITY) return 1u << 20;
    return r.rlim_cur > STREAM_FD_RESERVE ? (size_t)(r.rlim_cur - STREAM_FD_RESERVE) : 0;
}

struct hub *hub_new(struct event_base *base, struct hub_source source, int n_workers)
{
    struct hub *h = calloc(1, sizeof *h);
    if (!h) return NULL;
    h->source = source;
    h->base = base;
    h->capacity = worker_capacity();
    h->placeholder = open("/dev/null", O_RDWR | O_CLOEXEC);
    h->hello = frame_of_text(-1, "retry: 2000\n\n", 13);
    h->scratch = evbuffer_new();
    h->workers = calloc((size_t)n_workers + 1, sizeof *h->workers);
    if (h->placeholder < 0 || !h->hello || !h->scratch || !h->workers) {
        hub_free(h);
        return NULL;
    }
    for (int w = 0; w < n_workers; w++) {
        struct worker_link *link = &h->workers[h->n_workers++];
        *link = (struct worker_link){.hub = h, .restarts_since = now_ms()};
        link->restart = event_new(base, -1, 0, on_restart, link);
        if (!link->restart || !worker_start(link)) {
            hub_free(h);
            return NULL;
        }
    }
    return h;
}

/* Closing its socket tells a worker to end its streams and exit. */
static void stop_workers(struct hub *h)
{
    for (int w = 0; w < h->n_workers; w++) {
        wire_out_free(h->workers[w].down);
        wire_in_free(h->workers[w].up);
        if (h->workers[w].restart) event_free(h->workers[w].restart);
    }
    int64_t deadline = now_ms() + STOP_WAIT_MS;
    for (int w = 0; w < h->n_workers; w++) {
        pid_t pid = h->workers[w].pid;
        while (pid > 0 && waitpid(pid, NULL, WNOHANG) == 0) {
            if (now_ms() > deadline) {
                kill(pid, SIGKILL);
                waitpid(pid, NULL, 0);
                break;
            }
            usleep(1000);
        }
    }
}

void hub_free(struct hub *h)
{
    if (!h) return;
    if (h->workers) stop_workers(h);
    for (int i = 0; i < h->n_channels; i++) {
        struct channel *ch = h->channels[i];
        for (int k = 0; k < ch->ring_count; k++) frame_unref(ch->ring[(ch->ring_first + k) % RING]);
        frame_unref(ch->snapshot);
        for (int w = 0; w < h->n_workers; w++) frame_unref(ch->sent_snapshot[w]);
        free(ch->sent_snapshot);
        free(ch->competition);
        free(ch->at);
        free(ch);
    }
    free(h->channels);
    free(h->workers);
    frame_unref(h->hello);
    if (h->scratch) evbuffer_free(h->scratch);
    if (h->placeholder >= 0) close(h->placeholder);
    free(h);
}
