/* Shared by the harnesses: the demo competition, invariant checks over a contest and its
 * standings documents, and small helpers. A broken invariant prints what broke and
 * traps, so libFuzzer saves the input as a crash. Only fuzz/ code includes this. */
#ifndef JX_FUZZ_H
#define JX_FUZZ_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/contest.h"
#include "core/fixed.h"
#include "core/score.h"
#include "core/standings.h"
#include "format/competition_json.h"
#include "format/mark_json.h"
#include "format/standings_json.h"

#include "demo_competition.inc" /* fuzz/demo_competition.json, by xxd -i in build.sh */

#define CHECK(cond)                                                                        \
    do {                                                                                   \
        if (!(cond)) {                                                                     \
            fprintf(stderr, "\n==fuzz== invariant broken: %s (%s:%d)\n", #cond, __FILE__, \
                    __LINE__);                                                             \
            __builtin_trap();                                                              \
        }                                                                                  \
    } while (0)

/* The checks are not instrumented for coverage: their branches say nothing about the code
 * under test, and tracing their comparisons would slow every run several times over. */
#define FUZZ_CHECKER __attribute__((no_sanitize("coverage")))

#define MAX_TOTAL (100 * MILLI) /* a total is 0–100 points, in thousandths */

/* ---- the demo competition ------------------------------------------------------------ */

static json_t *fuzz_demo_doc(void)
{
    static json_t *doc;
    if (!doc) {
        json_error_t jerr;
        doc = json_loadb((const char *)demo_competition_json, demo_competition_json_len,
                         JSON_REJECT_DUPLICATES, &jerr);
        if (!doc) fprintf(stderr, "demo_competition.json: %d: %s\n", jerr.line, jerr.text);
        CHECK(doc);
    }
    return doc;
}

/* A fresh contest over the demo competition (parsed once; state is per input so that
 * every run is reproducible from its input alone). */
static void fuzz_demo_contest(struct contest *c)
{
    struct scheme s;
    struct jx_error e;
    CHECK(competition_from_json(fuzz_demo_doc(), &s, &e) == 0);
    CHECK(contest_init(c, &s, &e) == 0);
}

/* ---- UTF-8 ----------------------------------------------------------------------------- */

/* Strict UTF-8 (RFC 3629: no overlongs, surrogates or values over U+10FFFF), no NUL. */
FUZZ_CHECKER static int fuzz_valid_utf8(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned char c = s[i];
        size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        if (c == 0 || len == 0 || i + len > n || (len == 2 && c < 0xc2)) return 0;
        for (size_t k = 1; k < len; k++)
            if ((s[i + k] & 0xc0) != 0x80) return 0;
        if (len == 3 && ((c == 0xe0 && s[i + 1] < 0xa0) || (c == 0xed && s[i + 1] >= 0xa0))) return 0;
        if (len == 4 && (c > 0xf4 || (c == 0xf0 && s[i + 1] < 0x90) || (c == 0xf4 && s[i + 1] >= 0x90)))
            return 0;
        i += len;
    }
    return 1;
}

/* An error the API would send as {"error": {...}}. The message must be valid UTF-8 or
 * the server's json_pack fails and the client gets "{}": checked only when
 * JX_FUZZ_STRICT_ERRORS=1, since truncated messages are a known finding (fuzz/README.md). */
FUZZ_CHECKER static void fuzz_check_error(const struct jx_error *e)
{
    static int strict = -1;
    if (strict < 0) strict = getenv("JX_FUZZ_STRICT_ERRORS") && atoi(getenv("JX_FUZZ_STRICT_ERRORS"));
    CHECK(e->status == 400 || e->status == 403 || e->status == 404 || e->status == 409 ||
          e->status == 413 || e->status == 500);
    CHECK(memchr(e->code, 0, sizeof e->code) && e->code[0]);
    CHECK(memchr(e->field, 0, sizeof e->field));
    CHECK(memchr(e->message, 0, sizeof e->message) && e->message[0]);
    if (strict) {
        CHECK(fuzz_valid_utf8((const unsigned char *)e->message, strlen(e->message)));
        CHECK(fuzz_valid_utf8((const unsigned char *)e->field, strlen(e->field)));
    }
}

/* ---- scopes ------------------------------------------------------------------------------ */

