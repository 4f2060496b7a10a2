/* The stream workers' messages on the wire: a fixed header, the competition id, the payload;
 * a passed socket rides on the first byte of its message (SCM_RIGHTS), so it arrives no later
 * than the message that names it, and in the same order. */
#include "live/wire.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>
#include <event2/buffer.h>

#define OUT_MAX (64u << 20)       /* a peer this far behind is stuck */
#define MESSAGE_MAX (256u << 20)  /* larger than any snapshot we send */
#define READ_BURST 16             /* reads per wake-up before the loop serves others */
#define FDS_PER_READ 64

struct wire_head {
    uint32_t len; /* competition + payload */
    uint8_t type, flags;
    uint16_t competition_len;
    int64_t seq;
};

struct out_msg {
    struct out_msg *next;
    size_t head_len, total, sent;
    int fd;
    struct frame *frame; /* owns the payload, or NULL when it follows the head */
    const char *payload;
    char head[];         /* struct wire_head, the competition, maybe the payload */
};

struct wire_out {
    int fd;
    struct event *writable, *failed_event;
    struct out_msg *first, *last;
    size_t queued;
    bool failed;
    void (*on_fail)(void *);
    void *arg;
};

static void msg_free(struct out_msg *m)
{
    if (m->fd >= 0) close(m->fd);
    frame_unref(m->frame);
    free(m);
}

static void drop_queue(struct wire_out *w)
{
    while (w->first) {
        struct out_msg *m = w->first;
        w->first = m->next;
        msg_free(m);
    }
    w->last = NULL;
    w->queued = 0;
}

/* The owner hears of a failure from the loop, never from inside one of its own calls. */
static void fail(struct wire_out *w)
{
    if (w->failed) return;
    w->failed = true;
    drop_queue(w);
    event_del(w->writable);
    event_active(w->failed_event, EV_TIMEOUT, 1);
}

static void flush(struct wire_out *w)
{
    while (w->first) {
        struct out_msg *m = w->first;
        struct iovec iov[2];
        int n_iov = 0;
        if (m->sent < m->head_len)
            iov[n_iov++] = (struct iovec){m->head + m->sent, m->head_len - m->sent};
        size_t done = m->sent > m->head_len ? m->sent - m->head_len : 0;
        size_t payload_len = m->total - m->head_len;
        if (payload_len > done)
            iov[n_iov++] = (struct iovec){(char *)m->payload + done, payload_len - done};
        struct msghdr mh = {.msg_iov = iov, .msg_iovlen = (size_t)n_iov};
        union {
            char bytes[CMSG_SPACE(sizeof(int))];
            struct cmsghdr align;
        } control;
        if (m->fd >= 0) {
            mh.msg_control = control.bytes;
            mh.msg_controllen = sizeof control.bytes;
            struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
            c->cmsg_level = SOL_SOCKET;
            c->cmsg_type = SCM_RIGHTS;
            c->cmsg_len = CMSG_LEN(sizeof(int));
            memcpy(CMSG_DATA(c), &m->fd, sizeof(int));
        }
        ssize_t n = sendmsg(w->fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) event_add(w->writable, NULL);
            else fail(w);
            return;
        }
        if (m->fd >= 0) { /* it went with the first byte: the peer has its own now */
            close(m->fd);
            m->fd = -1;
        }
        m->sent += (size_t)n;
        w->queued -= (size_t)n;
        if (m->sent < m->total) continue;
        w->first = m->next;
        if (!w->first) w->last = NULL;
        msg_free(m);
    }
}

static void on_writable(evutil_socket_t fd, short what, void *arg) { flush(arg); }

static void on_failed(evutil_socket_t fd, short what, void *arg)
{
    struct wire_out *w = arg;
    w->on_fail(w->arg);
}

struct wire_out *wire_out_new(struct event_base *base, int fd, void (*on_fail)(void *), void *arg)
{
    struct wire_out *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    *w = (struct wire_out){.fd = fd, .on_fail = on_fail, .arg = arg};
    w->writable = event_new(base, fd, EV_WRITE, on_writable, w);
    w->failed_event = event_new(base, -1, 0, on_failed, w);
    if (!w->writable || !w->failed_event) {
        w->fd = -1;
        wire_out_free(w);
        return NULL;
    }
    return w;
}

