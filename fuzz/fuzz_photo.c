/* Harness: photo_resize (src/format/photo.c), what an organiser's photo upload goes through
 * (POST …/contestants/{cid}/photo, up to 8 MB of whatever the client sends). The input is
 * the uploaded body. Checked:
 *  - it answers 0, or -1 with 400 invalid_image / image_too_large (field "photo") or
 *    500 out_of_memory, and a message that is valid UTF-8;
 *  - the decompression-bomb guard: the size the real decoder will use (libjpeg's
 *    jpeg_read_header, libpng's IHDR, read here independently of photo.c's own header
 *    scan) is never over PHOTO_MAX_PIXELS when the photo is accepted, and image_too_large
 *    is only said of such an image;
 *  - an accepted photo is a JPEG whose header says it fits PHOTO_MAX_SIDE, scaled from
 *    the decoder's size with the aspect ratio kept (each side rounded, at least 1).
 * libgd, libjpeg and libpng are Debian's (not instrumented): coverage counts photo.c only.
 * To keep runs fast, an input whose real size is between 2 and 40 megapixels (allowed,
 * but a second of decoding) is not passed to photo_resize; above 40 megapixels it always
 * is, since it must be refused before decoding. */
#include <gd.h>
#include <jpeglib.h>
#include <png.h>
#include <setjmp.h>
#include <stdbool.h>

#include "fuzz.h"
#include "format/photo.h"

#define FAST_PIXELS (2u * 1000 * 1000)

struct jpeg_fail {
    struct jpeg_error_mgr mgr;
    jmp_buf jump;
};

static void jpeg_fail_exit(j_common_ptr info) { longjmp(((struct jpeg_fail *)info->err)->jump, 1); }
static void jpeg_quiet(j_common_ptr info, int level) {}

/* The width and height libjpeg reads from a JPEG's header (as gd will); false if it cannot. */
static FUZZ_CHECKER bool jpeg_header(const uint8_t *data, size_t size, uint32_t *w, uint32_t *h)
{
    struct jpeg_decompress_struct info;
    struct jpeg_fail fail;
    info.err = jpeg_std_error(&fail.mgr);
    fail.mgr.error_exit = jpeg_fail_exit;
    fail.mgr.emit_message = jpeg_quiet;
    if (setjmp(fail.jump)) {
        jpeg_destroy_decompress(&info);
        return false;
    }
    jpeg_create_decompress(&info);
    jpeg_mem_src(&info, data, (unsigned long)size);
    bool ok = jpeg_read_header(&info, TRUE) == JPEG_HEADER_OK;
    if (ok) {
        *w = info.image_width;
        *h = info.image_height;
    }
    jpeg_destroy_decompress(&info);
    return ok;
}

/* The same for a PNG, by libpng. */
static FUZZ_CHECKER bool png_header(const uint8_t *data, size_t size, uint32_t *w, uint32_t *h)
{
    png_image image;
    memset(&image, 0, sizeof image);
    image.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_memory(&image, data, size)) return false;
    *w = image.width;
    *h = image.height;
    png_image_free(&image);
    return true;
}

static FUZZ_CHECKER bool is_png(const uint8_t *data, size_t size)
{
    return size >= 8 && png_sig_cmp(data, 0, 8) == 0;
}

static FUZZ_CHECKER void check_refusal(const struct jx_error *e, bool known, uint64_t pixels)
{
    CHECK(fuzz_valid_utf8((const unsigned char *)e->message, strlen(e->message)));
    if (e->status == 500) {
        CHECK(strcmp(e->code, "out_of_memory") == 0);
        return;
    }
    CHECK(e->status == 400 && strcmp(e->field, "photo") == 0);
    CHECK(strcmp(e->code, "invalid_image") == 0 || strcmp(e->code, "image_too_large") == 0);
    /* Too large is said of what the decoder would really decode. */
    if (strcmp(e->code, "image_too_large") == 0 && known) {
        if (pixels <= PHOTO_MAX_PIXELS)
            fprintf(stderr, "==fuzz== image_too_large, but the decoder reads %llu pixels\n",
                    (unsigned long long)pixels);
        CHECK(pixels > PHOTO_MAX_PIXELS);
    }
}

static FUZZ_CHECKER void check_output(const unsigned char *out, size_t len, uint32_t sw, uint32_t sh)
{
    CHECK(out && len >= 4 && out[0] == 0xFF && out[1] == 0xD8);
    uint32_t tw, th;
    CHECK(jpeg_header(out, len, &tw, &th));
    CHECK(tw >= 1 && th >= 1 && tw <= PHOTO_MAX_SIDE && th <= PHOTO_MAX_SIDE);
    uint32_t longest = sw > sh ? sw : sh;
    double scale = longest > PHOTO_MAX_SIDE ? (double)PHOTO_MAX_SIDE / longest : 1;
    long ew = (long)(sw * scale + 0.5), eh = (long)(sh * scale + 0.5);
    if (ew < 1) ew = 1;
    if (eh < 1) eh = 1;
    if (tw != ew || th != eh)
        fprintf(stderr, "==fuzz== %ux%u scaled to %ux%u, expected %ldx%ld\n", sw, sh, tw, th, ew, eh);
    CHECK(tw == ew && th == eh);
}

static void gd_quiet(int priority, const char *format, va_list args) {}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    gdSetErrorMethod(gd_quiet); /* libgd's warnings to stderr would drown the log */
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint32_t w = 0, h = 0;
    bool png = is_png(data, size);
    bool known = png ? png_header(data, size, &w, &h) : jpeg_header(data, size, &w, &h);
    uint64_t pixels = (uint64_t)w * h;
    if (known && pixels > FAST_PIXELS && pixels <= PHOTO_MAX_PIXELS) return 0;

    unsigned char *out = NULL;
    size_t len = 0;
    struct jx_error e;
    memset(&e, 0, sizeof e);
    int rc = photo_resize(data, size, &out, &len, &e);
    CHECK(rc == 0 || rc == -1);
    if (rc != 0) {
        check_refusal(&e, known, pixels);
        return 0;
    }
    /* Accepted: the decoder read the header, and the guard held. */
    if (!known) fprintf(stderr, "==fuzz== accepted, but %s cannot read its header\n", png ? "libpng" : "libjpeg");
    CHECK(known);
    if (pixels > PHOTO_MAX_PIXELS)
        fprintf(stderr, "==fuzz== accepted an image of %ux%u = %llu pixels (max %u)\n", w, h,
                (unsigned long long)pixels, PHOTO_MAX_PIXELS);
    CHECK(pixels <= PHOTO_MAX_PIXELS);
    check_output(out, len, w, h);
    free(out);
    return 0;
}
