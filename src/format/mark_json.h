/* Reading one MARK object (DESIGN §5) into a struct mark that borrows the JSON's strings,
 * and checking its shape: exactly one of value / seconds / deduction / void. */
#ifndef JX_FORMAT_MARK_JSON_H
#define JX_FORMAT_MARK_JSON_H

#include <jansson.h>

#include "core/contest.h"

#define MAX_KEY 128
#define MAX_REASON 500

/* field is the prefix for error fields, such as "marks[3]". */
int mark_from_json(const json_t *obj, const char *field, struct mark *m, struct jx_error *e);

#endif
