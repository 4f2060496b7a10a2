/* A stream worker's life: it receives streams (their sockets) and frames from the server,
 * writes each frame to every stream of its competition, sends heartbeats, drops streams that
 * fall too far behind, and exits when the server's end closes. */
#include "live/streamer.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>

#include "live/wire.h"

#define HARD_BACKLOG (8 * STREAM_MAX_BACKLOG) /* dropped at once: a burst this big is not catching up */
#define SWEEP_MS 1000               /* how often lagging streams are looked for */
#define HEARTBEAT_SECONDS 15        /* below the idle timeouts of proxies and browsers */
#define WRITE_TIMEOUT_SECONDS 60    /* a stream whose bytes wait this long is dead */
#define MAX_INPUT 4096              /* bytes a stream's client may send after its request */

struct client {
    struct worker *w;
    struct channel *ch; /* NULL once finished: its last bytes are being written */
    struct bufferevent *bev;
    bool is_public, chunked;
    int64_t seen; /* frames up to this sequence are already in what it was sent */
    size_t input;
    struct client *prev, *next;
};

struct channel {
    char *competition;
    struct client *clients;
};

struct worker {
    struct event_base *base;
    struct wire_in *in;
    struct wire_out *up;
    struct channel **channels;
    int n_channels;
};

static size_t backlog(const struct client *cl)
{
    return evbuffer_get_length(bufferevent_get_output(cl->bev));
}

static void unlink_client(struct client *cl)
{
    struct channel *ch = cl->ch;
    if (!ch) return;
    if (cl->prev) cl->prev->next = cl->next;
    else ch->clients = cl->next;
    if (cl->next) cl->next->prev = cl->prev;
    cl->ch = NULL;
    wire_send_left(cl->w->up, ch->competition);
}

static void drop(struct client *cl)
{
    unlink_client(cl);
    bufferevent_free(cl->bev);
    free(cl);
}

/* Writes bytes after what is queued: straight to the socket when nothing is (no event
 * re-arming in the common case), the rest queued by reference to the frame, or copied. */
static bool client_write(struct client *cl, const char *bytes, size_t len, struct frame *f)
{
    struct evbuffer *out = bufferevent_get_output(cl->bev);
    size_t queued = evbuffer_get_length(out), sent = 0;
    if (queued > HARD_BACKLOG) {
        drop(cl);
        return false;
    }
    if (queued == 0) { /* an error is left for the bufferevent's own write to report */
        ssize_t n = send(bufferevent_getfd(cl->bev), bytes, len, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n > 0) sent = (size_t)n;
    }
    if (sent == len) return true;
    int rc;
    if (f) {
        f->refs++;
        rc = evbuffer_add_reference(out, bytes + sent, len - sent, frame_cleanup, f);
        if (rc != 0) f->refs--;
    } else {
        rc = evbuffer_add(out, bytes + sent, len - sent);
    }
    if (rc != 0) drop(cl);
    return rc == 0;
}

/* False when the client was dropped. */
static bool send_frame(struct client *cl, struct frame *f)
{
    if (f->seq >= 0 && f->seq <= cl->seen) return true;
    size_t len;
    const char *bytes = frame_bytes(f, cl->chunked, &len);
    if (!client_write(cl, bytes, len, f)) return false;
    if (f->seq >= 0) cl->seen = f->seq;
    return true;
}

/* Ends a stream politely: the last chunk, then the connection closes once it is written. */
static void finish(struct client *cl)
{
    unlink_client(cl);
    if (cl->chunked && !client_write(cl, "0\r\n\r\n", 5, NULL)) return;
    if (backlog(cl) == 0) drop(cl);
    /* else on_written closes it */
}

static void on_written(struct bufferevent *bev, void *arg)
{
    struct client *cl = arg;
    if (!cl->ch) drop(cl);
}

/* A stream's client has nothing more to say: what it sends is counted and thrown away. */
static void on_input(struct bufferevent *bev, void *arg)
{
    struct client *cl = arg;
    struct evbuffer *in = bufferevent_get_input(bev);
    cl->input += evbuffer_get_length(in);
    evbuffer_drain(in, evbuffer_get_length(in));
    if (cl->input > MAX_INPUT) drop(cl);
}

