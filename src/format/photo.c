/* Photo resizing with libgd. The image's size is read from its header first, so a small
 * file claiming huge dimensions (a decompression bomb) is refused before decoding. */
#include "format/photo.h"

#include <gd.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Width and height from a PNG's IHDR or a JPEG's SOF marker; false when not found. */
static bool image_size(const unsigned char *d, size_t n, bool *png, uint32_t *w, uint32_t *h)
{
    static const unsigned char png_magic[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    if (n >= 24 && memcmp(d, png_magic, 8) == 0 && memcmp(d + 12, "IHDR", 4) == 0) {
        *png = true;
        *w = be32(d + 16);
        *h = be32(d + 20);
        return true;
    }
    if (n < 4 || d[0] != 0xFF || d[1] != 0xD8) return false;
    *png = false;
    for (size_t i = 2; i + 9 < n;) {
        if (d[i] != 0xFF) return false;
        unsigned char marker = d[i + 1];
        size_t seg = (size_t)d[i + 2] << 8 | d[i + 3];
        if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC) {
            *h = (uint32_t)d[i + 5] << 8 | d[i + 6];
            *w = (uint32_t)d[i + 7] << 8 | d[i + 8];
            return true;
        }
        if (seg < 2) return false;
        i += 2 + seg;
    }
    return false;
}

int photo_resize(const unsigned char *data, size_t len, unsigned char **out, size_t *out_len,
                 struct jx_error *e)
{
    bool png;
    uint32_t w, h;
    if (!image_size(data, len, &png, &w, &h) || w == 0 || h == 0)
        return jx_fail(e, 400, "invalid_image", "photo",
                       "照片须为 JPEG 或 PNG 图片 / the photo must be a JPEG or PNG image");
    if ((uint64_t)w * h > PHOTO_MAX_PIXELS)
        return jx_fail(e, 400, "image_too_large", "photo",
                       "照片尺寸过大（至多 4000 万像素）/ the photo has too many pixels (40 megapixels at most)");
    gdImagePtr img = png ? gdImageCreateFromPngPtr((int)len, (void *)data)
                         : gdImageCreateFromJpegPtrEx((int)len, (void *)data, 1);
    if (!img)
        return jx_fail(e, 400, "invalid_image", "photo", "无法读取照片 / the photo cannot be read");
    int sw = gdImageSX(img), sh = gdImageSY(img);
    double scale = (double)PHOTO_MAX_SIDE / (sw > sh ? sw : sh);
    if (scale > 1) scale = 1;
    int tw = (int)(sw * scale + 0.5), th = (int)(sh * scale + 0.5);
    gdImagePtr small = gdImageCreateTrueColor(tw > 0 ? tw : 1, th > 0 ? th : 1);
    int size = 0;
    void *jpeg = NULL;
    if (small) {
        gdImageFilledRectangle(small, 0, 0, tw, th, gdTrueColor(255, 255, 255));
        gdImageCopyResampled(small, img, 0, 0, 0, 0, tw, th, sw, sh);
        jpeg = gdImageJpegPtr(small, &size, 85);
        gdImageDestroy(small);
    }
    gdImageDestroy(img);
    if (!jpeg || size <= 0 || !(*out = malloc((size_t)size))) {
        if (jpeg) gdFree(jpeg);
        return jx_fail(e, 500, "out_of_memory", NULL, "out of memory");
    }
    memcpy(*out, jpeg, (size_t)size);
    *out_len = (size_t)size;
    gdFree(jpeg);
    return 0;
}
