/* Messages between the server and its stream workers, over a pair of Unix sockets: the
 * server sends committed frames and the streams it hands over (the socket itself passed
 * with the message); a worker says when one of its streams ends. Both ends are ours. */
#ifndef JX_LIVE_WIRE_H
#define JX_LIVE_WIRE_H

#include <event2/event.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "live/frame.h"

enum wire_type {
    WIRE_FRAME = 1, /* server → worker: a frame for the competition's streams (payload: SSE text) */
    WIRE_ATTACH,    /* server → worker: a stream, with its socket; payload: bytes to write first */
    WIRE_LEFT,      /* worker → server: one of the competition's streams ended */
    WIRE_SNAPSHOT,  /* server → worker: the competition's snapshot for the next attaches */
};

enum wire_flags {
    WIRE_END_PUBLIC = 1, /* frame: public streams end after it */
    WIRE_PUBLIC = 2,     /* attach: an anonymous viewer's stream */
    WIRE_CHUNKED = 4,    /* attach: HTTP/1.1, frames go in chunks */
    WIRE_THEN_SNAPSHOT = 8, /* attach: the last snapshot sent follows the payload */
};

struct wire_message {
    enum wire_type type;
    unsigned flags;
    int64_t seq; /* frame: its id (-1 none); attach: the last id the bytes before carry */
    const char *competition;
    const char *payload;
    size_t len;
    int fd; /* attach: the client's socket, now the receiver's to close, or -1 when it was
             * lost on the way (the receiver ran out of descriptors); other messages: -1 */
};

/* Sending end: messages queue in order and go out as the socket takes them. */
struct wire_out;
/* on_fail: the peer is gone or has fallen more than a limit behind; the queue is dropped. */
struct wire_out *wire_out_new(struct event_base *base, int fd, void (*on_fail)(void *), void *arg);
void wire_out_free(struct wire_out *w); /* closes the socket */
/* Bytes queued and not yet taken by the socket. */
size_t wire_out_queued(const struct wire_out *w);
/* A frame (held by reference until sent). False when out of memory. */
bool wire_send_frame(struct wire_out *w, const char *competition, const struct frame *f,
                     unsigned flags);
/* A stream: fd is passed with the message and closed here once sent (or on failure). */
bool wire_send_attach(struct wire_out *w, const char *competition, int64_t seen, unsigned flags,
                      const void *bytes, size_t len, int fd);
bool wire_send_left(struct wire_out *w, const char *competition);
/* A snapshot frame (held by reference until sent), kept by the worker for later attaches. */
bool wire_send_snapshot(struct wire_out *w, const char *competition, const struct frame *f);

/* Receiving end. on_message gets each message in order; on_end when the peer closed or
 * broke the protocol (then nothing more comes). */
struct wire_in;
struct wire_in *wire_in_new(struct event_base *base, int fd,
                            void (*on_message)(const struct wire_message *m, void *arg),
                            void (*on_end)(void *arg), void *arg);
void wire_in_free(struct wire_in *r); /* closes the socket and any socket not yet delivered */

#endif
