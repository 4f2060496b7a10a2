/* What displays show, as JSON: the board (every contestant's scores, ranks in every scope,
 * award and module progress) and the small delta one commit makes to it (docs/live.md). */
#ifndef JX_LIVE_BOARD_H
#define JX_LIVE_BOARD_H

#include <jansson.h>
#include <stdint.h>

#include "app/app.h"

/* The judging part of the board at sequence seq (spectator data is added by the caller). */
json_t *board_json(const struct competition *comp, int64_t seq);
/* One contestant's live state: total, complete, award, modules, progress and ranks. */
json_t *board_entry(const struct contest *contest, int contestant);

/* Collects the contestants a command is about to change, then what changed for everyone. */
struct delta;
struct delta *delta_begin(const struct contest *contest);
/* Records the contestant's result before the change (once per contestant). 0 or -1.
 * A NULL d (nobody watches: no delta) records nothing and returns 0. */
int delta_touch(struct delta *d, int contestant);
/* After the change: {"seq","at","changed":[…]}, or NULL when so many contestants moved
 * that a snapshot says it better (or memory ran out, or d is NULL). Frees d. */
json_t *delta_finish(struct delta *d, int64_t seq, int64_t at_ms);
void delta_free(struct delta *d);

#endif