void wire_out_free(struct wire_out *w)
{
    if (!w) return;
    drop_queue(w);
    if (w->writable) event_free(w->writable);
    if (w->failed_event) event_free(w->failed_event);
    if (w->fd >= 0) close(w->fd);
    free(w);
}

/* Queues a message; copies head, competition and (when frame is NULL) the payload. */
static bool enqueue(struct wire_out *w, enum wire_type type, unsigned flags, const char *competition,
                    int64_t seq, const struct frame *frame, const void *payload, size_t len, int fd)
{
    if (!w->failed && w->queued > OUT_MAX) fail(w);
    size_t competition_len = strlen(competition);
    size_t head_len = sizeof(struct wire_head) + competition_len;
    struct out_msg *m = NULL;
    bool fits = competition_len <= 255 && len <= MESSAGE_MAX - competition_len;
    if (!w->failed && fits) {
        m = malloc(sizeof *m + head_len + (frame ? 0 : len));
        if (!m) fail(w); /* a lost message would leave the peer wrong: start over */
    }
    if (!m) {
        if (fd >= 0) close(fd);
        return false;
    }
    *m = (struct out_msg){NULL, head_len, head_len + len, 0, fd, (struct frame *)frame,
                          frame ? frame->text : m->head + head_len};
    struct wire_head head = {(uint32_t)(competition_len + len), (uint8_t)type, (uint8_t)flags,
                             (uint16_t)competition_len, seq};
    memcpy(m->head, &head, sizeof head);
    memcpy(m->head + sizeof head, competition, competition_len);
    if (frame) m->frame->refs++;
    else if (len) memcpy(m->head + head_len, payload, len);
    bool idle = w->first == NULL;
    if (w->last) w->last->next = m;
    else w->first = m;
    w->last = m;
    w->queued += m->total;
    if (idle) flush(w);
    return true;
}

size_t wire_out_queued(const struct wire_out *w) { return w->queued; }

bool wire_send_frame(struct wire_out *w, const char *competition, const struct frame *f,
                     unsigned flags)
{
    return enqueue(w, WIRE_FRAME, flags, competition, f->seq, f, NULL, f->len, -1);
}

bool wire_send_attach(struct wire_out *w, const char *competition, int64_t seen, unsigned flags,
                      const void *bytes, size_t len, int fd)
{
    return enqueue(w, WIRE_ATTACH, flags, competition, seen, NULL, bytes, len, fd);
}

bool wire_send_left(struct wire_out *w, const char *competition)
{
    return enqueue(w, WIRE_LEFT, 0, competition, -1, NULL, NULL, 0, -1);
}

bool wire_send_snapshot(struct wire_out *w, const char *competition, const struct frame *f)
{
    return enqueue(w, WIRE_SNAPSHOT, 0, competition, f->seq, f, NULL, f->len, -1);
}

struct wire_in {
    int fd;
    struct event *readable;
    struct evbuffer *buf;
    int *fds; /* received sockets not yet claimed by their message, oldest first */
    size_t fds_first, fds_count, fds_cap;
    void (*on_message)(const struct wire_message *m, void *arg);
    void (*on_end)(void *arg);
    void *arg;
};

static bool push_fd(struct wire_in *r, int fd)
{
    if (r->fds_first + r->fds_count == r->fds_cap) {
        if (r->fds_count) memmove(r->fds, r->fds + r->fds_first, r->fds_count * sizeof *r->fds);
        r->fds_first = 0;
        if (r->fds_count == r->fds_cap) {
            size_t cap = r->fds_cap ? 2 * r->fds_cap : 16;
            int *grown = realloc(r->fds, cap * sizeof *grown);
            if (!grown) return false;
            r->fds = grown;
            r->fds_cap = cap;
        }
    }
    r->fds[r->fds_first + r->fds_count++] = fd;
    return true;
}

