/* Harness: marks. The demo competition (fuzz/demo_competition.json: 8 contestants, three
 * groups, two venues, every criterion kind) is parsed once; each input is a MARKS.jsonl
 * file, split into lines exactly as `jiangxing score` does (getline, blank lines skipped,
 * json_loads with JSON_REJECT_DUPLICATES), each line read by mark_from_json and applied
 * by contest_apply_mark to a fresh contest over that competition.
 *
 * Checked, with __builtin_trap() when broken:
 *  - contest_check_mark gives the answer contest_apply_mark then gives;
 *  - a key already used is a duplicate when the mark is the same field for field, and a
 *    409 key_conflict otherwise;
 *  - a refused or duplicate mark changes nothing; an accepted one, sent again, is a duplicate;
 *  - after every accepted mark, for its contestant: total 0–100 points and equal to a
 *    rescoring from the cells; in the overall, group and venue standings, ranks that start
 *    at 1, never exceed the scope size, go "1, 2, 2, 4" and equal a brute-force ranking;
 *  - after all marks, the same for every contestant and every scope (module scopes too),
 *    scores in range, cells consistent, and awards never worse for a better rank;
 *  - standings_to_json (overall, dumped and read back, and a group, venue and module scope
 *    picked by the input) matches the contest exactly;
 *  - the accepted marks, applied again as one batch to a fresh contest, give the same state;
 *    all the marks as one batch are refused at the first mark refused one by one, and then
 *    leave the contest as new (keys forgotten: the prefix applies again, accepted). */
#include "fuzz.h"

#define MAX_LINES 200

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    json_object_seed(1);
    fuzz_demo_doc();
    return 0;
}

struct parsed {
    json_t *objs[MAX_LINES];
    struct mark marks[MAX_LINES];
    int outcomes[MAX_LINES]; /* one by one: APPLY_ACCEPTED, APPLY_DUPLICATE or -1 */
    int n_objs, n;
};

/* Splits the input as apply_marks_file in src/cli/score.c does and reads each mark. */
static void read_lines(const uint8_t *data, size_t size, struct parsed *p)
{
    FILE *f = fmemopen((void *)data, size, "r");
    if (!f) return;
    char *line = NULL;
    size_t cap = 0;
    int line_no = 0;
    while (p->n_objs < MAX_LINES && getline(&line, &cap, f) >= 0) {
        line_no++;
        if (strspn(line, " \t\r\n") == strlen(line)) continue;
        json_error_t jerr;
        json_t *obj = json_loads(line, JSON_REJECT_DUPLICATES, &jerr);
        if (!obj) continue;
        p->objs[p->n_objs++] = obj;
        char field[32];
        struct jx_error e;
        snprintf(field, sizeof field, "line %d", line_no);
        if (mark_from_json(obj, field, &p->marks[p->n], &e) != 0) {
            fuzz_check_error(&e);
            continue;
        }
        const struct mark *m = &p->marks[p->n];
        /* The parser's promises: a key, exactly one kind, sizes capped. */
        CHECK(m->key && *m->key && strlen(m->key) <= MAX_KEY);
        CHECK(m->type == MARK_VOID ? m->void_key != NULL : m->contestant && m->criterion);
        CHECK(!m->reason || strlen(m->reason) <= MAX_REASON);
        CHECK(!m->has_seconds || m->type == MARK_VALUE);
        p->n++;
    }
    free(line);
    fclose(f);
}

static int same_text(const char *a, const char *b) { return a == b || (a && b && strcmp(a, b) == 0); }

/* Two marks with the same body, field by field (what a key's fingerprint stands for). */
static int same_mark(const struct mark *a, const struct mark *b)
{
    return a->type == b->type && same_text(a->contestant, b->contestant) &&
           same_text(a->criterion, b->criterion) && same_text(a->judge, b->judge) &&
           a->value == b->value && a->has_seconds == b->has_seconds &&
           same_text(a->reason, b->reason) && same_text(a->void_key, b->void_key);
}

/* The accepted mark that first used m's key, or NULL. */
static const struct mark *first_with_key(const struct parsed *p, int before, const struct mark *m)
{
    for (int j = 0; j < before; j++)
        if (p->outcomes[j] == APPLY_ACCEPTED && strcmp(p->marks[j].key, m->key) == 0)
            return &p->marks[j];
    return NULL;
}

