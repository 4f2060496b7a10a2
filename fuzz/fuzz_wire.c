/* Harness: wire. The message stream between the server and its stream workers
 * (src/live/wire.c): a fixed head (u32 length of competition + payload, u8 type, u8 flags,
 * u16 competition length, i64 seq; native byte order), the competition id, the payload, and
 * sockets passed with SCM_RIGHTS on the first byte of their message. Each input runs on a
 * fresh event_base and socketpair(AF_UNIX, SOCK_STREAM).
 *
 * The first byte picks the mode (its low two bits):
 *  - 0 or 3, raw: the rest (after three bytes that pick where to cut) is written as raw bytes
 *    to one end, wrapped on the other by wire_in_new, in pieces (random cuts, or a fixed chunk
 *    of 1-32 bytes), running the loop (EVLOOP_NONBLOCK) after each piece, so messages
 *    straddle reads; then the writing end is closed and the loop runs until on_end;
 *  - 1, raw with sockets (first 64 KiB): the same, and pieces also carry sockets (0, 1, 17 or
 *    65 memfds each, at most 200 in all; 65 is more than the receiver's control buffer takes,
 *    the kernel drops the last), and some pieces (bits 4-7 of the cut byte) are read while
 *    the process is out of descriptors (RLIMIT_NOFILE lowered to the lowest free one), so the
 *    kernel gives none (MSG_CTRUNC);
 *  - 2, both ends: wire_out_new on one end, wire_in_new on the other, and the rest is a
 *    script of up to 64 steps: frames and snapshots (frame_of_text, our reference kept or
 *    dropped at once), LEFT messages, ATTACH messages with a memfd of their own and a payload
 *    (freed as soon as wire_send_attach returns), competitions longer than 255 (refused),
 *    loop runs (one non-blocking pass, one while out of descriptors, or until everything
 *    sent is delivered), and closing the receiver mid-way; small payloads may be repeated up
 *    to 64 KiB and the sender's SO_SNDBUF made small, so that sendmsg sends part of a message
 *    and the queue waits for the socket.
 * Bit 2 of the first byte, in the raw modes: on_end frees the receiver from inside the
 * callback, as the hub does (else wire_in_free after the loop); in mode 2: on_fail frees the
 * sender from inside the callback, as the hub does. Bit 3, in mode 2: SO_SNDBUF 4096.
 *
 * Checked, with __builtin_trap() when broken (and ASan/UBSan throughout):
 *  - on_message only sees type FRAME, ATTACH, LEFT or SNAPSHOT, never after on_end; on_end
 *    is called exactly once, after the peer closed or the stream broke, and nothing after it;
 *  - raw modes: the messages delivered are, in order, exactly those of a reference reading
 *    of the bytes (head valid: type 1-4, competition length <= 255 and <= length, length <=
 *    256 MiB), up to the first that is incomplete, invalid or (with no socket waiting) an
 *    ATTACH: an ATTACH is never delivered without a socket, so mode 0 never sees one; each
 *    message's type, flags and seq are its head's, its competition holds the head's bytes and
 *    a NUL right after them, its payload (never NULL when len > 0) is byte for byte what the
 *    stream held there, and the messages re-encoded from their fields (head + competition +
 *    payload) are, concatenated, a prefix of the input; a competition is a C string of
 *    exactly the head's length (a NUL in its bytes ends the stream as broken);
 *  - mode 1: the receiver queues, in order, each piece's sockets (its first 64) or, for a
 *    piece read out of descriptors, one -1; the k-th ATTACH gets the k-th of these (the same
 *    inode, close-on-exec, or -1); other messages have fd -1; when the stream ends early at
 *    an ATTACH, no more had been queued before its end than ATTACHes delivered;
 *  - mode 2: the receiver gets exactly the messages sent (type, flags, seq, competition,
 *    payload bytes), in order, every ATTACH with the socket sent (same inode, close-on-exec),
 *    or -1 only when a pass out of descriptors came after it was sent; a send is refused
 *    exactly when the competition is over 255 bytes (while the receiver lives), and a refused
 *    ATTACH has closed its socket and a refused frame took no reference; frames kept by the
 *    harness are back to one reference once sent; wire_out_queued never exceeds the bytes
 *    sent and not yet delivered, and is 0 once all is delivered and after on_fail; on_fail
 *    never comes while the receiver lives, at most once after, and always once something was
 *    sent after the receiver closed; once it has come, every send is refused;
 *  - every mode: no descriptor leaks (/proc/self/fd counted before and after each input:
 *    sockets delivered and closed, undelivered ones closed by wire_in_free or the sender),
 *    and no memory leaks (LeakSanitizer). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#include <event2/event.h>
#include <sanitizer/asan_interface.h>

#include "fuzz.h"
#include "live/frame.h"
#include "live/wire.h"

/* Out of descriptors: the soft RLIMIT_NOFILE lowered to the lowest free descriptor, so that
 * the kernel cannot give the receiver the sockets it reads (MSG_CTRUNC, none received).
 * A broken invariant, an ASan report or a fatal signal in that window gives the limit back
 * first, or libFuzzer could not write the crash file (a UBSan report there still cannot:
 * libFuzzer then prints the input, in hex and Base64, when it is small). */
