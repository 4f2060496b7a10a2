/* The scoring rules of DESIGN §4 as pure functions: a criterion's score from its cell,
 * and a contestant's module, component and total scores from a row of cells. */
#ifndef JX_CORE_SCORE_H
#define JX_CORE_SCORE_H

#include <stdbool.h>

#include "core/contest.h"

/* Score of one criterion in thousandths; 0 when unmarked. */
milli_t score_cell(const struct criterion *k, const struct cell *cell);
/* True when the cell counts as fully marked (a judgement once all its judges have marked). */
bool cell_complete(const struct criterion *k, const struct cell *cell);
/* True when every criterion of the stage is complete. */
bool stage_marked(const struct scheme *s, const struct cell *row, const struct stage *st);
/* True when every criterion of the stage is complete and its score reaches stage.pass. */
bool stage_passed(const struct scheme *s, const struct cell *row, const struct stage *st);
/* The index of the module's first stage not passed (n_stages when all have). */
int stage_current(const struct scheme *s, const struct cell *row, const struct module *mod);
/* round3(max × (zero_after − t) / (zero_after − full_within)), clamped to [0, max]. */
milli_t score_time(const struct criterion *k, milli_t seconds);
/* Fills r (whose arrays are allocated) from the contestant's row of n_criteria cells. */
void score_result(const struct scheme *s, const struct cell *row, struct result *r);
/* The same when only one criterion changed since r was computed: its module is
 * rescored, the others are kept. */
void score_after_change(const struct scheme *s, const struct cell *row, int criterion,
                        struct result *r);

#endif
