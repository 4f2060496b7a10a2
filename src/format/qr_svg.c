/* QR code to SVG: one path of unit squares, scaled by the viewBox, dark on white. */
#include "format/qr_svg.h"

#include <qrencode.h>
#include <stdio.h>
#include <stdlib.h>

#define QUIET 4 /* modules of white border the standard asks for */

char *qr_svg(const char *text)
{
    QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!qr) return NULL;
    int w = qr->width, size = w + 2 * QUIET;
    size_t cap = 256 + (size_t)w * (size_t)w * 16, len = 0;
    char *svg = malloc(cap);
    if (svg) {
        len += (size_t)snprintf(svg, cap,
                                "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
                                "shape-rendering=\"crispEdges\"><rect width=\"%d\" height=\"%d\" "
                                "fill=\"#fff\"/><path fill=\"#000\" d=\"",
                                size, size, size, size);
        for (int y = 0; y < w; y++)
            for (int x = 0; x < w; x++)
                if (qr->data[y * w + x] & 1)
                    len += (size_t)snprintf(svg + len, cap - len, "M%d %dh1v1h-1z", x + QUIET,
                                            y + QUIET);
        snprintf(svg + len, cap - len, "\"/></svg>\n");
    }
    QRcode_free(qr);
    return svg;
}