static struct rlimit saved_limit;
static bool starving;

static void give_back(void)
{
    if (starving) setrlimit(RLIMIT_NOFILE, &saved_limit);
    starving = false;
}

static void on_asan_report(const char *report) { give_back(); }

static const int fatal_signals[] = {SIGILL, SIGABRT, SIGFPE, SIGBUS, SIGSEGV, SIGTRAP};
static struct sigaction chained[sizeof fatal_signals / sizeof *fatal_signals];

static void on_fatal_signal(int sig, siginfo_t *info, void *context)
{
    give_back();
    for (size_t i = 0; i < sizeof fatal_signals / sizeof *fatal_signals; i++) {
        if (fatal_signals[i] != sig) continue;
        if (chained[i].sa_flags & SA_SIGINFO) {
            chained[i].sa_sigaction(sig, info, context);
        } else if (chained[i].sa_handler != SIG_DFL && chained[i].sa_handler != SIG_IGN) {
            chained[i].sa_handler(sig);
        } else {
            signal(sig, SIG_DFL);
            raise(sig);
        }
    }
}

/* In front of libFuzzer's (and ASan's) handlers, which are in place by the first input. */
static void install_give_back(void)
{
    for (size_t i = 0; i < sizeof fatal_signals / sizeof *fatal_signals; i++) {
        struct sigaction mine = {.sa_sigaction = on_fatal_signal};
        if (sigaction(fatal_signals[i], NULL, &chained[i]) != 0) abort();
        mine.sa_flags = SA_SIGINFO | (chained[i].sa_flags & SA_ONSTACK);
        sigemptyset(&mine.sa_mask);
        if (sigaction(fatal_signals[i], &mine, NULL) != 0) abort();
    }
}

#undef CHECK
#define CHECK(cond)                                                                        \
    do {                                                                                   \
        if (!(cond)) {                                                                     \
            give_back();                                                                   \
            fprintf(stderr, "\n==fuzz== invariant broken: %s (%s:%d)\n", #cond, __FILE__, \
                    __LINE__);                                                             \
            __builtin_trap();                                                              \
        }                                                                                  \
    } while (0)

#define HEAD 16                  /* the head's size on the wire */
#define MESSAGE_MAX (256u << 20) /* wire.c's limit on a message's length */
#define FDS_PER_READ 64          /* wire.c's control buffer: sockets per read */
#define WIRE_LAST WIRE_SNAPSHOT  /* the last type */
#define POOL 256                 /* distinct memfds to pass, made once */
#define RAW_FDS_MAX 200          /* sockets passed per raw input */
#define FD_INPUT_MAX (64u << 10) /* mode 1: bytes used, so that each piece is read at once */
#define STEPS_MAX 64
#define SENT_BYTES_MAX (1u << 20) /* payload bytes per input in mode 2 */

