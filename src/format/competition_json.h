/* Reading the competition file (format jiangxing.competition/1, DESIGN §4) into a
 * validated scheme, with errors that name the offending field. */
#ifndef JX_FORMAT_COMPETITION_JSON_H
#define JX_FORMAT_COMPETITION_JSON_H

#include <jansson.h>
#include <stdbool.h>

#include "core/error.h"
#include "core/scheme.h"

#define COMPETITION_FORMAT "jiangxing.competition/1"

/* Fills s from a parsed document; on error s is released and e filled. */
int competition_from_json(const json_t *doc, struct scheme *s, struct jx_error *e);
/* Parses one contestant object against the scheme's groups and venues. */
int contestant_from_json(const json_t *obj, const struct scheme *s, const char *field,
                         struct contestant *out, struct jx_error *e);
/* Ids: 1–64 characters of A–Z a–z 0–9 _ . - */
bool id_is_valid(const char *id);

#endif