static void on_event(struct bufferevent *bev, short what, void *arg)
{
    if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR | BEV_EVENT_TIMEOUT)) drop(arg);
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
    struct channel *ch = channel_of(w, m->competition);
    struct client *cl = ch ? calloc(1, sizeof *cl) : NULL;
    struct bufferevent *bev = cl ? bufferevent_socket_new(w->base, m->fd, BEV_OPT_CLOSE_ON_FREE) : NULL;
    if (!bev) { /* out of memory: the viewer's browser retries; the server's count stays right */
        close(m->fd);
        free(cl);
        wire_send_left(w->up, m->competition);
        return;
    }
    *cl = (struct client){w, ch, bev, m->flags & WIRE_PUBLIC, m->flags & WIRE_CHUNKED, m->seq, 0,
                          NULL, ch->clients};
    if (ch->clients) ch->clients->prev = cl;
    ch->clients = cl;
    int on = 1; /* frames are small and must leave at once: no waiting for the last one's ACK */
    setsockopt(m->fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    struct timeval write_timeout = {WRITE_TIMEOUT_SECONDS, 0};
    bufferevent_set_timeouts(bev, NULL, &write_timeout);
    bufferevent_setcb(bev, on_input, on_written, on_event, cl);
    bufferevent_enable(bev, EV_READ | EV_WRITE);
    client_write(cl, m->payload, m->len, NULL);
}

static void broadcast(struct channel *ch, struct frame *f, bool end_public)
{
    struct client *cl = ch->clients;
    while (cl) {
        struct client *next = cl->next;
        if (send_frame(cl, f) && end_public && cl->is_public) finish(cl);
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
    struct channel *ch = m->type == WIRE_FRAME ? find_channel(w, m->competition) : NULL;
    struct frame *f = ch && ch->clients ? frame_of_text(m->seq, m->payload, m->len) : NULL;
    if (!f) return; /* out of memory: clients resync from their next snapshot */
    broadcast(ch, f, m->flags & WIRE_END_PUBLIC);
    frame_unref(f);
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

/* Streams still over the backlog after the loop has had its chance to write are too slow. */
static void sweep_one(struct client *cl)
{
    if (backlog(cl) > STREAM_MAX_BACKLOG) drop(cl);
}

static void on_sweep(evutil_socket_t fd, short what, void *arg) { each_client(arg, sweep_one); }

static void beat_one(struct client *cl)
{
    if (cl->chunked) client_write(cl, "3\r\n:\n\n\r\n", 8, NULL);
    else client_write(cl, ":\n\n", 3, NULL);
}

static void on_heartbeat(evutil_socket_t fd, short what, void *arg) { each_client(arg, beat_one); }

static int run(int down, int up)
{
    signal(SIGINT, SIG_IGN); /* a terminal's ^C stops the server, which then stops us */
    prctl(PR_SET_NAME, "jx-stream");
    struct worker w = {0};
    w.base = event_base_new();
    if (!w.base) return 1;
    w.up = wire_out_new(w.base, up, on_server_gone, &w);
    w.in = wire_in_new(w.base, down, on_message, on_server_gone, &w);
    struct event *heartbeat = event_new(w.base, -1, EV_PERSIST, on_heartbeat, &w);
    struct event *sweep = event_new(w.base, -1, EV_PERSIST, on_sweep, &w);
    struct timeval every = {HEARTBEAT_SECONDS, 0}, sweep_every = {0, SWEEP_MS * 1000};
    if (!w.up || !w.in || !heartbeat || !sweep || event_add(heartbeat, &every) != 0 ||
        event_add(sweep, &sweep_every) != 0)
        return 1;
    event_base_dispatch(w.base);
    return 1; /* the loop only ends when something broke */
}

/* Closes every descriptor from 3 up except keep_a and keep_b. */
static void close_others(int keep_a, int keep_b)
{
    int lo = keep_a < keep_b ? keep_a : keep_b, hi = keep_a < keep_b ? keep_b : keep_a;
    if (lo > 3) close_range(3, (unsigned)lo - 1, 0);
    if (hi > lo + 1) close_range((unsigned)lo + 1, (unsigned)hi - 1, 0);
    close_range((unsigned)hi + 1, ~0u, 0);
}

int streamer_spawn(int n, struct streamer *out)
{
    fflush(NULL); /* a child must not write the parent's buffered output again */
    int started = 0;
    for (int i = 0; i < n; i++) {
        int down[2], up[2];
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, down) != 0) break;
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, up) != 0) {
            close(down[0]);
            close(down[1]);
            break;
        }
        pid_t pid = fork();
        if (pid == 0) {
            close_others(down[1], up[1]);
            _exit(run(down[1], up[1]));
        }
        close(down[1]);
        close(up[1]);
        if (pid < 0) {
            close(down[0]);
            close(up[0]);
            break;
        }
        out[started++] = (struct streamer){pid, down[0], up[0]};
    }
    if (started == 0) fprintf(stderr, "jiangxing: cannot start stream workers: %s\n", strerror(errno));
    return started ? started : -1;
}