static int pool[POOL];
static ino_t pool_ino[POOL];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    for (int i = 0; i < POOL; i++) {
        pool[i] = memfd_create("fuzz-wire", MFD_CLOEXEC);
        CHECK(pool[i] >= 0);
        struct stat st;
        CHECK(fstat(pool[i], &st) == 0);
        pool_ino[i] = st.st_ino;
    }
    __asan_set_error_report_callback(on_asan_report);
    return 0;
}

FUZZ_CHECKER static int count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    CHECK(d);
    int n = 0;
    while (readdir(d)) n++;
    closedir(d);
    return n;
}

/* Which pool entry fd is (by inode), or -1. */
FUZZ_CHECKER static int pool_index(int fd)
{
    struct stat st;
    CHECK(fstat(fd, &st) == 0);
    for (int i = 0; i < POOL; i++)
        if (pool_ino[i] == st.st_ino) return i;
    return -1;
}

FUZZ_CHECKER static bool fd_closed(int fd) { return fcntl(fd, F_GETFD) == -1 && errno == EBADF; }

static void starve(void)
{
    int probe = dup(pool[0]);
    CHECK(probe >= 0);
    CHECK(close(probe) == 0);
    CHECK(getrlimit(RLIMIT_NOFILE, &saved_limit) == 0);
    struct rlimit low = saved_limit;
    low.rlim_cur = (rlim_t)probe;
    CHECK(setrlimit(RLIMIT_NOFILE, &low) == 0);
    starving = true;
}

static void unstarve(void)
{
    CHECK(starving);
    starving = false;
    CHECK(setrlimit(RLIMIT_NOFILE, &saved_limit) == 0);
}

/* The head, written independently of wire.c's struct. */
FUZZ_CHECKER static size_t encode(unsigned char *out, unsigned type, unsigned flags, int64_t seq,
                                  const char *competition, size_t competition_len,
                                  const char *payload, size_t len)
{
    uint32_t total = (uint32_t)(competition_len + len);
    uint8_t t = (uint8_t)type, f = (uint8_t)flags;
    uint16_t c = (uint16_t)competition_len;
    memcpy(out, &total, 4);
    memcpy(out + 4, &t, 1);
    memcpy(out + 5, &f, 1);
    memcpy(out + 6, &c, 2);
    memcpy(out + 8, &seq, 8);
    memcpy(out + HEAD, competition, competition_len);
    if (len) memcpy(out + HEAD + competition_len, payload, len);
    return HEAD + competition_len + len;
}

/* ---- the reference reading of a raw stream ------------------------------------------ */

struct expect {
    size_t at, end;
    uint32_t len;
    uint8_t type, flags;
    uint16_t competition_len;
    int64_t seq;
};

/* The whole, valid messages at the start of s (ATTACH included). */
FUZZ_CHECKER static size_t model(const uint8_t *s, size_t n, struct expect *out)
{
    size_t count = 0, at = 0;
    while (n - at >= HEAD) {
        struct expect e = {.at = at};
        memcpy(&e.len, s + at, 4);
        e.type = s[at + 4];
        e.flags = s[at + 5];
        memcpy(&e.competition_len, s + at + 6, 2);
        memcpy(&e.seq, s + at + 8, 8);
        if (e.len > MESSAGE_MAX || e.competition_len > e.len || e.competition_len > 255 ||
            e.type < WIRE_FRAME || e.type > WIRE_LAST)
            break;
        if (n - at - HEAD < e.len) break;
        if (memchr(s + at + HEAD, '\0', e.competition_len)) break; /* an id is a C string */
        e.end = at + HEAD + e.len;
        out[count++] = e;
        at = e.end;
    }
    return count;
}

/* ---- what the receiver saw ------------------------------------------------------------ */

struct sent {
    uint8_t type, flags;
    int64_t seq;
    char competition[320]; /* up to 313 bytes: over 255 is refused */
    char *payload;
    size_t len;
    int pool;        /* ATTACH: the pool entry passed */
    int starved;     /* ATTACH: starved loop runs before it was sent */
    size_t encoded;  /* its size on the wire */
};

