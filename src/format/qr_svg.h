/* QR codes as SVG (libqrencode), for the spectator page's URL on the big screen. */
#ifndef JX_FORMAT_QR_SVG_H
#define JX_FORMAT_QR_SVG_H

/* An SVG document of text's QR code with a quiet zone; caller frees. NULL on failure. */
char *qr_svg(const char *text);

#endif
