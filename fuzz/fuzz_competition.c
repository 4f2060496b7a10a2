/* Harness: the competition file parser. Each input is a competition document (the body
 * of POST /api/v1/competitions, or COMPETITION.json of `jiangxing score`), read with
 * competition_from_json and, when valid, turned into a contest with contest_init.
 *
 * For a valid scheme small enough to mark by brute force, every contestant then gets full
 * marks on every criterion, which must give exactly 100 points and a tie at rank 1 in
 * every scope (weights sum to 1); then the first contestant is marked down to nothing
 * (replacements carry a reason), which must give 0 and the last rank everywhere. */
#include "fuzz.h"

#define MAX_MARKS 20000 /* contestants × criteria × judges, per phase */
#define MAX_MARK_SECONDS (10000000LL * MILLI)

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    json_object_seed(1);
    return 0;
}

struct marker {
    struct contest *c;
    int serial;
    char key[64], judge[16];
};

static int apply(struct marker *mk, struct mark *m)
{
    struct jx_error e;
    snprintf(mk->key, sizeof mk->key, "fuzz-%d", mk->serial++);
    m->key = mk->key;
    int rc = contest_apply_mark(mk->c, m, &e);
    if (rc < 0) {
        fuzz_check_error(&e);
        fprintf(stderr, "==fuzz== mark refused: %s (%s)\n", e.message, e.code);
    }
    return rc;
}

/* Marks criterion k of contestant who with its best (full) or worst (!full) value. */
static void mark_cell(struct marker *mk, int who, int k, int full)
{
    const struct scheme *s = &mk->c->scheme;
    const struct criterion *cr = &s->criteria[k];
    struct mark m = {.type = MARK_VALUE, .contestant = s->contestants[who].id, .criterion = cr->id,
                     .reason = full ? NULL : "fuzz: marked down"};
    switch (cr->kind) {
    case KIND_JUDGEMENT:
        for (int j = 0; j < cr->judges; j++) {
            snprintf(mk->judge, sizeof mk->judge, "j%d", j + 1);
            m.judge = mk->judge;
            m.value = full ? 3 * MILLI : 0;
            CHECK(apply(mk, &m) == APPLY_ACCEPTED);
        }
        return;
    case KIND_DEDUCTION:
        m.type = MARK_DEDUCTION;
        m.value = full ? 0 : cr->max;
        m.reason = full ? "fuzz: nothing to deduct" : "fuzz: everything deducted";
        break;
    case KIND_TIME: /* contest.c takes at most 10^7 seconds */
        m.has_seconds = true;
        m.value = full ? 0 : cr->zero_after < MAX_MARK_SECONDS ? cr->zero_after : MAX_MARK_SECONDS;
        break;
    default: m.value = full ? cr->max : 0;
    }
    CHECK(apply(mk, &m) == APPLY_ACCEPTED);
}

