/* Awards (DESIGN §4): with n contestants in the award scope, award k goes to ranks up to
 * floor(n × (ratio₁+…+ratioₖ) + 0.5) not already awarded; ties share the better award. */
#include "core/contest.h"

int contest_award(const struct contest *c, int contestant)
{
    const struct scheme *s = &c->scheme;
    struct scope scope = standings_award_scope(s, contestant);
    int64_t n = (int64_t)standings_scope_size(&c->standings, scope);
    int64_t rank = (int64_t)standings_rank(&c->standings, s, scope, contestant,
                                           &c->results[contestant]);
    int64_t cumulative = 0;
    for (int k = 0; k < s->n_awards; k++) {
        cumulative += s->awards[k].ratio_micro;
        /* Ranks are shared by ties, so a tie at the boundary all fall within it. */
        if (rank <= (n * cumulative + MICRO / 2) / MICRO) return k;
    }
    return -1;
}
