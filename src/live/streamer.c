/* A stream worker's start and life: it receives streams (their sockets) and frames from the
 * server, writes each frame to every stream of its competition, sends heartbeats, drops
 * streams that fall too far behind, and exits when the server's end closes. */
#include "live/streamer.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "live/wire.h"

#define RING 4096                   /* frames a stream may lag behind before it is dropped */
#define RING_BYTES (64u << 20)      /* and their bytes, at most (snapshots can be large) */
#define SWEEP_MS 1000               /* how often lagging streams are looked for */
#define HEARTBEAT_SECONDS 15        /* below the idle timeouts of proxies and browsers */
#define WRITE_TIMEOUT_SECONDS 60    /* a stream that takes no byte for this long is dead */
#define INPUT_CAP 4096              /* bytes a stream's client may send after its request */
#define BATCH 64                    /* frames per write */

/* A stream is a position in its channel's ring: frames are never queued per stream. */
struct client {
    struct worker *w;
    struct channel *ch;
    struct client *prev, *next;  /* in ch->clients while listed */
    bool listed;                 /* in ch->clients: gets new frames */
    bool draining;               /* ended, still writing what it has (counted in ch) */
    bool is_public, chunked, waiting, closing;
    int fd;
    struct event *readable, *writable;
    int64_t seen;                /* frames up to this sequence are already in what it was sent */
    uint64_t at;                 /* the ring index of the next frame to write */
    uint64_t end_at;             /* a public stream ends before this index (hidden standings) */
    size_t partial;              /* bytes of frame `at` already written */
    char *extra;                 /* bytes before frame `at`: the catch-up, a heartbeat, the end */
    size_t extra_len, extra_sent;
    struct frame *lead;          /* a snapshot to write after extra, before frame `at` */
    size_t lead_sent;
    size_t input;
};

/* One competition's streams and the frames they have not all written yet. */
struct channel {
    char *competition;
    struct client *clients;
    size_t draining;             /* ended streams still writing their last frames */
    struct frame *ring[RING];
    uint64_t offset[RING];       /* the text bytes of the channel before each frame */
    uint64_t first, end;         /* ring indexes held: [first, end) */
    uint64_t bytes;              /* the text bytes of the channel up to end */
    struct frame *snapshot;      /* the last one the server sent, for new streams */
};

struct worker {
    struct event_base *base;
    const struct timeval *write_timeout; /* one timeout queue shared by every stream */
    struct wire_in *in;
    struct wire_out *up;
    struct channel **channels;
    int n_channels;
};

/* Forgets every frame: no stream needs them any more. */
static void ring_clear(struct channel *ch)
{
    for (; ch->first < ch->end; ch->first++) frame_unref(ch->ring[ch->first % RING]);
}

static void unlink_client(struct client *cl)
{
    struct channel *ch = cl->ch;
    if (cl->prev) cl->prev->next = cl->next;
    else ch->clients = cl->next;
    if (cl->next) cl->next->prev = cl->prev;
    cl->listed = false;
}

/* Takes a stream out of the channel's list: it gets no new frames, but is still writing the
 * ones it has (a public stream ending after the standings were hidden). */
static void start_draining(struct client *cl)
{
    unlink_client(cl);
    cl->draining = true;
    cl->ch->draining++;
}

/* Closes the stream; the server hears of it when its socket is closed, so its counts never
 * fall below the descriptors held here. */
static void drop(struct client *cl)
{
    struct channel *ch = cl->ch;
    if (cl->listed) unlink_client(cl);
    if (cl->draining) ch->draining--;
    if (!ch->clients && !ch->draining) ring_clear(ch);
    wire_send_left(cl->w->up, ch->competition);
    if (cl->readable) event_free(cl->readable);
    if (cl->writable) event_free(cl->writable);
    close(cl->fd);
    free(cl->extra);
    frame_unref(cl->lead);
    free(cl);
}

/* Bytes the stream has still to write. */
static uint64_t backlog(const struct client *cl)
{
    const struct channel *ch = cl->ch;
    /* Text bytes, so chunk framing is not counted (partial is, hence the clamp). */
    uint64_t frames = cl->at < ch->end ? ch->bytes - ch->offset[cl->at % RING] : 0;
    frames = frames > cl->partial ? frames - cl->partial : 0;
    size_t lead = 0;
    if (cl->lead) frame_bytes(cl->lead, cl->chunked, &lead);
    return frames + (cl->extra_len - cl->extra_sent) + (lead - cl->lead_sent);
}