static void apply_one_by_one(struct contest *c, struct parsed *p)
{
    for (int i = 0; i < p->n; i++) {
        const struct mark *m = &p->marks[i];
        struct jx_error e1, e2;
        uint64_t before = fuzz_state_hash(c);
        int64_t keys = c->n_keys;
        int checked = contest_check_mark(c, m, &e1);
        CHECK(fuzz_state_hash(c) == before);
        int rc = contest_apply_mark(c, m, &e2);
        CHECK(rc == checked);
        p->outcomes[i] = rc;
        const struct mark *first = first_with_key(p, i, m);
        if (rc < 0) {
            fuzz_check_error(&e1);
            fuzz_check_error(&e2);
            CHECK(strcmp(e1.code, e2.code) == 0 && e1.status == e2.status);
            CHECK(fuzz_state_hash(c) == before && c->n_keys == keys);
            /* A used key is a conflict exactly when the body differs. */
            CHECK(!first || (strcmp(e2.code, "key_conflict") == 0 && !same_mark(first, m)));
            continue;
        }
        if (rc == APPLY_DUPLICATE) {
            CHECK(fuzz_state_hash(c) == before && c->n_keys == keys);
            CHECK(first && same_mark(first, m));
            continue;
        }
        CHECK(!first);
        CHECK(rc == APPLY_ACCEPTED && c->n_keys == keys + 1);
        uint64_t after = fuzz_state_hash(c);
        CHECK(contest_apply_mark(c, m, &e1) == APPLY_DUPLICATE);
        CHECK(fuzz_state_hash(c) == after && c->n_keys == keys + 1);
        if (m->type == MARK_VOID) fuzz_check_contest(c); /* the voided mark's contestant */
        else fuzz_check_contestant(c, scheme_contestant(&c->scheme, m->contestant));
    }
}

/* The accepted (and duplicate) marks as one batch on a fresh contest: same outcomes, same state. */
static void replay_as_batch(const struct contest *reference, const struct parsed *p)
{
    struct mark batch[MAX_LINES];
    int expected[MAX_LINES], outcomes[MAX_LINES], n = 0, failed;
    for (int i = 0; i < p->n; i++)
        if (p->outcomes[i] >= 0) {
            batch[n] = p->marks[i];
            expected[n++] = p->outcomes[i];
        }
    struct contest c;
    struct jx_error e;
    fuzz_demo_contest(&c);
    CHECK(contest_apply_batch(&c, batch, n, outcomes, &failed, &e) == 0);
    CHECK(failed == -1);
    CHECK(memcmp(outcomes, expected, (size_t)n * sizeof *outcomes) == 0);
    CHECK(fuzz_state_hash(&c) == fuzz_state_hash(reference));
    CHECK(c.n_keys == reference->n_keys);
    fuzz_check_contest(&c);
    contest_release(&c);
}

/* Every mark as one batch: all or nothing. */
static void apply_all_as_batch(const struct contest *reference, const struct parsed *p)
{
    int first_refused = -1;
    for (int i = 0; i < p->n && first_refused < 0; i++)
        if (p->outcomes[i] < 0) first_refused = i;
    struct contest c;
    struct jx_error e;
    int outcomes[MAX_LINES], failed;
    fuzz_demo_contest(&c);
    uint64_t pristine = fuzz_state_hash(&c);
    int rc = contest_apply_batch(&c, p->marks, p->n, outcomes, &failed, &e);
    if (first_refused < 0) {
        CHECK(rc == 0 && failed == -1);
        CHECK(memcmp(outcomes, p->outcomes, (size_t)p->n * sizeof *outcomes) == 0);
        CHECK(fuzz_state_hash(&c) == fuzz_state_hash(reference));
    } else {
        fuzz_check_error(&e);
        CHECK(rc == -1 && failed == first_refused);
        CHECK(fuzz_state_hash(&c) == pristine);
        CHECK(c.n_keys == 0 && c.keys.len == 0);
        fuzz_check_contest(&c);
        /* The refused batch left no key behind: its prefix applies again as it did. */
        for (int i = 0; i < first_refused; i++)
            CHECK(contest_apply_mark(&c, &p->marks[i], &e) == p->outcomes[i]);
        fuzz_check_contest(&c);
    }
    contest_release(&c);
}

/* standings_to_json is most of a run's cost: each run checks the overall standings (as
 * sent: dumped and read back) and one group, venue and module scope picked by the input. */
static void check_some_standings_json(const struct contest *c, const uint8_t *data, size_t size)
{
    const struct scheme *s = &c->scheme;
    uint32_t pick = 2166136261u;
    for (size_t i = 0; i < size; i++) pick = (pick ^ data[i]) * 16777619u;
    struct scope scopes[4] = {{SCOPE_OVERALL, 0},
                              {SCOPE_GROUP, (int)(pick % (uint32_t)s->n_groups)},
                              {SCOPE_VENUE, (int)(pick / 7 % (uint32_t)s->n_venues)},
                              {SCOPE_MODULE, (int)(pick / 31 % (uint32_t)s->n_modules)}};
    for (int i = 0; i < 4; i++) {
        char text[80];
        fuzz_check_standings_json(c, scopes[i], fuzz_scope_text(s, scopes[i], text), i == 0);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) return 0;
    struct parsed *p = calloc(1, sizeof *p);
    CHECK(p);
    read_lines(data, size, p);
    if (p->n > 0) { /* the untouched demo competition is the competition harness's job */
        struct contest c;
        fuzz_demo_contest(&c);
        apply_one_by_one(&c, p);
        fuzz_check_contest(&c);
        check_some_standings_json(&c, data, size);
        replay_as_batch(&c, p);
        apply_all_as_batch(&c, p);
        contest_release(&c);
    }
    for (int i = 0; i < p->n_objs; i++) json_decref(p->objs[i]);
    free(p);
    return 0;
}