/* Takes in the sockets a read brought. A socket the kernel could not give us (out of
 * descriptors: MSG_CTRUNC) is queued as -1, so its message still finds its place: a read
 * brings at most one message's socket, as each is sent with its own first byte. False
 * (all closed) when out of memory. */
static bool take_fds(struct wire_in *r, struct msghdr *mh)
{
    bool ok = true;
    size_t got = 0;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
        size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t i = 0; i < n; i++, got++) {
            int fd;
            memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
            if (!ok || !push_fd(r, fd)) {
                close(fd);
                ok = false;
            }
        }
    }
    if (ok && (mh->msg_flags & MSG_CTRUNC) && got == 0) ok = push_fd(r, -1);
    return ok;
}

/* Delivers every whole message buffered; false when the stream breaks the protocol. */
static bool deliver(struct wire_in *r)
{
    struct wire_head head;
    while (evbuffer_get_length(r->buf) >= sizeof head) {
        evbuffer_copyout(r->buf, &head, sizeof head);
        if (head.len > MESSAGE_MAX || head.competition_len > head.len || head.competition_len > 255 ||
            head.type < WIRE_FRAME || head.type > WIRE_SNAPSHOT)
            return false;
        size_t total = sizeof head + head.len;
        if (evbuffer_get_length(r->buf) < total) return true;
        const char *bytes = (const char *)evbuffer_pullup(r->buf, (ev_ssize_t)total);
        if (!bytes || memchr(bytes + sizeof head, '\0', head.competition_len)) return false;
        char competition[256];
        memcpy(competition, bytes + sizeof head, head.competition_len);
        competition[head.competition_len] = '\0';
        struct wire_message m = {head.type, head.flags, head.seq, competition,
                                 bytes + sizeof head + head.competition_len,
                                 head.len - head.competition_len, -1};
        if (m.type == WIRE_ATTACH) {
            if (r->fds_count == 0) return false;
            m.fd = r->fds[r->fds_first++];
            r->fds_count--;
        }
        r->on_message(&m, r->arg);
        evbuffer_drain(r->buf, total);
    }
    return true;
}

static void on_readable(evutil_socket_t fd, short what, void *arg)
{
    struct wire_in *r = arg;
    static char data[64 * 1024];
    for (int burst = 0; burst < READ_BURST; burst++) {
        union {
            char bytes[CMSG_SPACE(FDS_PER_READ * sizeof(int))];
            struct cmsghdr align;
        } control;
        struct iovec iov = {data, sizeof data};
        struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.bytes,
                            .msg_controllen = sizeof control.bytes};
        ssize_t n = recvmsg(r->fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
        bool ok = n > 0 && take_fds(r, &mh) && evbuffer_add(r->buf, data, (size_t)n) == 0 &&
                  deliver(r);
        if (!ok) {
            if (n != 0) fprintf(stderr, "jiangxing: stream workers: broken message stream\n");
            event_del(r->readable);
            r->on_end(r->arg);
            return;
        }
    }
}

struct wire_in *wire_in_new(struct event_base *base, int fd,
                            void (*on_message)(const struct wire_message *m, void *arg),
                            void (*on_end)(void *arg), void *arg)
{
    struct wire_in *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    *r = (struct wire_in){.fd = fd, .on_message = on_message, .on_end = on_end, .arg = arg};
    r->buf = evbuffer_new();
    r->readable = event_new(base, fd, EV_READ | EV_PERSIST, on_readable, r);
    if (!r->buf || !r->readable || event_add(r->readable, NULL) != 0) {
        r->fd = -1;
        wire_in_free(r);
        return NULL;
    }
    return r;
}

void wire_in_free(struct wire_in *r)
{
    if (!r) return;
    for (size_t i = 0; i < r->fds_count; i++)
        if (r->fds[r->fds_first + i] >= 0) close(r->fds[r->fds_first + i]);
    free(r->fds);
    if (r->readable) event_free(r->readable);
    if (r->buf) evbuffer_free(r->buf);
    if (r->fd >= 0) close(r->fd);
    free(r);
}
