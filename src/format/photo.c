/* Photo resizing with libgd. The image's size is read from its header first (a JPEG's by
 * libjpeg, which then decodes it), so a small file claiming huge dimensions (a
 * decompression bomb) is refused before decoding. */
#include "format/photo.h"

#include <gd.h>
#include <jpeglib.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

struct jpeg_failure {
    struct jpeg_error_mgr mgr;
    jmp_buf jump;
};

static void jpeg_failed(j_common_ptr info)
{
    longjmp(((struct jpeg_failure *)info->err)->jump, 1);
}

static void jpeg_quiet(j_common_ptr info) { (void)info; } /* warnings: not for our log */

/* The size libjpeg itself will decode: read from the header by libjpeg, so no marker
 * trickery can show one size to the check and another to the decoder. */
static bool jpeg_size(const unsigned char *d, size_t n, uint32_t *w, uint32_t *h)
{
    struct jpeg_decompress_struct info;
    struct jpeg_failure failure;
    info.err = jpeg_std_error(&failure.mgr);
    failure.mgr.error_exit = jpeg_failed;
    failure.mgr.output_message = jpeg_quiet;
    if (setjmp(failure.jump)) {
        jpeg_destroy_decompress(&info);
        return false;
    }
    jpeg_create_decompress(&info);
    jpeg_mem_src(&info, d, (unsigned long)n);
    bool ok = jpeg_read_header(&info, TRUE) == JPEG_HEADER_OK;
    *w = info.image_width;
    *h = info.image_height;
    jpeg_destroy_decompress(&info);
    return ok;
}

/* Width and height from a PNG's IHDR (always its first chunk) or a JPEG's header. */
static bool image_size(const unsigned char *d, size_t n, bool *png, uint32_t *w, uint32_t *h)
{
    static const unsigned char png_magic[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    if (n >= 24 && memcmp(d, png_magic, 8) == 0 && memcmp(d + 12, "IHDR", 4) == 0) {
        *png = true;
        *w = be32(d + 16);
        *h = be32(d + 20);
        return true;
    }
    *png = false;
    return n >= 4 && d[0] == 0xFF && d[1] == 0xD8 && jpeg_size(d, n, w, h);
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
