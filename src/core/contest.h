/* The live state of one competition: its scheme, every effective mark, the scores they
 * give and the standings in every scope. Commands are checked and applied here; no I/O. */
#ifndef JX_CORE_CONTEST_H
#define JX_CORE_CONTEST_H

#include <stdbool.h>

#include "core/error.h"
#include "core/scheme.h"
#include "core/standings.h"
#include "core/strmap.h"

enum mark_type { MARK_VALUE, MARK_DEDUCTION, MARK_VOID };

/* One MARK command (DESIGN §5), parsed but not yet checked against the scheme.
 * Strings are borrowed; NULL when absent. value is in thousandths (points, or seconds
 * for a time criterion, or the 0–3 grade × 1000 for a judgement). */
struct mark {
    const char *key;
    enum mark_type type;
    const char *contestant, *criterion, *judge, *reason, *void_key;
    milli_t value;
    bool has_seconds; /* the value came as "seconds" rather than "value" */
    int64_t at_ms;    /* server time of the command, 0 unknown: only stage clocks read it */
};

struct judgement_slot {
    char *judge;
    int grade; /* 0–3 */
};

struct deduction_entry {
    milli_t amount;
    bool voided;
};

/* The judge name automatic marks carry; a value from anyone else is a person's. */
#define DEVICE_JUDGE "device"

/* The marks of one contestant on one criterion. */
struct cell {
    bool marked;
    bool by_person;               /* the latest value came from a person: devices keep off */
    milli_t value;                /* measurement, time, auto: the latest value */
    int n_slots;                  /* judgement: one slot per judge, at most criterion.judges */
    struct judgement_slot *slots;
    int n_entries, cap_entries;   /* deduction entries, in order */
    struct deduction_entry *entries;
};

struct result {
    milli_t total;
    milli_t *modules;     /* per module */
    milli_t *components;  /* per component */
    milli_t time_sum;     /* seconds over time criteria, missing = zero_after */
    int n_marked;         /* criteria with a mark */
};

#define FINGERPRINT_SIZE 16

/* What an idempotency key stands for: a digest of its mark, and where it landed. */
struct key_record {
    unsigned char fingerprint[FINGERPRINT_SIZE];
    int contestant, criterion;
    int entry; /* the deduction entry it created, or -1 */
};

struct contest {
    struct scheme scheme;
    struct cell *cells;       /* n_contestants × n_criteria, row per contestant */
    int cap_rows;             /* rows allocated in cells and results */
    struct result *results;   /* per contestant */
    bool *locked;             /* per module */
    struct strmap keys;       /* idempotency key → index into key_records */
    struct key_record *key_records;
    int64_t n_keys, cap_keys;
    struct standings standings;
    bool standings_paused;    /* replay: the trees are built once at the end */
    struct result scratch;    /* a result's state before a change (no malloc per mark) */
    struct strmap signal_times; /* "contestant-index/signal" → server ms it last arrived */
    int *stage_base;          /* per module: its first slot in a stage clock row, -1: no stages */
    int n_stage_slots;        /* per contestant: for each staged module, 1 + its stages */
    int64_t *stage_clock;     /* n_contestants × n_stage_slots, see contest_stage_clock */
};

/* Takes ownership of a validated scheme (contestants included) and builds empty state. */
int contest_init(struct contest *c, struct scheme *scheme, struct jx_error *e);
void contest_release(struct contest *c);

/* Replay of a long log: stop maintaining standings mark by mark, then build every tree
 * once from the results. Scores are kept up to date throughout. */
void contest_pause_standings(struct contest *c);
int contest_resume_standings(struct contest *c);

/* Adds a contestant (ownership of its strings passes on success). */
int contest_add_contestant(struct contest *c, struct contestant *who, struct jx_error *e);

enum apply_outcome { APPLY_ACCEPTED, APPLY_DUPLICATE };
/* Checks a mark against the scheme and current state and applies it. Returns
 * APPLY_ACCEPTED or APPLY_DUPLICATE, or -1 with e filled and nothing changed. */
int contest_apply_mark(struct contest *c, const struct mark *m, struct jx_error *e);
/* Applies marks in order, all or nothing: on a refusal every earlier mark of the batch is
 * undone, *failed is the refused mark's index and -1 is returned with e filled; otherwise
 * outcomes[i] is each mark's APPLY_ACCEPTED or APPLY_DUPLICATE and 0 is returned. */
int contest_apply_batch(struct contest *c, const struct mark *marks, int n, int *outcomes,
                        int *failed, struct jx_error *e);
/* Checks without applying: the same answer contest_apply_mark would give. */
int contest_check_mark(const struct contest *c, const struct mark *m, struct jx_error *e);

/* Idempotency for commands other than marks that carry a key (device signals); m says
 * what the key stands for. 0: unseen; APPLY_DUPLICATE: seen with the same content; -1
 * with e (409 key_conflict): seen with other content. */
int contest_seen_key(const struct contest *c, const struct mark *m, struct jx_error *e);
/* Records such a key for the contestant; 0 or -1 out of memory. */
int contest_record_key(struct contest *c, const struct mark *m, int contestant);

/* Signs a module off (locks it) or unlocks it; unlocking needs a reason. */
int contest_lock_module(struct contest *c, int module, struct jx_error *e);
int contest_unlock_module(struct contest *c, int module, const char *reason, struct jx_error *e);

/* A contestant's clock in a module with stages, in server ms (0: unknown or not yet):
 * [0] when the module began (its first mark or rule start signal), [1 + k] when stage k
 * was first passed (kept when a correction takes the pass away for a while; only the
 * stages before the current one count as passed). NULL for a module without stages. */
const int64_t *contest_stage_clock(const struct contest *c, int contestant, int module);
/* Starts a contestant's clock in a staged module if it has not started (a start signal). */
void contest_start_stage_clock(struct contest *c, int contestant, int module, int64_t at_ms);

/* True when every criterion of the contestant has a mark. */
bool contest_complete(const struct contest *c, int contestant);
const struct cell *contest_cell(const struct contest *c, int contestant, int criterion);
/* The award the contestant holds in its award scope: index into scheme.awards, or -1. */
int contest_award(const struct contest *c, int contestant);
/* True when a judgement cell's grades spread by more than 1. */
bool cell_disputed(const struct criterion *k, const struct cell *cell);

#endif
