/* Building live frames: the SSE lines of an event inside their HTTP/1.1 chunk, so one
 * allocation serves chunked and HTTP/1.0 clients alike. */
#include "live/frame.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A frame with room for len bytes of text, framed as one chunk; the text is left to fill. */
static struct frame *frame_alloc(int64_t seq, size_t len)
{
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
    memcpy(f->text + len, "\r\n", 3);
    return f;
}

struct frame *frame_new(int64_t seq, const char *name, const char *data)
{
    char head[96];
    int head_len = seq >= 0 ? snprintf(head, sizeof head, "id: %lld\nevent: %s\ndata: ",
                                       (long long)seq, name)
                            : snprintf(head, sizeof head, "event: %s\ndata: ", name);
    size_t data_len = strlen(data);
    struct frame *f = frame_alloc(seq, (size_t)head_len + data_len + 2);
    if (!f) return NULL;
    memcpy(f->text, head, (size_t)head_len);
    memcpy(f->text + head_len, data, data_len);
    memcpy(f->text + head_len + data_len, "\n\n", 2);
    return f;
}

struct frame *frame_of_text(int64_t seq, const char *text, size_t len)
{
    struct frame *f = frame_alloc(seq, len);
    if (f) memcpy(f->text, text, len);
    return f;
}

void frame_unref(struct frame *f)
{
    if (f && --f->refs == 0) free(f);
}
