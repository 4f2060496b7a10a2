/* Standings in every scope (overall, group, venue, module), each an order-statistic tree
 * so one mark moves a contestant in O(log n) per affected scope, never re-sorting a field. */
#ifndef JX_CORE_STANDINGS_H
#define JX_CORE_STANDINGS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/scheme.h"

struct ostree;
struct result;

enum scope_kind { SCOPE_OVERALL, SCOPE_GROUP, SCOPE_VENUE, SCOPE_MODULE };
struct scope {
    enum scope_kind kind;
    int index; /* group, venue or module index; 0 for overall */
};

struct standings {
    int n_rank_values;         /* total + one per tiebreak */
    struct ostree *overall;
    struct ostree **groups;    /* per group */
    struct ostree **venues;    /* per venue */
    struct ostree **modules;   /* per module, keyed by module score alone */
    int n_groups, n_venues, n_modules;
};

int standings_init(struct standings *st, const struct scheme *s);
void standings_release(struct standings *st);
/* Places a new contestant with its (usually empty) result. */
int standings_insert(struct standings *st, const struct scheme *s, int contestant,
                     const struct result *r);
/* Moves a contestant from its old result to its new one in every scope it belongs to. */
int standings_move(struct standings *st, const struct scheme *s, int contestant,
                   const struct result *before, const struct result *after);
/* Rank of the contestant in the scope ("1, 2, 2, 4"): 1 + those strictly ahead. */
size_t standings_rank(const struct standings *st, const struct scheme *s, struct scope scope,
                      int contestant, const struct result *r);
size_t standings_scope_size(const struct standings *st, struct scope scope);
/* Calls fn(contestant, rank, arg) in standings order; stops when fn returns non-zero. */
int standings_each(const struct standings *st, struct scope scope,
                   int (*fn)(int contestant, size_t rank, void *arg), void *arg);
/* Calls fn(contestant, rank, arg), in standings order, for every contestant whose ranking
 * values in the scope lie between those of results a and b (either order, ties with either
 * end included): when one contestant moves from a to b, these are all whose rank can have
 * changed (none when a and b rank alike). Returns how many there are; when more than
 * limit, fn is not called. */
size_t standings_between(const struct standings *st, const struct scheme *s, struct scope scope,
                         const struct result *a, const struct result *b, size_t limit,
                         int (*fn)(int contestant, size_t rank, void *arg), void *arg);
/* The scope in which a contestant's award is decided. */
struct scope standings_award_scope(const struct scheme *s, int contestant);

/* Parses "overall", "group:ID", "venue:ID" or "module:ID"; false when unknown. */
bool scope_parse(const struct scheme *s, const char *text, struct scope *out);
bool scope_contains(const struct scheme *s, struct scope scope, int contestant);

#endif
