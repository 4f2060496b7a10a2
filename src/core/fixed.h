/* Exact decimal arithmetic for scores: every score is an integer number of thousandths
 * (milli), and round3 is "round to 0.001, half away from zero" done on integers. */
#ifndef JX_CORE_FIXED_H
#define JX_CORE_FIXED_H

#include <stdbool.h>
#include <stdint.h>

typedef int64_t milli_t; /* thousandths of a point (or of a second) */

#define MILLI 1000
#define MICRO 1000000

/* num / den rounded half away from zero; den > 0. Exact for any int64 inputs. */
static inline int64_t div_round_half_away(__int128 num, __int128 den)
{
    __int128 q = (2 * (num < 0 ? -num : num) + den) / (2 * den);
    return (int64_t)(num < 0 ? -q : q);
}

/* Converts a decimal number to thousandths when it has at most three decimals and
 * |x| <= 1e12; false otherwise (more decimals, NaN, too large). */
bool milli_from_double(double x, milli_t *out);
/* Same for millionths (component weights). */
bool micro_from_double(double x, int64_t *out);
/* Writes m as a plain decimal with at most three decimals ("87.125", "3", "-0.5").
 * buf must hold 32 bytes. Returns buf. */
char *milli_format(milli_t m, char buf[32]);

#endif
