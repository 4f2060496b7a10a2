/* The hub keeps, per competition, its clients and a ring of recent frames. A frame is one
 * reference-counted buffer; each client's connection holds references, never copies. A
 * client still over the backlog cap when the once-a-second sweep looks (after the loop has
 * had its chance to write) is dropped; its EventSource reconnects and resumes. */
#include "live/hub.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/http_struct.h> /* req->chunked: frames are written in its framing */
#include <event2/keyvalq_struct.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "store/store.h"

#define RING 4096                   /* frames kept per competition for resuming */
#define MAX_BACKLOG (512u << 10)    /* unsent bytes a client may keep past a sweep */
#define HARD_BACKLOG (8 * MAX_BACKLOG) /* dropped at once: a burst this big is not catching up */
#define SWEEP_MS 1000               /* how often lagging clients are looked for */
#define HEARTBEAT_SECONDS 15        /* below evhttp's idle timeout */
#define SNAPSHOT_MAX_AGE_MS 2000    /* spectator counts in a cached snapshot may lag this */
#define MAX_INPUT 4096              /* bytes a stream's client may send after its request */
#define WATCH_GRACE_MS 60000       /* deltas are built this long after the last client left */

/* A frame as sent: the SSE text, inside its HTTP/1.1 chunk ("%zx\r\n" text "\r\n"). */
struct frame {
    int refs;
    bool reset;  /* a marker in the ring: resuming across it needs a snapshot */
    int64_t seq; /* -1: no id */
    char *text;  /* the SSE text, len bytes, within chunk */
    size_t len, chunk_len;
    char chunk[];
};

struct client {
    struct hub *hub;
    struct channel *channel;
    struct evhttp_request *req;
    struct evhttp_connection *conn;
    bool is_public;
    int64_t seen; /* frames up to this sequence are already in what it was sent */
    struct client *prev, *next;
};

/* One competition's clients and recent frames. */
struct channel {
    char *competition;
    struct client *clients;
    struct frame *ring[RING];
    int ring_first, ring_count;
    int64_t resumable_from; /* a client that saw this sequence can resume from the ring */
    struct frame *snapshot;
    int64_t snapshot_ms;
    int64_t left_ms;        /* when its last client left */
};

struct hub {
    struct hub_source source;
    struct event *heartbeat, *sweep;
    struct evbuffer *scratch;
    struct channel **channels;
    int n_channels;
    size_t n_clients, dropped, frames;
};

static void frame_unref(struct frame *f)
{
    if (f && --f->refs == 0) free(f);
}

static void frame_cleanup(const void *data, size_t len, void *arg) { frame_unref(arg); }

static struct frame *frame_new(int64_t seq, const char *name, const char *data)
{
    char head[96];
    int head_len = seq >= 0 ? snprintf(head, sizeof head, "id: %lld\nevent: %s\ndata: ",
                                       (long long)seq, name)
                            : snprintf(head, sizeof head, "event: %s\ndata: ", name);
    size_t data_len = strlen(data), len = (size_t)head_len + data_len + 2;
    char size[24];
    int size_len = snprintf(size, sizeof size, "%zx\r\n", len);
    struct frame *f = malloc(sizeof *f + (size_t)size_len + len + 3);
    if (!f) return NULL;
    f->refs = 1;
    f->reset = false;
    f->seq = seq;
    f->text = f->chunk + size_len;
    f->len = len;
    f->chunk_len = (size_t)size_len + len + 2;
    memcpy(f->chunk, size, (size_t)size_len);
    memcpy(f->text, head, (size_t)head_len);
    memcpy(f->text + head_len, data, data_len);
    memcpy(f->text + head_len + data_len, "\n\n\r\n", 5);
    return f;
}

static size_t backlog(const struct client *cl)
{
    return evbuffer_get_length(bufferevent_get_output(evhttp_connection_get_bufferevent(cl->conn)));
}

static size_t input(const struct client *cl)
{
    return evbuffer_get_length(bufferevent_get_input(evhttp_connection_get_bufferevent(cl->conn)));
}

static void unlink_client(struct client *cl)
{
    struct channel *ch = cl->channel;
    if (cl->prev) cl->prev->next = cl->next;
    else ch->clients = cl->next;
    if (cl->next) cl->next->prev = cl->prev;
    if (!ch->clients) ch->left_ms = now_ms();
}

/* Closes a client's connection (which frees its request) without waiting for it. */
static void drop(struct hub *h, struct client *cl)
{
    unlink_client(cl);
    h->n_clients--;
    h->dropped++;
    evhttp_connection_set_closecb(cl->conn, NULL, NULL);
    evhttp_connection_free(cl->conn);
    free(cl);
}