/* Every scope of the scheme: overall, each group, venue and module. */
static int fuzz_scopes(const struct scheme *s, struct scope *out, int max)
{
    int n = 0;
    if (n < max) out[n++] = (struct scope){SCOPE_OVERALL, 0};
    for (int i = 0; i < s->n_groups && n < max; i++) out[n++] = (struct scope){SCOPE_GROUP, i};
    for (int i = 0; i < s->n_venues && n < max; i++) out[n++] = (struct scope){SCOPE_VENUE, i};
    for (int i = 0; i < s->n_modules && n < max; i++) out[n++] = (struct scope){SCOPE_MODULE, i};
    return n;
}

/* The scope's text ("group:worker"); buf holds 80 bytes. */
static const char *fuzz_scope_text(const struct scheme *s, struct scope scope, char buf[80])
{
    switch (scope.kind) {
    case SCOPE_GROUP: snprintf(buf, 80, "group:%s", s->groups[scope.index].id); break;
    case SCOPE_VENUE: snprintf(buf, 80, "venue:%s", s->venues[scope.index].id); break;
    case SCOPE_MODULE: snprintf(buf, 80, "module:%s", s->modules[scope.index].id); break;
    default: snprintf(buf, 80, "overall");
    }
    return buf;
}

/* ---- invariants ------------------------------------------------------------------------- */

/* The values a contestant is ranked by in a scope, written from DESIGN §4 independently
 * of standings.c: total then tiebreaks (time ascending), or the module score alone. */
FUZZ_CHECKER static int fuzz_rank_values(const struct contest *c, struct scope scope, int who,
                                         int64_t *out)
{
    const struct scheme *s = &c->scheme;
    const struct result *r = &c->results[who];
    if (scope.kind == SCOPE_MODULE) {
        out[0] = r->modules[scope.index];
        return 1;
    }
    out[0] = r->total;
    for (int i = 0; i < s->n_tiebreaks; i++) {
        const struct tiebreak *t = &s->tiebreaks[i];
        out[i + 1] = t->kind == TIEBREAK_COMPONENT ? r->components[t->index]
                     : t->kind == TIEBREAK_MODULE  ? r->modules[t->index]
                                                   : -r->time_sum;
    }
    return 1 + s->n_tiebreaks;
}

/* -1 when a ranks ahead of b, 0 when tied, 1 when behind. */
FUZZ_CHECKER static int fuzz_compare(const struct contest *c, struct scope scope, int a, int b)
{
    int64_t va[40], vb[40];
    int n = fuzz_rank_values(c, scope, a, va);
    fuzz_rank_values(c, scope, b, vb);
    for (int i = 0; i < n; i++)
        if (va[i] != vb[i]) return va[i] > vb[i] ? -1 : 1;
    return 0;
}

FUZZ_CHECKER static int fuzz_in_scope(const struct scheme *s, struct scope scope, int who)
{
    switch (scope.kind) {
    case SCOPE_GROUP: return s->contestants[who].group == scope.index;
    case SCOPE_VENUE: return s->contestants[who].venue == scope.index;
    default: return 1;
    }
}

/* The rank by brute force: 1 + members of the scope strictly ahead. */
FUZZ_CHECKER static size_t fuzz_rank(const struct contest *c, struct scope scope, int who)
{
    size_t ahead = 0;
    for (int b = 0; b < c->scheme.n_contestants; b++)
        if (fuzz_in_scope(&c->scheme, scope, b) && fuzz_compare(c, scope, b, who) < 0) ahead++;
    return 1 + ahead;
}

/* Brute-force ranks of every member of the scope (0 for the others). */
FUZZ_CHECKER static void fuzz_ranks(const struct contest *c, struct scope scope, size_t *ranks)
{
    int n = c->scheme.n_contestants;
    for (int a = 0; a < n; a++) ranks[a] = fuzz_in_scope(&c->scheme, scope, a) ? 1 : 0;
    for (int a = 0; a < n; a++) {
        if (!ranks[a]) continue;
        for (int b = 0; b < a; b++) {
            if (!ranks[b]) continue;
            int order = fuzz_compare(c, scope, a, b);
            if (order < 0) ranks[b]++;
            if (order > 0) ranks[a]++;
        }
    }
}

struct fuzz_walk {
    const struct contest *c;
    struct scope scope;
    size_t size, position, previous_rank;
    int previous;
    unsigned char *seen;
    const size_t *ranks;
};

