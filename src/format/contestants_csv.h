/* Reading contestants from CSV as organisers export it: UTF-8 with or without BOM, or
 * GB18030 as Excel in China writes it; RFC 4180 quoting; errors name line and column. */
#ifndef JX_FORMAT_CONTESTANTS_CSV_H
#define JX_FORMAT_CONTESTANTS_CSV_H

#include <jansson.h>
#include <stddef.h>

#include "core/error.h"

#define CSV_MAX_BYTES (8u << 20)
#define CSV_MAX_ROWS 100000

/* Parses data (len bytes, any of the encodings above) into a JSON array of contestant
 * objects {id, name, group, venue, station, org} in file order. The header row names the
 * columns, in English (id,name,group,venue,station,org) or Chinese (编号,姓名,组别,赛场,工位,
 * 单位), in any order; station and org may be left out. NULL with e filled on error. */
json_t *contestants_from_csv(const char *data, size_t len, struct jx_error *e);

#endif