struct run {
    int mode;
    struct event_base *base;
    struct wire_in *in;
    struct wire_out *out;
    bool free_in_on_end, free_out_on_fail;
    int ends, fails;
    size_t delivered, attaches;
    /* raw modes */
    const uint8_t *stream;
    const struct expect *model;
    size_t n_model, pos;
    const int *received; /* mode 1: the pool entry each socket queued at the receiver is, or -1 */
    size_t n_received;
    unsigned char *encoded; /* scratch for re-encoding one message */
    /* mode 2 */
    struct sent *sent;
    size_t n_sent, undelivered; /* bytes of the messages sent and not yet delivered */
    int starved;                /* loop runs while out of descriptors */
};

FUZZ_CHECKER static void check_attach_fd(struct run *r, const struct wire_message *m, int want)
{
    if (want < 0) { /* lost on the way: the receiver was out of descriptors */
        CHECK(m->fd == -1);
        return;
    }
    CHECK(m->fd >= 0);
    CHECK(fcntl(m->fd, F_GETFD) & FD_CLOEXEC);
    CHECK(pool_index(m->fd) == want);
    /* A received socket is a new descriptor, never one of the pool's own. */
    for (int i = 0; i < POOL; i++) CHECK(m->fd != pool[i]);
    CHECK(close(m->fd) == 0);
}

FUZZ_CHECKER static void on_message_raw(const struct wire_message *m, struct run *r)
{
    CHECK(r->delivered < r->n_model);
    const struct expect *e = &r->model[r->delivered];
    CHECK(m->type == e->type && m->flags == e->flags && m->seq == e->seq);
    CHECK(m->competition);
    CHECK(memcmp(m->competition, r->stream + e->at + HEAD, e->competition_len) == 0);
    CHECK(m->competition[e->competition_len] == '\0');
    CHECK(strlen(m->competition) == e->competition_len);
    CHECK(m->len == e->len - e->competition_len);
    CHECK(m->len == 0 || m->payload);
    if (m->len) CHECK(memcmp(m->payload, r->stream + e->at + HEAD + e->competition_len, m->len) == 0);
    /* Re-encoded from the fields, it is the next piece of the input. */
    size_t competition_len = e->competition_len;
    size_t n = encode(r->encoded, m->type, m->flags, m->seq, m->competition, competition_len,
                      m->payload, m->len);
    CHECK(r->pos + n == e->end);
    CHECK(memcmp(r->encoded, r->stream + r->pos, n) == 0);
    r->pos += n;
    if (m->type == WIRE_ATTACH) {
        CHECK(r->mode == 1); /* no socket passed in mode 0: never an ATTACH */
        CHECK(r->attaches < r->n_received);
        check_attach_fd(r, m, r->received[r->attaches]);
        r->attaches++;
    } else {
        CHECK(m->fd == -1);
    }
}

FUZZ_CHECKER static void on_message_sent(const struct wire_message *m, struct run *r)
{
    CHECK(r->delivered < r->n_sent);
    const struct sent *s = &r->sent[r->delivered];
    CHECK(m->type == s->type && m->flags == s->flags && m->seq == s->seq);
    CHECK(m->competition && strcmp(m->competition, s->competition) == 0);
    CHECK(m->len == s->len);
    CHECK(m->len == 0 || (m->payload && memcmp(m->payload, s->payload, m->len) == 0));
    if (m->type == WIRE_ATTACH) {
        /* -1 only when it may have been read while out of descriptors */
        check_attach_fd(r, m, m->fd == -1 && r->starved > s->starved ? -1 : s->pool);
        r->attaches++;
    } else {
        CHECK(m->fd == -1);
    }
    CHECK(r->undelivered >= s->encoded);
    r->undelivered -= s->encoded;
}

FUZZ_CHECKER static void on_message(const struct wire_message *m, void *arg)
{
    struct run *r = arg;
    CHECK(r->ends == 0);
    CHECK(m->type == WIRE_FRAME || m->type == WIRE_ATTACH || m->type == WIRE_LEFT ||
          m->type == WIRE_SNAPSHOT);
    if (r->mode == 2) on_message_sent(m, r);
    else on_message_raw(m, r);
    r->delivered++;
}