FUZZ_CHECKER static int fuzz_visit(int who, size_t rank, void *arg)
{
    struct fuzz_walk *w = arg;
    const struct contest *c = w->c;
    CHECK(who >= 0 && who < c->scheme.n_contestants);
    CHECK(!w->seen[who]);
    w->seen[who] = 1;
    CHECK(fuzz_in_scope(&c->scheme, w->scope, who));
    w->position++;
    /* Ranks start at 1, never exceed the scope size, and go "1, 2, 2, 4". */
    CHECK(rank >= 1 && rank <= w->size);
    CHECK(w->position > 1 || rank == 1);
    CHECK(rank == w->ranks[who]);
    CHECK(rank == standings_rank(&c->standings, &c->scheme, w->scope, who, &c->results[who]));
    if (w->position > 1) {
        int order = fuzz_compare(c, w->scope, w->previous, who);
        CHECK(order <= 0);
        CHECK(order == 0 ? rank == w->previous_rank : rank == w->position);
    }
    w->previous = who;
    w->previous_rank = rank;
    return 0;
}

/* Walks the scope's standings; fills ranks[who] (brute force) for its members. */
FUZZ_CHECKER static void fuzz_check_scope(const struct contest *c, struct scope scope, size_t *ranks)
{
    const struct scheme *s = &c->scheme;
    size_t members = 0;
    for (int i = 0; i < s->n_contestants; i++) {
        CHECK(scope_contains(s, scope, i) == (bool)fuzz_in_scope(s, scope, i));
        members += (size_t)fuzz_in_scope(s, scope, i);
    }
    fuzz_ranks(c, scope, ranks);
    struct fuzz_walk w = {c, scope, standings_scope_size(&c->standings, scope), 0, 0, -1,
                          calloc((size_t)s->n_contestants + 1, 1), ranks};
    CHECK(w.seen);
    CHECK(w.size == members);
    CHECK(standings_each(&c->standings, scope, fuzz_visit, &w) == 0);
    CHECK(w.position == members);
    free(w.seen);
}

/* A lighter check after each mark: the contestant's result (range, freshness) and the
 * standings of the scopes it is ranked in, except module scopes. */
FUZZ_CHECKER static void fuzz_check_contestant(const struct contest *c, int who)
{
    const struct scheme *s = &c->scheme;
    const struct result *r = &c->results[who];
    CHECK(r->total >= 0 && r->total <= MAX_TOTAL);
    struct result fresh = {0};
    fresh.modules = calloc((size_t)s->n_modules + (size_t)s->n_components + 1, sizeof(milli_t));
    CHECK(fresh.modules);
    fresh.components = fresh.modules + s->n_modules;
    score_result(s, contest_cell(c, who, 0), &fresh);
    CHECK(fresh.total == r->total && fresh.time_sum == r->time_sum && fresh.n_marked == r->n_marked);
    CHECK(memcmp(fresh.modules, r->modules,
                 ((size_t)s->n_modules + (size_t)s->n_components) * sizeof(milli_t)) == 0);
    free(fresh.modules);
    size_t *ranks = calloc((size_t)s->n_contestants + 1, sizeof *ranks);
    CHECK(ranks);
    fuzz_check_scope(c, (struct scope){SCOPE_OVERALL, 0}, ranks);
    fuzz_check_scope(c, (struct scope){SCOPE_GROUP, s->contestants[who].group}, ranks);
    fuzz_check_scope(c, (struct scope){SCOPE_VENUE, s->contestants[who].venue}, ranks);
    free(ranks);
}