/* Ends a client's stream politely: the chunked reply is finished. */
static void finish(struct hub *h, struct client *cl)
{
    unlink_client(cl);
    h->n_clients--;
    evhttp_connection_set_closecb(cl->conn, NULL, NULL);
    evhttp_send_reply_end(cl->req);
    free(cl);
}

/* The client went away: the request is detached from its connection but not freed. */
static void on_close(struct evhttp_connection *conn, void *arg)
{
    struct client *cl = arg;
    unlink_client(cl);
    cl->hub->n_clients--;
    struct evhttp_request *req = cl->req;
    free(cl);
    if (evhttp_request_get_connection(req) == NULL) evhttp_send_reply_end(req);
}

/* Sends a frame to a client: straight to its socket when nothing is queued before it (no
 * event re-arming for the common case), the rest queued by reference for the loop to write.
 * The bytes are what evhttp_send_reply_chunk would queue. False when the client was dropped. */
static bool send_frame(struct hub *h, struct client *cl, struct frame *f)
{
    if (f->reset || (f->seq >= 0 && f->seq <= cl->seen)) return true;
    struct bufferevent *bev = evhttp_connection_get_bufferevent(cl->conn);
    struct evbuffer *out = bufferevent_get_output(bev);
    size_t queued = evbuffer_get_length(out);
    if (queued > HARD_BACKLOG) { /* a burst of commits queues at once: the sweep judges */
        drop(h, cl);
        return false;
    }
    const char *bytes = cl->req->chunked ? f->chunk : f->text;
    size_t len = cl->req->chunked ? f->chunk_len : f->len, sent = 0;
    if (queued == 0) { /* an error is left for the loop's own write to report */
        ssize_t n = send(bufferevent_getfd(bev), bytes, len, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n > 0) sent = (size_t)n;
    }
    if (sent < len) {
        f->refs++;
        if (evbuffer_add_reference(out, bytes + sent, len - sent, frame_cleanup, f) != 0) {
            f->refs--;
            drop(h, cl);
            return false;
        }
    }
    if (f->seq >= 0) cl->seen = f->seq;
    h->frames++;
    return true;
}

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
    if (!ch || !grown || !(ch->competition = strdup(competition))) {
        free(ch);
        return NULL;
    }
    ch->resumable_from = h->source.last_seq(h->source.arg, competition);
    h->channels[h->n_channels++] = ch;
    return ch;
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

/* Sends f to every client of the channel; public ones end after it when asked. */
static void broadcast(struct hub *h, struct channel *ch, struct frame *f, bool end_public)
{
    struct client *cl = ch->clients;
    while (cl) {
        struct client *next = cl->next;
        if (send_frame(h, cl, f) && end_public && cl->is_public) finish(h, cl);
        cl = next;
    }
}

void hub_publish(struct hub *h, const char *competition, int64_t seq, const char *name,
                 const char *data, bool end_public)
{
    struct channel *ch = channel_of(h, competition);
    struct frame *f = ch ? frame_new(seq, name, data) : NULL;
    if (!f) return; /* out of memory: clients resync from the next snapshot */
    ring_push(ch, f);
    broadcast(h, ch, f, end_public);
    frame_unref(f);
}

void hub_announce(struct hub *h, const char *competition, const char *name, const char *data)
{
    struct channel *ch = channel_of(h, competition);
    if (ch && ch->snapshot) { /* spectator data or settings changed: the next one is fresh */
        frame_unref(ch->snapshot);
        ch->snapshot = NULL;
    }
    struct frame *f = ch && ch->clients ? frame_new(-1, name, data) : NULL;
    if (!f) return;
    broadcast(h, ch, f, false);
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
    return ch && (ch->clients || now_ms() - ch->left_ms < WATCH_GRACE_MS);
}

void hub_reset(struct hub *h, const char *competition, int64_t seq)
{
    struct channel *ch = channel_of(h, competition);
    struct frame *marker = ch ? frame_new(seq, "reset", "{}") : NULL;
    if (!marker) return;
    marker->reset = true;
    ring_push(ch, marker);
    frame_unref(marker);
    struct frame *f = ch->clients ? snapshot(h, ch) : NULL;
    if (f) broadcast(h, ch, f, false);
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
    return missed <= MAX_BACKLOG / 2;
}

static const char hello[] = "retry: 2000\n\n";