static void on_end(void *arg)
{
    struct run *r = arg;
    r->ends++;
    CHECK(r->ends == 1);
    if (r->free_in_on_end) { /* as the hub's worker_lost does */
        wire_in_free(r->in);
        r->in = NULL;
    }
}

static void on_fail(void *arg)
{
    struct run *r = arg;
    r->fails++;
    CHECK(r->fails == 1);
    CHECK(r->in == NULL); /* only once the receiver is gone */
    CHECK(wire_out_queued(r->out) == 0); /* the queue is dropped */
    if (r->free_out_on_fail) {
        wire_out_free(r->out);
        r->out = NULL;
    }
}

static void on_stuck(evutil_socket_t fd, short what, void *arg)
{
    fprintf(stderr, "\n==fuzz== the loop waited 5 s for a message that never came\n");
    CHECK(0);
}

/* ---- modes 0, 1: raw bytes ------------------------------------------------------------ */

static uint32_t next_random(uint32_t *state)
{
    *state = *state * 1103515245u + 12345u;
    return *state >> 8;
}

static int compare_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

/* Writes bytes (and, on the first sendmsg, the sockets) to fd, running the loop whenever the
 * socket is full. False when the receiver has ended and stopped reading. */
static bool write_piece(struct run *r, int fd, const uint8_t *bytes, size_t n, int first_pool,
                        int n_fds)
{
    size_t done = 0;
    while (done < n) {
        struct iovec iov = {(void *)(bytes + done), n - done};
        struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
        union {
            char bytes[CMSG_SPACE(65 * sizeof(int))];
            struct cmsghdr align;
        } control;
        if (n_fds > 0) {
            mh.msg_control = control.bytes;
            mh.msg_controllen = CMSG_SPACE((size_t)n_fds * sizeof(int));
            struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
            c->cmsg_level = SOL_SOCKET;
            c->cmsg_type = SCM_RIGHTS;
            c->cmsg_len = CMSG_LEN((size_t)n_fds * sizeof(int));
            memcpy(CMSG_DATA(c), pool + first_pool, (size_t)n_fds * sizeof(int));
        }
        ssize_t sent = sendmsg(fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (sent > 0) {
            done += (size_t)sent;
            n_fds = 0;
            continue;
        }
        CHECK(sent < 0);
        if (errno == EINTR) continue;
        if (r->ends) return false; /* the receiver stopped reading, or is gone (EPIPE) */
        CHECK(errno == EAGAIN || errno == EWOULDBLOCK);
        CHECK(event_base_loop(r->base, EVLOOP_ONCE) == 0); /* it reads: room comes */
    }
    return true;
}

static void run_raw(struct run *r, const uint8_t *data, size_t size)
{
    static const int fds_table[4] = {0, 1, 17, 65};
    uint8_t split = size > 1 ? data[1] : 0, seed = size > 2 ? data[2] : 0,
            fdspec = size > 3 ? data[3] : 0;
    const uint8_t *s = size > 4 ? data + 4 : data + size;
    size_t n = size > 4 ? size - 4 : 0;
    if (r->mode == 1 && n > FD_INPUT_MAX) n = FD_INPUT_MAX;

    struct expect *expected = malloc((n / HEAD + 1) * sizeof *expected);
    CHECK(expected);
    r->model = expected;
    r->n_model = model(s, n, expected);
    r->stream = s;
    r->encoded = malloc(n + HEAD + 1);
    CHECK(r->encoded);

    /* Where the pieces start: random cuts, or a fixed chunk size. */
    size_t *starts = malloc((n + 10) * sizeof *starts); /* n chunks, or up to 8 cuts */
    CHECK(starts);
    size_t n_pieces = 0;
    if (split & 8) {
        size_t chunk = 1 + seed % 32;
        for (size_t at = 0; at < n; at += chunk) starts[n_pieces++] = at;
    } else {
        uint32_t state = (uint32_t)seed << 8 | split;
        size_t cuts = 1 + (split & 7);
        starts[n_pieces++] = 0;
        for (size_t i = 1; i < cuts; i++) starts[n_pieces++] = next_random(&state) % (n + 1);
        qsort(starts, n_pieces, sizeof *starts, compare_size);
    }
    starts[n_pieces] = n;

    int sv[2];
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    CHECK(fcntl(sv[1], F_SETFL, O_NONBLOCK) == 0);
    r->in = wire_in_new(r->base, sv[0], on_message, on_end, r);
    CHECK(r->in);

    /* What the receiver queues, socket by socket: the pool entry, or -1 for the sockets of a
     * read it had no descriptors for (one entry for the lot); a piece's sockets beyond the
     * control buffer are dropped by the kernel (the piece's first FDS_PER_READ are taken).
     * received_start[k]: where the piece that brought entry k starts. */
    int received[RAW_FDS_MAX];
    size_t received_start[RAW_FDS_MAX];
    r->received = received;
    int fds_sent = 0;
    for (size_t i = 0; i < n_pieces && !r->ends; i++) {
        size_t len = starts[i + 1] - starts[i];
        if (len == 0) continue; /* a socket needs a byte to ride on */
        int n_fds = 0;
        bool starved = false;
        if (r->mode == 1) {
            n_fds = fds_table[(fdspec >> (2 * (i & 3))) & 3];
            if (n_fds > RAW_FDS_MAX - fds_sent) n_fds = RAW_FDS_MAX - fds_sent;
            starved = n_fds > 0 && (split >> (4 + (i & 3))) & 1;
        }
        for (int k = 0; k < (starved ? 1 : n_fds < FDS_PER_READ ? n_fds : FDS_PER_READ); k++) {
            received[r->n_received] = starved ? -1 : fds_sent + k;
            received_start[r->n_received++] = starts[i];
        }
        /* The piece is read in the loop run below (it fits the socket and one pass). */
        if (starved) {
            starve();
            r->starved++;
        }
        bool go_on = write_piece(r, sv[1], s + starts[i], len, fds_sent, n_fds);
        fds_sent += n_fds;
        if (go_on) CHECK(event_base_loop(r->base, EVLOOP_NONBLOCK) == 0 || r->ends);
        if (starved) unstarve();
        if (!go_on) break;
    }
    CHECK(close(sv[1]) == 0);
    while (!r->ends) CHECK(event_base_loop(r->base, EVLOOP_ONCE) == 0);
    event_base_loop(r->base, EVLOOP_NONBLOCK); /* nothing comes after on_end */
    CHECK(r->ends == 1);

    /* The messages delivered: the reference reading, up to where it had to stop. */
    size_t first_attach = r->n_model;
    for (size_t i = 0; i < r->n_model; i++)
        if (expected[i].type == WIRE_ATTACH) {
            first_attach = i;
            break;
        }
    if (r->mode == 0) {
        CHECK(r->delivered == first_attach);
    } else if (r->delivered < r->n_model) {
        const struct expect *next = &expected[r->delivered];
        size_t before = 0; /* sockets queued once next's last byte had been read */
        for (size_t k = 0; k < r->n_received; k++) before += received_start[k] < next->end;
        CHECK(next->type == WIRE_ATTACH && before <= r->attaches);
    }
    CHECK(r->pos == (r->delivered ? expected[r->delivered - 1].end : 0));
    if (r->in) wire_in_free(r->in); /* closes the sockets not delivered */
    r->in = NULL;
    free(starts);
    free(r->encoded);
    free(expected);
}

/* ---- mode 2: both ends ---------------------------------------------------------------- */

struct input {
    const uint8_t *p;
    size_t n;
};

static uint8_t take(struct input *in)
{
    if (!in->n) return 0;
    in->n--;
    return *in->p++;
}

static int64_t take_seq(struct input *in)
{
    uint8_t kind = take(in);
    if (kind < 64) return -1;
    if (kind < 192) return kind - 64;
    int64_t v = 0;
    for (int i = 0; i < 8; i++) v = (int64_t)((uint64_t)v << 8 | take(in));
    return v;
}

/* A competition id: up to 31 bytes of the input (its first NUL ends it), or, with the top bit
 * of the length byte, 250–313 letters (over 255: refused). Returns its length. */
static size_t take_competition(struct input *in, char *out)
{
    uint8_t len = take(in);
    if (len & 0x80) {
        size_t n = 250 + (len & 63);
        memset(out, 'c', n);
        out[n] = '\0';
        return n;
    }
    size_t n = len & 31;
    for (size_t i = 0; i < n; i++) out[i] = (char)take(in);
    out[n] = '\0';
    return strlen(out);
}

/* A payload: up to 255 bytes of the input, maybe repeated (up to 64 KiB). Caller frees. */
static char *take_payload(struct input *in, size_t *len, size_t *budget)
{
    uint8_t n = take(in), repeat = take(in);
    char *piece = malloc((size_t)n + 1);
    CHECK(piece);
    for (size_t i = 0; i < n; i++) piece[i] = (char)take(in);
    size_t total = n;
    if ((repeat & 0xc0) == 0xc0 && n > 0) total = (size_t)n * (1 + (repeat & 63) * 4);
    if (total > *budget) total = n > *budget ? 0 : n;
    *budget -= total;
    char *out = malloc(total + 1);
    CHECK(out);
    for (size_t i = 0; i < total; i++) out[i] = piece[i % (n ? n : 1)];
    free(piece);
    *len = total;
    return out;
}

/* Runs the loop until every message sent has been delivered. */
static void drain(struct run *r)
{
    struct event *stuck = event_new(r->base, -1, 0, on_stuck, NULL);
    CHECK(stuck);
    struct timeval five = {5, 0};
    CHECK(event_add(stuck, &five) == 0);
    while (r->delivered < r->n_sent) CHECK(event_base_loop(r->base, EVLOOP_ONCE) == 0);
    event_free(stuck);
    CHECK(r->undelivered == 0 && wire_out_queued(r->out) == 0);
}

static void run_both(struct run *r, const uint8_t *data, size_t size)
{
    struct input in = {data + 1, size - 1};
    int sv[2];
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    if (data[0] & 8) {
        int small = 4096;
        CHECK(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof small) == 0);
    }
    r->free_out_on_fail = data[0] & 4;
    r->out = wire_out_new(r->base, sv[0], on_fail, r);
    CHECK(r->out);
    r->in = wire_in_new(r->base, sv[1], on_message, on_end, r);
    CHECK(r->in);
    r->sent = calloc(STEPS_MAX, sizeof *r->sent);
    CHECK(r->sent);
    struct frame *kept[STEPS_MAX];
    size_t n_kept = 0, budget = SENT_BYTES_MAX;
    bool receiver_closed = false, sent_after_close = false;
    int attaches = 0;

    for (int step = 0; step < STEPS_MAX && in.n; step++) {
        uint8_t op = take(&in) % 10;
        if (op == 5) {
            event_base_loop(r->base, EVLOOP_NONBLOCK);
            continue;
        }
        if (op == 9) { /* a pass while out of descriptors: the sockets read are lost */
            if (receiver_closed) continue;
            starve();
            r->starved++;
            event_base_loop(r->base, EVLOOP_NONBLOCK);
            unstarve();
            continue;
        }
        if (op == 6) {
            if (!receiver_closed) drain(r);
            continue;
        }
        if (op == 7) {
            if (!receiver_closed && r->in) {
                wire_in_free(r->in); /* in-flight messages and sockets go with it */
                r->in = NULL;
                receiver_closed = true;
            }
            continue;
        }
        struct sent s = {.pool = -1, .starved = r->starved};
        size_t competition_len = take_competition(&in, s.competition);
        bool valid = competition_len <= 255;
        if (!r->out) { /* freed by on_fail */
            CHECK(receiver_closed);
            continue;
        }
        bool ok;
        if (op <= 1 || op == 8) { /* a frame, or a snapshot */
            s.type = op == 8 ? WIRE_SNAPSHOT : WIRE_FRAME;
            s.flags = take(&in);
            s.seq = take_seq(&in);
            bool keep = take(&in) & 1;
            char *text = take_payload(&in, &s.len, &budget);
            struct frame *f = frame_of_text(s.seq, text, s.len);
            CHECK(f);
            s.payload = text;
            if (op == 8) {
                s.flags = 0;
                ok = wire_send_snapshot(r->out, s.competition, f);
            } else {
                ok = wire_send_frame(r->out, s.competition, f, s.flags);
            }
            if (!ok) CHECK(f->refs == 1);
            if (keep) kept[n_kept++] = f;
            else frame_unref(f); /* the sender holds its own reference until sent */
        } else if (op == 2) { /* a stream ended */
            s.type = WIRE_LEFT;
            s.seq = -1;
            s.payload = NULL;
            s.len = 0;
            ok = wire_send_left(r->out, s.competition);
        } else { /* a stream handed over, with its socket */
            s.type = WIRE_ATTACH;
            s.flags = take(&in);
            s.seq = take_seq(&in);
            s.pool = attaches++ % POOL;
            char *bytes = take_payload(&in, &s.len, &budget);
            s.payload = malloc(s.len + 1);
            CHECK(s.payload);
            memcpy(s.payload, bytes, s.len);
            int fd = dup(pool[s.pool]);
            CHECK(fd >= 0);
            ok = wire_send_attach(r->out, s.competition, s.seq, s.flags, bytes, s.len, fd);
            free(bytes); /* copied by the sender */
            if (!ok) CHECK(fd_closed(fd));
        }
        if (!receiver_closed) {
            CHECK(ok == valid); /* refused only for the competition's length */
        } else {
            if (r->fails) CHECK(!ok); /* a failed sender takes nothing more */
            sent_after_close |= ok;
        }
        if (ok && !receiver_closed) {
            s.encoded = HEAD + competition_len + s.len;
            r->undelivered += s.encoded;
            /* What waits for the socket is part of what has not arrived. */
            CHECK(wire_out_queued(r->out) <= r->undelivered);
            r->sent[r->n_sent++] = s;
        } else {
            free(s.payload);
        }
    }

    if (!receiver_closed) {
        drain(r);
        CHECK(r->delivered == r->n_sent);
        CHECK(r->fails == 0 && r->ends == 0);
        wire_out_free(r->out); /* the receiver sees the end */
        r->out = NULL;
        while (!r->ends) CHECK(event_base_loop(r->base, EVLOOP_ONCE) == 0);
        event_base_loop(r->base, EVLOOP_NONBLOCK);
        CHECK(r->ends == 1 && r->delivered == r->n_sent);
        if (r->in) wire_in_free(r->in);
        r->in = NULL;
    } else {
        /* What was delivered before the close is a prefix of what was sent (checked as it
         * came); the sender finds out when it next writes. */
        CHECK(r->ends == 0);
        for (int i = 0; i < 8; i++) event_base_loop(r->base, EVLOOP_NONBLOCK);
        CHECK(r->fails <= 1);
        if (sent_after_close) CHECK(r->fails == 1);
        if (r->out) wire_out_free(r->out);
        r->out = NULL;
    }
    for (size_t i = 0; i < n_kept; i++) {
        CHECK(kept[i]->refs == 1); /* sent, or dropped with the queue */
        frame_unref(kept[i]);
    }
    for (size_t i = 0; i < r->n_sent; i++) free(r->sent[i].payload);
    free(r->sent);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool installed;
    if (!installed) install_give_back();
    installed = true;
    if (size == 0) return 0;
    int fds_before = count_fds();
    struct run r = {0};
    r.mode = (data[0] & 3) == 3 ? 0 : data[0] & 3;
    r.base = event_base_new();
    CHECK(r.base);
    if (r.mode == 2) {
        run_both(&r, data, size);
    } else {
        r.free_in_on_end = data[0] & 4;
        run_raw(&r, data, size);
    }
    event_base_free(r.base);
    CHECK(count_fds() == fds_before);
    return 0;
}