/* Everything that must hold of a contest at rest. */
FUZZ_CHECKER static void fuzz_check_contest(const struct contest *c)
{
    const struct scheme *s = &c->scheme;
    int n_people = s->n_contestants;
    struct result fresh = {0};
    fresh.modules = calloc((size_t)s->n_modules + (size_t)s->n_components + 1, sizeof(milli_t));
    CHECK(fresh.modules);
    fresh.components = fresh.modules + s->n_modules;
    for (int i = 0; i < n_people; i++) {
        const struct result *r = &c->results[i];
        CHECK(r->total >= 0 && r->total <= MAX_TOTAL);
        for (int m = 0; m < s->n_modules; m++)
            CHECK(r->modules[m] >= 0 && r->modules[m] <= s->modules[m].max);
        for (int k = 0; k < s->n_components; k++)
            CHECK(r->components[k] >= 0 && r->components[k] <= MAX_TOTAL);
        CHECK(r->n_marked >= 0 && r->n_marked <= s->n_criteria);
        CHECK(r->time_sum >= 0);
        /* The stored result is the one its cells give now (never stale). */
        score_result(s, contest_cell(c, i, 0), &fresh);
        CHECK(fresh.total == r->total && fresh.time_sum == r->time_sum &&
              fresh.n_marked == r->n_marked);
        CHECK(memcmp(fresh.modules, r->modules,
                     ((size_t)s->n_modules + (size_t)s->n_components) * sizeof(milli_t)) == 0);
        for (int k = 0; k < s->n_criteria; k++) {
            const struct criterion *cr = &s->criteria[k];
            const struct cell *cell = contest_cell(c, i, k);
            CHECK(cell->n_slots >= 0 && cell->n_slots <= (cr->kind == KIND_JUDGEMENT ? cr->judges : 0));
            for (int j = 0; j < cell->n_slots; j++) {
                CHECK(cell->slots[j].grade >= 0 && cell->slots[j].grade <= 3);
                for (int j2 = 0; j2 < j; j2++) CHECK(strcmp(cell->slots[j].judge, cell->slots[j2].judge));
            }
            CHECK(cell->n_entries >= 0 && cell->n_entries <= cell->cap_entries);
            CHECK(cr->kind == KIND_DEDUCTION || cell->n_entries == 0);
            for (int j = 0; j < cell->n_entries; j++)
                CHECK(cell->entries[j].amount >= 0 && cell->entries[j].amount <= cr->max);
            if (cr->kind == KIND_DEDUCTION) CHECK(cell->marked == (cell->n_entries > 0));
            if (cr->kind == KIND_JUDGEMENT) CHECK(cell->marked == (cell->n_slots > 0));
            milli_t score = score_cell(cr, cell);
            CHECK(score >= 0 && score <= cr->max);
        }
    }
    free(fresh.modules);

    /* Every scope; ranks[j * n + who] is who's brute-force rank in scope j. */
    static struct scope scopes[4096];
    int n_scopes = fuzz_scopes(s, scopes, 4096);
    size_t *ranks = calloc((size_t)n_scopes * (size_t)n_people + 1, sizeof *ranks);
    CHECK(ranks);
    for (int j = 0; j < n_scopes; j++) fuzz_check_scope(c, scopes[j], ranks + (size_t)j * n_people);

    /* Awards: within an award scope, a better rank never gets a worse award; ties share.
     * Scope j of an award scope: overall 0, group g 1 + g, venue v 1 + n_groups + v. */
    int *awards = calloc((size_t)n_people + 1, sizeof *awards);
    CHECK(awards);
    for (int a = 0; a < n_people; a++) {
        awards[a] = contest_award(c, a);
        CHECK(awards[a] >= -1 && awards[a] < s->n_awards);
    }
    int complete_scopes = n_scopes == 1 + s->n_groups + s->n_venues + s->n_modules;
    for (int a = 0; a < n_people && complete_scopes; a++) {
        struct scope sa = standings_award_scope(s, a);
        int j = sa.kind == SCOPE_OVERALL ? 0 : sa.kind == SCOPE_GROUP ? 1 + sa.index
                                                                      : 1 + s->n_groups + sa.index;
        const size_t *rank = ranks + (size_t)j * n_people;
        for (int b = 0; b < n_people; b++) {
            if (!rank[b]) continue; /* not in a's award scope */
            if (rank[a] == rank[b]) CHECK(awards[a] == awards[b]);
            if (rank[a] < rank[b] && awards[a] < 0) CHECK(awards[b] < 0);
            if (rank[a] < rank[b] && awards[b] >= 0) CHECK(awards[a] >= 0 && awards[a] <= awards[b]);
        }
    }
    free(awards);
    free(ranks);
}

/* milli from a JSON number of a standings document (at most three decimals). */
FUZZ_CHECKER static milli_t fuzz_json_milli(const json_t *v)
{
    milli_t m;
    CHECK(json_is_number(v));
    CHECK(milli_from_double(json_number_value(v), &m));
    return m;
}

/* standings_to_json for a scope matches the contest exactly. With reparse, the document
 * is dumped as the server sends it and read back first (scores keep their three decimals);
 * that is most of the cost, so callers do it for one scope. */
