/* A stream worker's writing, driven in process: a stream is sent exactly what it has not
 * been sent (frames its catch-up already held are left out, wherever they fall), in order,
 * in chunks for HTTP/1.1, and its backlog never counts chunk framing as bytes owed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>

#include "../../src/live/streamer.c" /* its static client and channel code */

struct rig {
    struct worker w;
    int up[2], viewer[2]; /* viewer[0] is the worker's end of the stream */
};

static void rig_start(struct rig *r, int sndbuf)
{
    memset(r, 0, sizeof *r);
    r->w.base = event_base_new();
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, r->up), 0);
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, r->viewer), 0);
    r->w.up = wire_out_new(r->w.base, r->up[0], NULL, NULL);
    static struct timeval timeout = {WRITE_TIMEOUT_SECONDS, 0};
    r->w.write_timeout = &timeout;
    setsockopt(r->viewer[0], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
    fcntl(r->viewer[0], F_SETFL, O_NONBLOCK);
    fcntl(r->viewer[1], F_SETFL, O_NONBLOCK);
}

static void attach_with(struct rig *r, int64_t seen, unsigned flags, const char *bytes, size_t len)
{
    struct wire_message m = {WIRE_ATTACH, flags, seen, "c", bytes, len, r->viewer[0]};
    on_message(&m, &r->w);
}

static void frame(struct rig *r, int64_t seq, const char *text)
{
    struct wire_message m = {WIRE_FRAME, 0, seq, "c", text, strlen(text), -1};
    on_message(&m, &r->w);
}

/* Reads what the viewer gets while the worker's loop runs, until nothing more comes. */
static char *read_all(struct rig *r, size_t *got)
{
    static char buf[1 << 20];
    *got = 0;
    for (int idle = 0; idle < 200;) {
        ssize_t n = recv(r->viewer[1], buf + *got, sizeof buf - 1 - *got, 0);
        if (n > 0) {
            *got += (size_t)n;
            idle = 0;
        } else {
            idle++;
        }
        event_base_loop(r->w.base, EVLOOP_NONBLOCK);
    }
    buf[*got] = '\0';
    return buf;
}

/* What a worker's exit would free. */
static void rig_stop(struct rig *r)
{
    for (int i = 0; i < r->w.n_channels; i++) {
        struct channel *ch = r->w.channels[i];
        while (ch->clients) drop(ch->clients); /* closes the worker's end of the stream */
        ring_clear(ch);
        frame_unref(ch->snapshot);
        free(ch->competition);
        free(ch);
    }
    free(r->w.channels);
    wire_out_free(r->w.up);
    close(r->viewer[1]);
    close(r->up[1]);
    event_base_free(r->w.base);
}

static size_t count(const char *haystack, const char *needle)
{
    size_t n = 0;
    for (const char *p = haystack; (p = strstr(p, needle)); p++) n++;
    return n;
}

/* It attached with a large catch-up at seq 10 between a commit and that commit's frame;
 * an announcement came first, so the frame it already holds is not at the head. */
static void catch_up_frames_are_not_repeated(void **state)
{
    struct rig r;
    rig_start(&r, 4096);
    static char catch_up[300000];
    int k = snprintf(catch_up, sizeof catch_up, "HTTP/1.0 200 OK\r\n\r\nid: 10\nevent: snapshot\ndata: \"");
    memset(catch_up + k, 'x', sizeof catch_up - (size_t)k - 8);
    memcpy(catch_up + sizeof catch_up - 8, "\"\n\n", 4);
    attach_with(&r, 10, 0, catch_up, strlen(catch_up));
    frame(&r, -1, "event: likes\ndata: {}\n\n");
    frame(&r, 10, "id: 10\nevent: standings\ndata: {\"seq\":10}\n\n");
    frame(&r, 11, "id: 11\nevent: standings\ndata: {\"seq\":11}\n\n");
    size_t got;
    char *text = read_all(&r, &got);
    assert_int_equal(got, strlen(catch_up) + strlen("event: likes\ndata: {}\n\n") +
                              strlen("id: 11\nevent: standings\ndata: {\"seq\":11}\n\n"));
    assert_int_equal(count(text, "id: 10\n"), 1); /* the snapshot's only */
    const char *after = text + strlen(catch_up);
    assert_string_equal(after, "event: likes\ndata: {}\n\nid: 11\nevent: standings\ndata: {\"seq\":11}\n\n");
    rig_stop(&r);
}

/* HTTP/1.1: each frame in its chunk, and the backlog of a stream whose write stopped inside
 * the last chunk's framing is what is left of it, never an underflowed size. */
static void chunked_frames_and_backlog(void **state)
{
    struct rig r;
    rig_start(&r, 4096);
    attach_with(&r, 0, WIRE_CHUNKED, "HTTP/1.1 200 OK\r\n\r\n", 19);
    frame(&r, 1, "id: 1\nevent: e\ndata: 1\n\n");
    size_t got;
    char *text = read_all(&r, &got);
    assert_string_equal(text, "HTTP/1.1 200 OK\r\n\r\n18\r\nid: 1\nevent: e\ndata: 1\n\n\r\n");
    struct client *cl = r.w.channels[0]->clients;
    assert_non_null(cl);
    assert_int_equal(backlog(cl), 0);
    frame(&r, 2, "id: 2\nevent: e\ndata: 2\n\n");
    /* As if the socket had taken all but the chunk's closing CRLF of frame 2. */
    struct channel *ch = cl->ch;
    cl->at = ch->end - 1;
    cl->partial = ch->ring[cl->at % RING]->chunk_len - 2;
    assert_true(backlog(cl) <= 2);
    rig_stop(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(catch_up_frames_are_not_repeated),
        cmocka_unit_test(chunked_frames_and_backlog),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
