/* The competition as organisers define it (DESIGN §4): groups, venues, components,
 * modules, criteria, ranking rules and contestants, with every reference resolved to an index. */
#ifndef JX_CORE_SCHEME_H
#define JX_CORE_SCHEME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/fixed.h"
#include "core/strmap.h"

#define MAX_CRITERIA 5000        /* criteria in one competition */
#define MAX_CELLS 20000000LL     /* contestants × criteria held in memory */

enum criterion_kind { KIND_MEASUREMENT, KIND_JUDGEMENT, KIND_DEDUCTION, KIND_TIME, KIND_AUTO };
#define KIND_COUNT 5

const char *criterion_kind_name(enum criterion_kind kind);
/* Index of the kind named name, or -1. */
int criterion_kind_from_name(const char *name);

struct named { /* a group, venue or the like: id and display name, both owned */
    char *id;
    char *name;
};

struct component {
    char *id, *name;
    int64_t weight_micro; /* weight in millionths; the weights of a scheme sum to MICRO */
    milli_t max;          /* sum of its modules' max */
};

/* How device signals score an auto or time criterion (docs/devices.md). */
enum rule_type { RULE_NONE, RULE_PASS, RULE_THRESHOLDS, RULE_ELAPSED, RULE_FAULT };
struct threshold_step {
    milli_t limit, score;
};
struct rule {
    enum rule_type type;
    char *signal;         /* pass, thresholds: the reading; elapsed: stop; fault: cleared */
    char *start;          /* elapsed: the start signal; fault: the injected signal */
    bool lower_better;    /* thresholds */
    struct threshold_step *steps;
    int n_steps;
    milli_t within;       /* fault, auto: thousandths of a second */
};

struct criterion {
    char *id, *name;
    enum criterion_kind kind;
    int module;            /* index into scheme.modules */
    milli_t max;           /* > 0 */
    int judges;            /* judgement: how many judges mark it (>= 1) */
    milli_t full_within;   /* time: thousandths of a second */
    milli_t zero_after;    /* time: > full_within */
    struct rule rule;      /* auto, time: RULE_NONE when marked by hand only */
};

/* A stage of a 闯关 module: consecutive criteria; a later stage counts only once every
 * earlier one has passed (all its criteria complete and its score at least pass). */
struct stage {
    char *id, *name;
    int first_criterion, n_criteria; /* indexes into scheme.criteria */
    milli_t pass;
};

struct module {
    char *id, *name;
    int component;         /* index into scheme.components */
    int first_criterion;   /* criteria of a module are contiguous in scheme.criteria */
    int n_criteria;
    milli_t max;           /* sum of its criteria's max */
    struct stage *stages;  /* NULL: no stages, every criterion counts */
    int n_stages;
};

enum tiebreak_kind { TIEBREAK_COMPONENT, TIEBREAK_MODULE, TIEBREAK_TIME };
struct tiebreak {
    enum tiebreak_kind kind;
    int index; /* component or module index; unused for time */
};

struct award {
    char *name;
    int64_t ratio_micro; /* ratio in millionths; the ratios of a scheme sum to <= MICRO */
};

enum award_scope { AWARD_SCOPE_OVERALL, AWARD_SCOPE_GROUP, AWARD_SCOPE_VENUE };

struct contestant {
    char *id, *name;
    int group, venue;      /* indexes */
    char *station, *org;   /* may be empty strings, never NULL */
};

/* Invariants (checked by scheme_validate): ids unique within their kind; every index
 * in range; each component has at least one module; weights sum to exactly 1. */
struct scheme {
    char *id, *title;
    struct named *groups;  int n_groups;
    struct named *venues;  int n_venues;
    struct component *components; int n_components;
    struct module *modules;       int n_modules;
    struct criterion *criteria;   int n_criteria;
    struct tiebreak *tiebreaks;   int n_tiebreaks;
    struct award *awards;         int n_awards;
    enum award_scope award_scope;
    struct contestant *contestants; int n_contestants, cap_contestants;
    struct strmap contestant_index; /* id → index into contestants */
    struct strmap station_index;    /* station → index into contestants, -2 when shared */
};

void scheme_release(struct scheme *s);
/* Appends a contestant (taking ownership of its strings) and indexes it; -1 when the id
 * is taken or memory runs out (then the strings are still the caller's). */
int scheme_add_contestant(struct scheme *s, struct contestant *c);
/* Checks the invariants above and fills the derived maxima; -1 with e filled. */
struct jx_error;
int scheme_validate(struct scheme *s, struct jx_error *e);

int scheme_group(const struct scheme *s, const char *id);
int scheme_venue(const struct scheme *s, const char *id);
int scheme_component(const struct scheme *s, const char *id);
int scheme_module(const struct scheme *s, const char *id);
int scheme_criterion(const struct scheme *s, const char *id);
/* The contestant at a station (devices address stations): -1 none, -2 shared by several. */
int scheme_station(const struct scheme *s, const char *station);
/* Contestant lookup is a hash so large fields stay fast; -1 when unknown. */
int scheme_contestant(const struct scheme *s, const char *id);

#endif