FUZZ_CHECKER static void fuzz_check_standings_json(const struct contest *c, struct scope scope,
                                                   const char *text, int reparse)
{
    const struct scheme *s = &c->scheme;
    json_t *back = standings_to_json(c, scope, text);
    CHECK(back);
    if (reparse) {
        char *dump = json_dumps(back, JX_JSON_FLAGS);
        CHECK(dump);
        json_decref(back);
        json_error_t jerr;
        back = json_loads(dump, JSON_REJECT_DUPLICATES, &jerr);
        CHECK(back);
        free(dump);
    }
    CHECK(json_is_string(json_object_get(back, "competition")) &&
          strcmp(json_string_value(json_object_get(back, "competition")), s->id) == 0);
    CHECK(json_is_string(json_object_get(back, "scope")) &&
          strcmp(json_string_value(json_object_get(back, "scope")), text) == 0);
    const json_t *entries = json_object_get(back, "entries");
    CHECK(json_is_array(entries));
    size_t size = standings_scope_size(&c->standings, scope);
    CHECK(json_array_size(entries) == size);
    json_int_t previous_rank = 0;
    for (size_t i = 0; i < json_array_size(entries); i++) {
        const json_t *entry = json_array_get(entries, i);
        const json_t *rank = json_object_get(entry, "rank");
        CHECK(json_is_integer(rank));
        CHECK(json_integer_value(rank) >= 1 && (size_t)json_integer_value(rank) <= size);
        CHECK(json_integer_value(rank) >= previous_rank);
        CHECK(i > 0 || json_integer_value(rank) == 1);
        previous_rank = json_integer_value(rank);
        const json_t *id = json_object_get(entry, "contestant");
        CHECK(json_is_string(id));
        int who = scheme_contestant(s, json_string_value(id));
        CHECK(who >= 0 && fuzz_in_scope(s, scope, who));
        CHECK((size_t)json_integer_value(rank) == fuzz_rank(c, scope, who));
        CHECK(fuzz_json_milli(json_object_get(entry, "total")) == c->results[who].total);
        CHECK(json_is_boolean(json_object_get(entry, "complete")) &&
              json_is_true(json_object_get(entry, "complete")) == contest_complete(c, who));
        const json_t *modules = json_object_get(entry, "modules");
        CHECK(json_is_object(modules) && json_object_size(modules) == (size_t)s->n_modules);
        for (int m = 0; m < s->n_modules; m++)
            CHECK(fuzz_json_milli(json_object_get(modules, s->modules[m].id)) ==
                  c->results[who].modules[m]);
        int award = contest_award(c, who);
        const json_t *name = json_object_get(entry, "award");
        if (award < 0) CHECK(!name);
        else CHECK(json_is_string(name) && strcmp(json_string_value(name), s->awards[award].name) == 0);
    }
    json_decref(back);
}

FUZZ_CHECKER static void fuzz_check_all_standings_json(const struct contest *c)
{
    struct scope scopes[4096];
    int n = fuzz_scopes(&c->scheme, scopes, 4096);
    for (int i = 0; i < n; i++) {
        char text[80];
        fuzz_check_standings_json(c, scopes[i], fuzz_scope_text(&c->scheme, scopes[i], text), i == 0);
    }
}

/* A digest of the whole marking state (cells and results), to see that a refused or
 * duplicate mark changed nothing and that two ways of applying marks agree. */
FUZZ_CHECKER static uint64_t fuzz_state_hash(const struct contest *c)
{
    const struct scheme *s = &c->scheme;
    uint64_t h = 1469598103934665603ULL;
#define MIX(v) (h = (h ^ (uint64_t)(v)) * 1099511628211ULL)
    for (int i = 0; i < s->n_contestants; i++) {
        const struct result *r = &c->results[i];
        MIX(r->total);
        MIX(r->time_sum);
        MIX(r->n_marked);
        for (int m = 0; m < s->n_modules + s->n_components; m++) MIX(r->modules[m]);
        for (int k = 0; k < s->n_criteria; k++) {
            const struct cell *cell = contest_cell(c, i, k);
            MIX(cell->marked);
            MIX(cell->marked && s->criteria[k].kind != KIND_DEDUCTION ? cell->value : 0);
            MIX(cell->n_slots);
            for (int j = 0; j < cell->n_slots; j++) {
                MIX(cell->slots[j].grade);
                for (const char *p = cell->slots[j].judge; *p; p++) MIX(*p);
                MIX(0x1f);
            }
            MIX(cell->n_entries);
            for (int j = 0; j < cell->n_entries; j++) {
                MIX(cell->entries[j].amount);
                MIX(cell->entries[j].voided);
            }
        }
    }
    for (int m = 0; m < s->n_modules; m++) MIX(c->locked[m]);
#undef MIX
    return h;
}

#endif