void hub_attach(struct hub *h, struct evhttp_request *req, const char *competition,
                int64_t last_id, bool is_public)
{
    struct channel *ch = channel_of(h, competition);
    struct client *cl = ch ? calloc(1, sizeof *cl) : NULL;
    if (!cl) {
        evhttp_send_error(req, 503, "out of memory");
        return;
    }
    struct evkeyvalq *headers = evhttp_request_get_output_headers(req);
    evhttp_add_header(headers, "Content-Type", "text/event-stream; charset=utf-8");
    evhttp_add_header(headers, "Cache-Control", "no-store");
    evhttp_add_header(headers, "X-Accel-Buffering", "no");
    evhttp_add_header(headers, "X-Content-Type-Options", "nosniff");
    evhttp_send_reply_start(req, 200, "OK");
    evhttp_clear_headers(evhttp_request_get_input_headers(req)); /* not needed any more */
    *cl = (struct client){h, ch, req, evhttp_request_get_connection(req), is_public, -1, NULL,
                          ch->clients};
    if (ch->clients) ch->clients->prev = cl;
    ch->clients = cl;
    h->n_clients++;
    evhttp_connection_set_closecb(cl->conn, on_close, cl);
    /* A stream's client has nothing more to say: stop reading past a little, so a client
     * writing into its stream cannot make us hold its bytes (dropped at the heartbeat). */
    struct bufferevent *bev = evhttp_connection_get_bufferevent(cl->conn);
    bufferevent_setwatermark(bev, EV_READ, 0, MAX_INPUT);
    /* Frames are small and must leave at once: no waiting for the previous one's ACK. */
    int on = 1;
    setsockopt(bufferevent_getfd(bev), IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    evbuffer_add_reference(h->scratch, hello, sizeof hello - 1, NULL, NULL);
    evhttp_send_reply_chunk(req, h->scratch);
    if (resumable(h, ch, last_id)) {
        cl->seen = last_id;
        for (int i = 0; i < ch->ring_count; i++)
            if (!send_frame(h, cl, ch->ring[(ch->ring_first + i) % RING])) return;
        return;
    }
    struct frame *f = snapshot(h, ch);
    if (!f) finish(h, cl); /* out of memory: end politely; the browser retries */
    else send_frame(h, cl, f);
}

/* Clients still over the backlog after the loop has had its chance to write are too slow. */
static void on_sweep(evutil_socket_t fd, short what, void *arg)
{
    struct hub *h = arg;
    for (int i = 0; i < h->n_channels; i++) {
        struct client *cl = h->channels[i]->clients;
        while (cl) {
            struct client *next = cl->next;
            if (backlog(cl) > MAX_BACKLOG || input(cl) >= MAX_INPUT) drop(h, cl);
            cl = next;
        }
    }
}

static const char beat[] = ":\n\n";

static void on_heartbeat(evutil_socket_t fd, short what, void *arg)
{
    struct hub *h = arg;
    for (int i = 0; i < h->n_channels; i++) {
        struct client *cl = h->channels[i]->clients;
        while (cl) {
            struct client *next = cl->next;
            evbuffer_add_reference(h->scratch, beat, sizeof beat - 1, NULL, NULL);
            evhttp_send_reply_chunk(cl->req, h->scratch);
            cl = next;
        }
    }
}

struct hub *hub_new(struct event_base *base, struct hub_source source)
{
    struct hub *h = calloc(1, sizeof *h);
    if (!h) return NULL;
    h->source = source;
    h->scratch = evbuffer_new();
    h->heartbeat = event_new(base, -1, EV_PERSIST, on_heartbeat, h);
    h->sweep = event_new(base, -1, EV_PERSIST, on_sweep, h);
    struct timeval every = {HEARTBEAT_SECONDS, 0}, sweep = {0, SWEEP_MS * 1000};
    if (!h->scratch || !h->heartbeat || !h->sweep || event_add(h->heartbeat, &every) != 0 ||
        event_add(h->sweep, &sweep) != 0) {
        hub_free(h);
        return NULL;
    }
    return h;
}

void hub_free(struct hub *h)
{
    if (!h) return;
    for (int i = 0; i < h->n_channels; i++) {
        struct channel *ch = h->channels[i];
        while (ch->clients) drop(h, ch->clients);
        for (int k = 0; k < ch->ring_count; k++) frame_unref(ch->ring[(ch->ring_first + k) % RING]);
        frame_unref(ch->snapshot);
        free(ch->competition);
        free(ch);
    }
    free(h->channels);
    if (h->heartbeat) event_free(h->heartbeat);
    if (h->sweep) event_free(h->sweep);
    if (h->scratch) evbuffer_free(h->scratch);
    free(h);
}

struct hub_stats hub_stats(const struct hub *h)
{
    return (struct hub_stats){h->n_clients, h->dropped, h->frames};
}