/* Sets the bytes to write before the next frame; false when out of memory. */
static bool set_extra(struct client *cl, const void *bytes, size_t len)
{
    char *copy = malloc(len ? len : 1);
    if (!copy) return false;
    memcpy(copy, bytes, len);
    free(cl->extra);
    cl->extra = copy;
    cl->extra_len = len;
    cl->extra_sent = 0;
    return true;
}

/* A frame its catch-up already held (it attached between a commit and that commit's frame). */
static bool already_sent(const struct client *cl, const struct frame *f)
{
    return f->seq >= 0 && f->seq <= cl->seen;
}

/* Takes n written bytes off the front: the extra bytes, then whole or partial frames. */
static void advance(struct client *cl, size_t n)
{
    size_t from_extra = cl->extra_len - cl->extra_sent;
    if (from_extra > n) from_extra = n;
    cl->extra_sent += from_extra;
    n -= from_extra;
    if (cl->extra && cl->extra_sent == cl->extra_len) {
        free(cl->extra);
        cl->extra = NULL;
        cl->extra_len = cl->extra_sent = 0;
    }
    if (cl->lead && n > 0) {
        size_t len;
        frame_bytes(cl->lead, cl->chunked, &len);
        size_t from_lead = len - cl->lead_sent < n ? len - cl->lead_sent : n;
        cl->lead_sent += from_lead;
        n -= from_lead;
        if (cl->lead_sent < len) return;
        frame_unref(cl->lead);
        cl->lead = NULL;
        cl->lead_sent = 0;
    }
    while (n > 0) {
        const struct frame *f = cl->ch->ring[cl->at % RING];
        if (cl->partial == 0 && already_sent(cl, f)) { /* left out of the write */
            cl->at++;
            continue;
        }
        size_t len;
        frame_bytes(f, cl->chunked, &len);
        size_t left = len - cl->partial;
        if (n < left) {
            cl->partial += n;
            return;
        }
        n -= left;
        cl->partial = 0;
        if (f->seq >= 0) cl->seen = f->seq;
        cl->at++;
    }
}

/* Writes what the stream has pending, as much as its socket takes, several frames per
 * write; waits for the socket when it is full. Drops the stream on an error, or when it has
 * fallen out of the ring. */
static void pump(struct client *cl)
{
    struct channel *ch = cl->ch;
    for (;;) {
        if (cl->at < ch->first) { /* lagged past what the ring keeps: it resumes elsewhere */
            drop(cl);
            return;
        }
        uint64_t stop = cl->end_at < ch->end ? cl->end_at : ch->end;
        while (cl->at < stop && cl->partial == 0 && already_sent(cl, ch->ring[cl->at % RING]))
            cl->at++;
        struct iovec iov[BATCH + 2];
        int n = 0;
        size_t total = 0;
        if (cl->extra_sent < cl->extra_len)
            iov[n++] = (struct iovec){cl->extra + cl->extra_sent, cl->extra_len - cl->extra_sent};
        if (cl->lead) {
            size_t len;
            const char *bytes = frame_bytes(cl->lead, cl->chunked, &len);
            iov[n++] = (struct iovec){(char *)bytes + cl->lead_sent, len - cl->lead_sent};
        }
        size_t skip = cl->partial;
        for (uint64_t i = cl->at; i < stop && n < BATCH + 2; i++) {
            const struct frame *f = ch->ring[i % RING];
            if (i > cl->at && already_sent(cl, f)) continue;
            size_t len;
            const char *bytes = frame_bytes(f, cl->chunked, &len);
            iov[n++] = (struct iovec){(char *)bytes + skip, len - skip};
            skip = 0;
        }
        for (int i = 0; i < n; i++) total += iov[i].iov_len;
        if (n == 0) break;
        ssize_t written = writev(cl->fd, iov, n);
        if (written < 0 && errno == EINTR) continue;
        if (written < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
            drop(cl);
            return;
        }
        if (written > 0) advance(cl, (size_t)written);
        if (written < 0 || (size_t)written < total) {
            if (!cl->waiting) {
                event_add(cl->writable, cl->w->write_timeout);
                cl->waiting = true;
            }
            return;
        }
    }
    if (cl->waiting) {
        event_del(cl->writable);
        cl->waiting = false;
    }
    if (cl->at < cl->end_at) return;
    if (cl->closing) { /* the last chunk is written: the connection ends */
        drop(cl);
        return;
    }
    cl->closing = true;
    if (!cl->chunked || !set_extra(cl, "0\r\n\r\n", 5)) drop(cl);
    else pump(cl);
}

static void on_writable(evutil_socket_t fd, short what, void *arg)
{
    struct client *cl = arg;
    cl->waiting = false;
    if (what & EV_TIMEOUT) drop(cl);
    else pump(cl);
}

