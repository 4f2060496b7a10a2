/* A live frame as it goes on the wire: the SSE text of one event, encoded once inside its
 * HTTP/1.1 chunk, in one reference-counted allocation shared by every client it goes to. */
#ifndef JX_LIVE_FRAME_H
#define JX_LIVE_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct frame {
    int refs;
    bool reset;  /* a marker in a resume ring: resuming across it needs a snapshot */
    int64_t seq; /* -1: no id */
    char *text;  /* the SSE text, len bytes, within chunk */
    size_t len, chunk_len;
    char chunk[]; /* "%zx\r\n" text "\r\n" */
};

/* `id: seq` (none when seq < 0), `event: name`, `data: data`. NULL when out of memory. */
struct frame *frame_new(int64_t seq, const char *name, const char *data);
/* A frame of exactly this SSE text (a comment, or a frame received from the hub). */
struct frame *frame_of_text(int64_t seq, const char *text, size_t len);
void frame_unref(struct frame *f);
/* The bytes for a client: chunked (HTTP/1.1) or the bare text (HTTP/1.0). */
static inline const char *frame_bytes(const struct frame *f, bool chunked, size_t *len)
{
    *len = chunked ? f->chunk_len : f->len;
    return chunked ? f->chunk : f->text;
}

#endif