static void mark_everything(struct contest *c)
{
    const struct scheme *s = &c->scheme;
    int64_t judges = 0;
    int zeroable = 1;
    for (int k = 0; k < s->n_criteria; k++) {
        judges += s->criteria[k].kind == KIND_JUDGEMENT ? s->criteria[k].judges : 1;
        /* contest.c refuses more than 10^7 seconds: a later limit cannot be reached. */
        if (s->criteria[k].kind == KIND_TIME && s->criteria[k].zero_after > MAX_MARK_SECONDS)
            zeroable = 0;
    }
    if ((int64_t)s->n_contestants * judges > MAX_MARKS || s->n_contestants == 0) return;

    struct marker mk = {c, 0, "", ""};
    for (int i = 0; i < s->n_contestants; i++)
        for (int k = 0; k < s->n_criteria; k++) mark_cell(&mk, i, k, 1);
    fuzz_check_contest(c);
    for (int i = 0; i < s->n_contestants; i++) {
        CHECK(c->results[i].total == MAX_TOTAL);
        CHECK(contest_complete(c, i));
        for (int k = 0; k < s->n_components; k++) CHECK(c->results[i].components[k] == MAX_TOTAL);
        for (int m = 0; m < s->n_modules; m++) CHECK(c->results[i].modules[m] == s->modules[m].max);
    }
    struct scope scopes[4096];
    int n = fuzz_scopes(s, scopes, 4096);
    for (int j = 0; j < n; j++)
        for (int i = 0; i < s->n_contestants; i++)
            if (fuzz_in_scope(s, scopes[j], i))
                CHECK(standings_rank(&c->standings, s, scopes[j], i, &c->results[i]) == 1);

    /* The first contestant loses everything. */
    for (int k = 0; k < s->n_criteria; k++) mark_cell(&mk, 0, k, 0);
    fuzz_check_contest(c);
    if (!zeroable) return;
    CHECK(c->results[0].total == 0);
    for (int j = 0; j < n; j++)
        if (fuzz_in_scope(s, scopes[j], 0))
            CHECK(standings_rank(&c->standings, s, scopes[j], 0, &c->results[0]) ==
                  standings_scope_size(&c->standings, scopes[j]));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_error_t jerr;
    json_t *doc = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &jerr);
    if (!doc) return 0;
    struct scheme s;
    struct jx_error e;
    if (competition_from_json(doc, &s, &e) != 0) {
        fuzz_check_error(&e);
        json_decref(doc);
        return 0;
    }
    json_decref(doc); /* the scheme owns copies of everything */

    /* What scheme_validate promises. */
    CHECK(id_is_valid(s.id));
    CHECK(s.n_components > 0 && s.n_modules > 0 && s.n_criteria > 0);
    __int128 weights = 0, ratios = 0; /* no overflow here, whatever the parser let through */
    for (int i = 0; i < s.n_components; i++) {
        CHECK(s.components[i].weight_micro >= 0 && s.components[i].max > 0);
        weights += s.components[i].weight_micro;
    }
    CHECK(weights == MICRO);
    for (int i = 0; i < s.n_awards; i++) ratios += s.awards[i].ratio_micro;
    CHECK(ratios >= 0 && ratios <= MICRO);
    for (int k = 0; k < s.n_criteria; k++) {
        const struct criterion *cr = &s.criteria[k];
        CHECK(id_is_valid(cr->id) && cr->max > 0 && cr->max <= 1000 * MILLI);
        CHECK(cr->module >= 0 && cr->module < s.n_modules);
        if (cr->kind == KIND_JUDGEMENT) CHECK(cr->judges >= 1 && cr->judges <= 15);
        if (cr->kind == KIND_TIME) CHECK(cr->full_within >= 0 && cr->zero_after > cr->full_within);
        CHECK(scheme_criterion(&s, cr->id) == k);
    }
    for (int m = 0; m < s.n_modules; m++) {
        CHECK(s.modules[m].component >= 0 && s.modules[m].component < s.n_components);
        CHECK(s.modules[m].n_criteria > 0 && s.modules[m].max > 0);
        CHECK(scheme_module(&s, s.modules[m].id) == m);
    }
    for (int i = 0; i < s.n_contestants; i++) {
        const struct contestant *who = &s.contestants[i];
        CHECK(id_is_valid(who->id) && scheme_contestant(&s, who->id) == i);
        CHECK(who->group >= 0 && who->group < s.n_groups);
        CHECK(who->venue >= 0 && who->venue < s.n_venues);
        CHECK(who->name && who->station && who->org);
    }
    for (int i = 0; i < s.n_tiebreaks; i++)
        CHECK(s.tiebreaks[i].kind == TIEBREAK_TIME ||
              (s.tiebreaks[i].index >= 0 &&
               s.tiebreaks[i].index < (s.tiebreaks[i].kind == TIEBREAK_COMPONENT ? s.n_components
                                                                                 : s.n_modules)));

    struct contest c;
    if (contest_init(&c, &s, &e) != 0) {
        fuzz_check_error(&e);
        return 0;
    }
    fuzz_check_contest(&c);
    /* Every scope's text parses back to that scope. */
    struct scope scopes[4096];
    int n = fuzz_scopes(&c.scheme, scopes, 4096);
    for (int i = 0; i < n; i++) {
        char text[80];
        struct scope back;
        fuzz_scope_text(&c.scheme, scopes[i], text);
        CHECK(scope_parse(&c.scheme, text, &back));
        /* Ids are unique within a kind, so the scope found is the same one. */
        CHECK(back.kind == scopes[i].kind && back.index == scopes[i].index);
    }
    fuzz_check_standings_json(&c, (struct scope){SCOPE_OVERALL, 0}, "overall", 1);
    mark_everything(&c);
    fuzz_check_standings_json(&c, (struct scope){SCOPE_OVERALL, 0}, "overall", 1);
    contest_release(&c);
    return 0;
}