/* A stream's client has nothing more to say: what it sends is read and thrown away. */
static void on_readable(evutil_socket_t fd, short what, void *arg)
{
    struct client *cl = arg;
    char buf[4096];
    ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
    if (n <= 0 || (cl->input += (size_t)n) > INPUT_CAP) drop(cl);
}

static struct channel *find_channel(const struct worker *w, const char *competition)
{
    for (int i = 0; i < w->n_channels; i++)
        if (strcmp(w->channels[i]->competition, competition) == 0) return w->channels[i];
    return NULL;
}

static struct channel *channel_of(struct worker *w, const char *competition)
{
    struct channel *found = find_channel(w, competition);
    if (found) return found;
    struct channel *ch = calloc(1, sizeof *ch);
    struct channel **grown = realloc(w->channels, (size_t)(w->n_channels + 1) * sizeof *grown);
    if (grown) w->channels = grown;
    if (!ch || !grown || !(ch->competition = strdup(competition))) {
        free(ch);
        return NULL;
    }
    w->channels[w->n_channels++] = ch;
    return ch;
}

static void attach(struct worker *w, const struct wire_message *m)
{
    if (m->fd < 0) { /* its socket did not arrive (out of descriptors) */
        wire_send_left(w->up, m->competition);
        return;
    }
    struct channel *ch = channel_of(w, m->competition);
    struct client *cl = ch ? calloc(1, sizeof *cl) : NULL;
    if (cl) {
        *cl = (struct client){.w = w, .ch = ch, .is_public = m->flags & WIRE_PUBLIC,
                              .chunked = m->flags & WIRE_CHUNKED, .fd = m->fd, .seen = m->seq,
                              .at = ch->end, .end_at = UINT64_MAX};
        cl->readable = event_new(w->base, m->fd, EV_READ | EV_PERSIST, on_readable, cl);
        cl->writable = event_new(w->base, m->fd, EV_WRITE, on_writable, cl);
    }
    if (cl && (m->flags & WIRE_THEN_SNAPSHOT) && ch->snapshot) {
        cl->lead = ch->snapshot;
        cl->lead->refs++;
    }
    if (!cl || !cl->readable || !cl->writable || event_add(cl->readable, NULL) != 0 ||
        !set_extra(cl, m->payload, m->len) || ((m->flags & WIRE_THEN_SNAPSHOT) && !cl->lead)) {
        /* out of memory, or its socket was lost on the way: the viewer's browser retries;
         * the server's count stays right */
        if (cl) {
            drop(cl);
        } else {
            close(m->fd);
            wire_send_left(w->up, m->competition);
        }
        return;
    }
    cl->listed = true;
    cl->next = ch->clients;
    if (ch->clients) ch->clients->prev = cl;
    ch->clients = cl;
    int on = 1; /* frames are small and must leave at once: no waiting for the last one's ACK */
    setsockopt(m->fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    pump(cl);
}

/* Keeps the frame in the ring, forgetting the oldest past its limits. */
static void ring_push(struct channel *ch, struct frame *f)
{
    while (ch->end - ch->first == RING ||
           (ch->end > ch->first && ch->bytes - ch->offset[ch->first % RING] > RING_BYTES)) {
        frame_unref(ch->ring[ch->first % RING]);
        ch->first++;
    }
    ch->ring[ch->end % RING] = f;
    ch->offset[ch->end % RING] = ch->bytes;
    ch->bytes += f->len;
    ch->end++;
}

/* A frame for the channel's streams: those with nothing pending write it at once, the others
 * when their sockets take more. */
static void broadcast(struct channel *ch, struct frame *f, bool end_public)
{
    ring_push(ch, f);
    struct client *cl = ch->clients;
    while (cl) {
        struct client *next = cl->next;
        if (end_public && cl->is_public) {
            cl->end_at = ch->end;
            start_draining(cl);
        }
        if (!cl->waiting) pump(cl);
        cl = next;
    }
}

static void on_message(const struct wire_message *m, void *arg)
{
    struct worker *w = arg;
    if (m->type == WIRE_ATTACH) {
        attach(w, m);
        return;
    }
    if (m->type == WIRE_SNAPSHOT) {
        struct channel *ch = channel_of(w, m->competition);
        if (!ch) return; /* out of memory: the attaches that need it are refused */
        frame_unref(ch->snapshot);
        ch->snapshot = frame_of_text(m->seq, m->payload, m->len);
        return;
    }
    struct channel *ch = m->type == WIRE_FRAME ? find_channel(w, m->competition) : NULL;
    if (!ch || !ch->clients) return; /* nobody here watches */
    struct frame *f = frame_of_text(m->seq, m->payload, m->len);
    if (f) {
        broadcast(ch, f, m->flags & WIRE_END_PUBLIC);
        return;
    }
    while (ch->clients) drop(ch->clients); /* out of memory: they reconnect and catch up */
}

/* The server is gone: the streams end with it (their browsers reconnect to the next one). */
static void on_server_gone(void *arg) { _exit(0); }

static void each_client(struct worker *w, void (*fn)(struct client *cl))
{
    for (int i = 0; i < w->n_channels; i++) {
        struct client *cl = w->channels[i]->clients;
        while (cl) {
            struct client *next = cl->next;
            fn(cl);
            cl = next;
        }
    }
}

/* Streams still this far behind after the loop has had its chance to write are too slow
 * (their browsers reconnect and resume, or get a snapshot). */
static void sweep_one(struct client *cl)
{
    if (cl->at < cl->ch->first || backlog(cl) > STREAM_MAX_BACKLOG) drop(cl);
}

static void on_sweep(evutil_socket_t fd, short what, void *arg) { each_client(arg, sweep_one); }

/* Only a stream with nothing pending needs one: the others are being written to. */
static void beat_one(struct client *cl)
{
    if (cl->waiting || cl->extra || cl->lead || cl->at < cl->ch->end) return;
    if (cl->chunked ? set_extra(cl, "3\r\n:\n\n\r\n", 8) : set_extra(cl, ":\n\n", 3)) pump(cl);
}

static void on_heartbeat(evutil_socket_t fd, short what, void *arg) { each_client(arg, beat_one); }

int streamer_run(void)
{
    signal(SIGINT, SIG_IGN); /* a terminal's ^C stops the server, which then stops us */
    signal(SIGPIPE, SIG_IGN);
    prctl(PR_SET_NAME, "jx-stream");
    struct worker w = {0};
    w.base = event_base_new();
    if (!w.base) return 1;
    struct timeval write_timeout = {WRITE_TIMEOUT_SECONDS, 0};
    w.write_timeout = event_base_init_common_timeout(w.base, &write_timeout);
    w.up = wire_out_new(w.base, STREAMER_UP_FD, on_server_gone, &w);
    w.in = wire_in_new(w.base, STREAMER_DOWN_FD, on_message, on_server_gone, &w);
    struct event *heartbeat = event_new(w.base, -1, EV_PERSIST, on_heartbeat, &w);
    struct event *sweep = event_new(w.base, -1, EV_PERSIST, on_sweep, &w);
    struct timeval every = {HEARTBEAT_SECONDS, 0}, sweep_every = {0, SWEEP_MS * 1000};
    if (!w.write_timeout || !w.up || !w.in || !heartbeat || !sweep ||
        event_add(heartbeat, &every) != 0 || event_add(sweep, &sweep_every) != 0)
        return 1;
    event_base_dispatch(w.base);
    return 1; /* the loop only ends when something broke */
}

/* A copy of fd at 5 or above (so the moves to 3 and 4 cannot overwrite it), close-on-exec. */
static int above_std(int fd)
{
    int moved = fcntl(fd, F_DUPFD_CLOEXEC, STREAMER_UP_FD + 1);
    close(fd);
    return moved;
}

int streamer_start(struct streamer *out)
{
    int down[2] = {-1, -1}, up[2] = {-1, -1};
    posix_spawn_file_actions_t actions;
    bool ready = posix_spawn_file_actions_init(&actions) == 0;
    if (ready && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, down) == 0 &&
        socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, up) == 0 &&
        (down[1] = above_std(down[1])) >= 0 && (up[1] = above_std(up[1])) >= 0 &&
        posix_spawn_file_actions_adddup2(&actions, down[1], STREAMER_DOWN_FD) == 0 &&
        posix_spawn_file_actions_adddup2(&actions, up[1], STREAMER_UP_FD) == 0 &&
        posix_spawn_file_actions_addclosefrom_np(&actions, STREAMER_UP_FD + 1) == 0) {
        char *argv[] = {"jiangxing", "stream-worker", NULL};
        pid_t pid;
        int err = posix_spawn(&pid, "/proc/self/exe", &actions, NULL, argv, environ);
        if (err == 0) {
            posix_spawn_file_actions_destroy(&actions);
            close(down[1]);
            close(up[1]);
            *out = (struct streamer){pid, down[0], up[0]};
            return 0;
        }
        errno = err;
    }
    fprintf(stderr, "jiangxing: cannot start a stream worker: %s\n", strerror(errno));
    if (ready) posix_spawn_file_actions_destroy(&actions);
    for (int i = 0; i < 2; i++) {
        if (down[i] >= 0) close(down[i]);
        if (up[i] >= 0) close(up[i]);
    }
    return -1;
}
