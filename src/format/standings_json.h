/* Standings as the public JSON of DESIGN §5: entries in order with rank, total,
 * completeness, award and every module score, whatever the scope. */
#ifndef JX_FORMAT_STANDINGS_JSON_H
#define JX_FORMAT_STANDINGS_JSON_H

#include <jansson.h>

#include "core/contest.h"

/* Dump flags for every document with scores: reals print as their shortest decimal. */
#define JX_JSON_FLAGS (JSON_REAL_PRECISION(15) | JSON_COMPACT)
/* For event bodies: the same, with keys sorted so equal documents give equal text.
 * 15 significant digits print every accepted value (≤ 3 decimals, < 1e10) exactly. */
#define JX_BODY_FLAGS (JX_JSON_FLAGS | JSON_SORT_KEYS)

json_t *score_to_json(milli_t m);
/* New reference; NULL when out of memory. */
json_t *standings_to_json(const struct contest *c, struct scope scope, const char *scope_text);
/* One contestant's entry, given its rank in the scope being listed. */
json_t *standings_entry_json(const struct contest *c, int contestant, size_t rank);

#endif
