/* Contestant photos: an uploaded JPEG or PNG, checked and resized to a small JPEG. */
#ifndef JX_FORMAT_PHOTO_H
#define JX_FORMAT_PHOTO_H

#include <stddef.h>

#include "core/error.h"

#define PHOTO_MAX_SIDE 480
#define PHOTO_MAX_PIXELS (40u * 1000 * 1000) /* refuse larger images before decoding */

/* Decodes data (JPEG or PNG), scales it to fit PHOTO_MAX_SIDE and encodes a JPEG into
 * *out (malloc'd, *out_len bytes). 0, or -1 with e (400 for a bad image). */
int photo_resize(const unsigned char *data, size_t len, unsigned char **out, size_t *out_len,
                 struct jx_error *e);

#endif
