/* Conversions between JSON-style decimal numbers and exact integer thousandths, and
 * their canonical decimal text. The scoring itself never touches floating point. */
#include "core/fixed.h"

#include <math.h>
#include <stdio.h>

static bool scaled_from_double(double x, double scale, int64_t *out)
{
    if (!isfinite(x) || fabs(x) > 1e12) return false;
    double scaled = x * scale;
    double nearest = round(scaled);
    /* A decimal such as 0.125 is not exact in binary: accept what lies within a few
     * units in the last place of the nearest integer, and nothing coarser. */
    if (fabs(scaled - nearest) > (fabs(nearest) + 1.0) * 8e-16) return false;
    *out = (int64_t)nearest;
    return true;
}

bool milli_from_double(double x, milli_t *out) { return scaled_from_double(x, 1e3, out); }

bool micro_from_double(double x, int64_t *out) { return scaled_from_double(x, 1e6, out); }

char *milli_format(milli_t m, char buf[32])
{
    const char *sign = m < 0 ? "-" : "";
    uint64_t a = m < 0 ? (uint64_t)0 - (uint64_t)m : (uint64_t)m;
    uint64_t whole = a / MILLI, frac = a % MILLI;
    if (frac == 0)
        snprintf(buf, 32, "%s%llu", sign, (unsigned long long)whole);
    else if (frac % 100 == 0)
        snprintf(buf, 32, "%s%llu.%llu", sign, (unsigned long long)whole,
                 (unsigned long long)(frac / 100));
    else if (frac % 10 == 0)
        snprintf(buf, 32, "%s%llu.%02llu", sign, (unsigned long long)whole,
                 (unsigned long long)(frac / 10));
    else
        snprintf(buf, 32, "%s%llu.%03llu", sign, (unsigned long long)whole,
                 (unsigned long long)frac);
    return buf;
}
