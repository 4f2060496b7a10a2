/* Exports of a competition, shared by the API and `jiangxing export`: the competition
 * file as it stands now, the accepted marks as MARKS.jsonl (which `jiangxing score` turns
 * back into the same standings), and standings and score sheets as CSV for Excel. */
#ifndef JX_APP_EXPORT_H
#define JX_APP_EXPORT_H

#include <jansson.h>

#include "app/app.h"

/* The competition file with every contestant added since (new reference or NULL). */
json_t *export_competition(struct app *app, const struct competition *comp);
/* Each function appends to a malloc'd buffer; *out is NUL-terminated. 0 or -1. */
int export_marks_jsonl(struct app *app, const struct competition *comp, char **out, size_t *len);
int export_standings_csv(const struct competition *comp, struct scope scope, char **out, size_t *len);
int export_sheets_csv(const struct competition *comp, char **out, size_t *len);

#endif
