/* Tests of the scoring core against every rule of DESIGN §4: rounding edges, each
 * criterion kind, replacement and voids, ties, awards, empty scopes, atomic batches,
 * and the property that replaying marks one by one equals applying them in batches. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/contest.h"
#include "core/score.h"
#include "format/competition_json.h"
#include "format/mark_json.h"

static const char *base_file =
    "{\"format\":\"jiangxing.competition/1\",\"id\":\"t\",\"title\":\"T\","
    "\"groups\":[{\"id\":\"g1\",\"name\":\"G1\"},{\"id\":\"g2\",\"name\":\"G2\"}],"
    "\"venues\":[{\"id\":\"v1\",\"name\":\"V1\"},{\"id\":\"v2\",\"name\":\"V2\"}],"
    "\"components\":[{\"id\":\"p\",\"name\":\"P\",\"weight\":0.7},{\"id\":\"t\",\"name\":\"T\",\"weight\":0.3}],"
    "\"modules\":[{\"id\":\"A\",\"name\":\"A\",\"component\":\"p\",\"criteria\":["
    "{\"id\":\"A1\",\"kind\":\"measurement\",\"max\":2},"
    "{\"id\":\"A2\",\"kind\":\"judgement\",\"max\":3,\"judges\":3},"
    "{\"id\":\"A3\",\"kind\":\"deduction\",\"max\":5},"
    "{\"id\":\"A4\",\"kind\":\"time\",\"max\":4,\"full_within_s\":1800,\"zero_after_s\":3600},"
    "{\"id\":\"A5\",\"kind\":\"auto\",\"max\":3}]},"
    "{\"id\":\"B\",\"name\":\"B\",\"component\":\"t\",\"criteria\":[{\"id\":\"B1\",\"kind\":\"measurement\",\"max\":100}]}],"
    "\"ranking\":{\"tiebreak\":[\"component:p\",\"module:A\",\"time\"],\"award_scope\":\"%s\","
    "\"awards\":[{\"name\":\"first\",\"ratio\":0.1},{\"name\":\"second\",\"ratio\":0.2},{\"name\":\"third\",\"ratio\":0.3}]},"
    "\"contestants\":[%s]}";

static char *contestants_json(int n)
{
    char *out = calloc((size_t)n + 1, 96);
    for (int i = 0; i < n; i++)
        sprintf(out + strlen(out), "%s{\"id\":\"C%03d\",\"name\":\"n\",\"group\":\"g%d\",\"venue\":\"v%d\"}",
                i ? "," : "", i, 1 + i % 2, 1 + (i / 2) % 2);
    return out;
}

static void load(struct contest *c, int n, const char *award_scope)
{
    char *people = contestants_json(n);
    char *text = malloc(strlen(base_file) + strlen(people) + 32);
    sprintf(text, base_file, award_scope, people);
    json_t *doc = json_loads(text, 0, NULL);
    assert_non_null(doc);
    struct scheme s;
    struct jx_error e;
    assert_int_equal(competition_from_json(doc, &s, &e), 0);
    assert_int_equal(contest_init(c, &s, &e), 0);
    json_decref(doc);
    free(text);
    free(people);
}

/* Applies one mark given as JSON; returns the outcome or -1, with e filled. */
static int apply(struct contest *c, const char *mark_text, struct jx_error *e)
{
    json_t *obj = json_loads(mark_text, 0, NULL);
    assert_non_null(obj);
    struct mark m;
    int rc = mark_from_json(obj, "mark", &m, e);
    if (rc == 0) rc = contest_apply_mark(c, &m, e);
    json_decref(obj);
    return rc;
}

static void ok(struct contest *c, const char *mark_text)
{
    struct jx_error e;
    int rc = apply(c, mark_text, &e);
    if (rc != APPLY_ACCEPTED) fail_msg("refused %s: %s", mark_text, rc < 0 ? e.message : "dup");
}

static void refused(struct contest *c, const char *mark_text, int status, const char *code)
{
    struct jx_error e;
    assert_int_equal(apply(c, mark_text, &e), -1);
    assert_int_equal(e.status, status);
    assert_string_equal(e.code, code);
}

static milli_t module_score(struct contest *c, int who, int m) { return c->results[who].modules[m]; }

static void test_round_half_away(void **state)
{
    assert_int_equal(div_round_half_away(5, 10), 1);   /* 0.5 → 1 */
    assert_int_equal(div_round_half_away(-5, 10), -1); /* -0.5 → -1 */
    assert_int_equal(div_round_half_away(4, 10), 0);
    assert_int_equal(div_round_half_away(14999, 10000), 1);
    assert_int_equal(div_round_half_away(15000, 10000), 2);
    milli_t m;
    assert_true(milli_from_double(0.125, &m));
    assert_int_equal(m, 125);
    assert_false(milli_from_double(0.1255, &m));
    assert_false(milli_from_double(10000000.00001, &m)); /* large values keep the rule */
    assert_false(milli_from_double(999999999.9996, &m));
    assert_true(milli_from_double(999999999.999, &m));
    assert_int_equal(m, 999999999999LL);
    assert_false(milli_from_double(1.0000000001, &m));
    assert_false(milli_from_double(2.0000000009, &m));
    /* every three-decimal value, as JSON would parse it, is accepted exactly */
    char text[32];
    for (long long i = 0; i <= 3000000; i += 7) {
        snprintf(text, sizeof text, "%lld.%03lld", i / 1000, i % 1000);
        assert_true(milli_from_double(strtod(text, NULL), &m));
        assert_int_equal(m, i);
    }
    for (long long i = 999999000000LL; i <= 1000000000000LL; i += 997) {
        snprintf(text, sizeof text, "%lld.%03lld", i / 1000, i % 1000);
        assert_true(milli_from_double(strtod(text, NULL), &m));
        assert_int_equal(m, i);
    }
    assert_true(milli_from_double(87.125, &m));
    assert_int_equal(m, 87125);
    char buf[32];
    assert_string_equal(milli_format(87125, buf), "87.125");
    assert_string_equal(milli_format(500, buf), "0.5");
    assert_string_equal(milli_format(-1050, buf), "-1.05");
}

static void test_every_kind(void **state)
{
    struct contest c;
    load(&c, 3, "overall");
    ok(&c, "{\"key\":\"1\",\"contestant\":\"C000\",\"criterion\":\"A1\",\"value\":1.5}");
    ok(&c, "{\"key\":\"2\",\"contestant\":\"C000\",\"criterion\":\"A2\",\"judge\":\"j1\",\"value\":2}");
    ok(&c, "{\"key\":\"3\",\"contestant\":\"C000\",\"criterion\":\"A2\",\"judge\":\"j2\",\"value\":3}");
    ok(&c, "{\"key\":\"4\",\"contestant\":\"C000\",\"criterion\":\"A3\",\"deduction\":0.5,\"reason\":\"r\"}");
    ok(&c, "{\"key\":\"5\",\"contestant\":\"C000\",\"criterion\":\"A4\",\"seconds\":1900}");
    ok(&c, "{\"key\":\"6\",\"contestant\":\"C000\",\"criterion\":\"A5\",\"value\":3}");
    /* 1.5 + 2.5 + 4.5 + round3(4×1700/1800 = 3.7777…) = 3.778 + 3 */
    assert_int_equal(module_score(&c, 0, 0), 1500 + 2500 + 4500 + 3778 + 3000);
    /* component p = round3(100 × 15.278 / 17) = 89.870588… → 89.871; total = 0.7 × 89.871 */
    assert_int_equal(c.results[0].components[0], 89871);
    assert_int_equal(c.results[0].total, div_round_half_away(700000LL * 89871, 1000000));
    assert_false(contest_complete(&c, 0)); /* A2 has 2 of 3 judges, B1 unmarked */
    ok(&c, "{\"key\":\"7\",\"contestant\":\"C000\",\"criterion\":\"A2\",\"judge\":\"j3\",\"value\":2}");
    ok(&c, "{\"key\":\"8\",\"contestant\":\"C000\",\"criterion\":\"B1\",\"value\":0}");
    assert_true(contest_complete(&c, 0));
    /* judgement: mean 7/3 × 3/3 = 2.333… */
    assert_int_equal(score_cell(&c.scheme.criteria[1], contest_cell(&c, 0, 1)), 2333);
    contest_release(&c);
}

static void test_judgement_rounding_and_dispute(void **state)
{
    struct contest c;
    load(&c, 1, "overall");
    struct criterion *k = &c.scheme.criteria[1];
    k->max = 5 * MILLI; /* a max not divisible by 3: every mean rounds */
    ok(&c, "{\"key\":\"1\",\"contestant\":\"C000\",\"criterion\":\"A2\",\"judge\":\"a\",\"value\":1}");
    assert_int_equal(score_cell(k, contest_cell(&c, 0, 1)), 1667); /* 1 × 5/3 = 1.6667 */
    ok(&c, "{\"key\":\"2\",\"contestant\":\"C000\",\"criterion\":\"A2\",\"judge\":\"b\",\"value\":3}");
    assert_true(cell_disputed(k, contest_cell(&c, 0, 1))); /* 3 − 1 > 1 */
    assert_int_equal(contest_lock_module(&c, 0, NULL), -1);
    ok(&c, "{\"key\":\"3\",\"contestant\":\"C000\",\"criterion\":\"A2\",\"judge\":\"a\",\"value\":2,\"reason\":\"rejudged\"}");
    assert_false(cell_disputed(k, contest_cell(&c, 0, 1)));
    assert_int_equal(score_cell(k, contest_cell(&c, 0, 1)), 4167); /* 2.5 × 5/3 = 4.16666 */
    ok(&c, "{\"key\":\"4\",\"contestant\":\"C000\",\"criterion\":\"A2\",\"judge\":\"c\",\"value\":2}");
    refused(&c, "{\"key\":\"5\",\"contestant\":\"C000\",\"criterion\":\"A2\",\"judge\":\"d\",\"value\":2}",
            409, "judges_full");
    refused(&c, "{\"key\":\"6\",\"contestant\":\"C000\",\"criterion\":\"A2\",\"judge\":\"a\",\"value\":1.5}",
            400, "invalid_judgement");
    refused(&c, "{\"key\":\"7\",\"contestant\":\"C000\",\"criterion\":\"A2\",\"judge\":\"a\",\"value\":4}",
            400, "invalid_judgement");
    refused(&c, "{\"key\":\"8\",\"contestant\":\"C000\",\"criterion\":\"A2\",\"value\":1}", 400,
            "judge_required");
    contest_release(&c);
}

static void test_replacement_voids_and_locks(void **state)
{
    struct contest c;
    load(&c, 1, "overall");
    ok(&c, "{\"key\":\"1\",\"contestant\":\"C000\",\"criterion\":\"A1\",\"value\":1}");
    refused(&c, "{\"key\":\"2\",\"contestant\":\"C000\",\"criterion\":\"A1\",\"value\":2}", 400, "reason_required");
    refused(&c, "{\"key\":\"2\",\"contestant\":\"C000\",\"criterion\":\"A1\",\"value\":2,\"reason\":\"  \"}", 400, "reason_required");
    ok(&c, "{\"key\":\"3\",\"contestant\":\"C000\",\"criterion\":\"A1\",\"value\":2,\"reason\":\"typo\"}");
    assert_int_equal(module_score(&c, 0, 0), 2000);
    refused(&c, "{\"key\":\"4\",\"contestant\":\"C000\",\"criterion\":\"A1\",\"value\":2.001}", 400, "out_of_range");
    refused(&c, "{\"key\":\"4\",\"contestant\":\"C000\",\"criterion\":\"A1\",\"value\":1.0001}", 400, "too_many_decimals");
    refused(&c, "{\"key\":\"4\",\"contestant\":\"C999\",\"criterion\":\"A1\",\"value\":1}", 404, "unknown_contestant");
    refused(&c, "{\"key\":\"4\",\"contestant\":\"C000\",\"criterion\":\"Z\",\"value\":1}", 404, "unknown_criterion");
    ok(&c, "{\"key\":\"d1\",\"contestant\":\"C000\",\"criterion\":\"A3\",\"deduction\":3,\"reason\":\"a\"}");
    ok(&c, "{\"key\":\"d2\",\"contestant\":\"C000\",\"criterion\":\"A3\",\"deduction\":3,\"reason\":\"b\"}");
    assert_int_equal(score_cell(&c.scheme.criteria[2], contest_cell(&c, 0, 2)), 0); /* max(0, 5 − 6) */
    refused(&c, "{\"key\":\"v0\",\"void\":\"d1\"}", 400, "reason_required");
    refused(&c, "{\"key\":\"v0\",\"void\":\"1\",\"reason\":\"x\"}", 409, "not_a_deduction");
    ok(&c, "{\"key\":\"v1\",\"void\":\"d1\",\"reason\":\"wrong\"}");
    assert_int_equal(score_cell(&c.scheme.criteria[2], contest_cell(&c, 0, 2)), 2000);
    refused(&c, "{\"key\":\"v2\",\"void\":\"d1\",\"reason\":\"again\"}", 409, "already_voided");
    ok(&c, "{\"key\":\"v3\",\"void\":\"d2\",\"reason\":\"wrong\"}");
    /* all entries voided: full marks, and the criterion still counts as marked */
    assert_int_equal(score_cell(&c.scheme.criteria[2], contest_cell(&c, 0, 2)), 5000);
    assert_true(cell_complete(&c.scheme.criteria[2], contest_cell(&c, 0, 2)));
    ok(&c, "{\"key\":\"d0\",\"contestant\":\"C000\",\"criterion\":\"A3\",\"deduction\":0,\"reason\":\"checked\"}");
    /* idempotency */
    struct jx_error e;
    assert_int_equal(apply(&c, "{\"key\":\"d0\",\"contestant\":\"C000\",\"criterion\":\"A3\",\"deduction\":0,\"reason\":\"checked\"}", &e),
                     APPLY_DUPLICATE);
    refused(&c, "{\"key\":\"d0\",\"contestant\":\"C000\",\"criterion\":\"A3\",\"deduction\":1,\"reason\":\"checked\"}", 409, "key_conflict");
    /* found by fuzzing: fields that contain the old separator must not collide */
    ok(&c, "{\"key\":\"sep\",\"contestant\":\"C000\",\"criterion\":\"A2\",\"judge\":\"a\\u001fb\",\"value\":1}");
    refused(&c, "{\"key\":\"sep\",\"contestant\":\"C000\",\"criterion\":\"A2\",\"judge\":\"a\",\"value\":1,\"reason\":\"b\"}", 409, "key_conflict");
    /* locks */
    assert_int_equal(contest_lock_module(&c, 0, NULL), 0);
    refused(&c, "{\"key\":\"L\",\"contestant\":\"C000\",\"criterion\":\"A5\",\"value\":1}", 409, "module_locked");
    assert_int_equal(contest_unlock_module(&c, 0, "", &e), -1);
    assert_int_equal(contest_unlock_module(&c, 0, " \t ", &e), -1);
    assert_int_equal(contest_unlock_module(&c, 0, "appeal upheld", &e), 0);
    ok(&c, "{\"key\":\"L\",\"contestant\":\"C000\",\"criterion\":\"A5\",\"value\":1}");
    contest_release(&c);
}

static void test_time_ends(void **state)
{
    struct contest c;
    load(&c, 1, "overall");
    const struct criterion *k = &c.scheme.criteria[3];
    assert_int_equal(score_time(k, 0), 4000);
    assert_int_equal(score_time(k, 1800000), 4000);      /* t = full_within */
    assert_int_equal(score_time(k, 1800001), 4000);      /* 4 × 1799.999/1800 = 3.9999977 */
    assert_int_equal(score_time(k, 2700000), 2000);      /* midpoint */
    assert_int_equal(score_time(k, 3599999), 0);         /* 4 × 0.001/1800 → 0.0000022 */
    assert_int_equal(score_time(k, 3600000), 0);
    assert_int_equal(score_time(k, 9999000), 0);
    assert_int_equal(score_time(k, 3555000), 100);       /* 4 × 45/1800 = 0.1 */
    assert_int_equal(score_time(k, 3577500), 50);        /* 4 × 22.5/1800 = 0.05 */
    contest_release(&c);
}

static void test_component_and_total_rounding_edges(void **state)
{
    struct contest c;
    load(&c, 1, "overall");
    /* A component whose 100 × S / M lands exactly on a half thousandth: with module and
       component max set to 8, S = 0.001 gives 100 × 0.001 / 8 = 0.0125. */
    struct scheme *s = &c.scheme;
    s->modules[0].max = 8000;
    s->components[0].max = 8000;
    struct cell row[6] = {{0}};
    row[0].marked = true;
    row[0].value = 1; /* A1 = 0.001 */
    struct result r = {0};
    milli_t arrays[4];
    r.modules = arrays;
    r.components = arrays + 2;
    score_result(s, row, &r);
    assert_int_equal(r.components[0], 13); /* 0.0125 → 0.013, half away from zero */
    assert_int_equal(r.total, 9);          /* 0.7 × 0.013 = 0.0091 → 0.009 */
    row[0].value = 3; /* 100 × 0.003 / 8 = 0.0375 → 0.038; 0.7 × 0.038 = 0.0266 → 0.027 */
    score_result(s, row, &r);
    assert_int_equal(r.components[0], 38);
    assert_int_equal(r.total, 27);
    /* theory: 0.3 × 100 × B1 / 100; B1 = 0.005 → component 0.005, total 0.0015 → 0.002 */
    row[5].marked = true;
    row[5].value = 5;
    row[0].marked = false;
    score_result(s, row, &r);
    assert_int_equal(r.components[1], 5);
    assert_int_equal(r.total, 2);
    contest_release(&c);
}

static size_t rank_of(struct contest *c, const char *scope_text, int who)
{
    struct scope scope;
    assert_true(scope_parse(&c->scheme, scope_text, &scope));
    return standings_rank(&c->standings, &c->scheme, scope, who, &c->results[who]);
}

static void test_ties_and_tiebreaks(void **state)
{
    struct contest c;
    load(&c, 4, "overall");
    /* C000 and C001: same total; C000 has more in practical → ahead. */
    ok(&c, "{\"key\":\"1\",\"contestant\":\"C000\",\"criterion\":\"A1\",\"value\":2}");
    ok(&c, "{\"key\":\"2\",\"contestant\":\"C001\",\"criterion\":\"B1\",\"value\":2}");
    /* C000 total: 0.7 × round3(100×2/17 = 11.7647) = 0.7 × 11.765 = 8.2355 → 8.236 */
    assert_int_equal(c.results[0].total, 8236);
    /* C001: 0.3 × 2 = 0.6 */
    assert_int_equal(rank_of(&c, "overall", 0), 1);
    assert_int_equal(rank_of(&c, "overall", 1), 2);
    /* C002 and C003 untouched: equal in everything → both rank 3 ("1, 2, 3, 3") */
    assert_int_equal(rank_of(&c, "overall", 2), 3);
    assert_int_equal(rank_of(&c, "overall", 3), 3);
    /* time tiebreak: equal totals and modules, less time first; missing time = zero_after */
    ok(&c, "{\"key\":\"3\",\"contestant\":\"C002\",\"criterion\":\"A4\",\"seconds\":4000}");
    assert_int_equal(c.results[2].total, c.results[3].total);
    assert_int_equal(rank_of(&c, "overall", 2), 4); /* 4000 s > 3600 s counted for C003 */
    assert_int_equal(rank_of(&c, "overall", 3), 3);
    /* module scope ranks by module score alone: C001, C002, C003 all 0 in A */
    assert_int_equal(rank_of(&c, "module:A", 0), 1);
    assert_int_equal(rank_of(&c, "module:A", 1), 2);
    assert_int_equal(rank_of(&c, "module:A", 3), 2);
    /* group scope: g1 = C000, C002; g2 = C001, C003 */
    assert_int_equal(rank_of(&c, "group:g2", 1), 1);
    assert_int_equal(rank_of(&c, "group:g2", 3), 2);
    struct scope bad;
    assert_false(scope_parse(&c.scheme, "group:nope", &bad));
    assert_false(scope_parse(&c.scheme, "region:x", &bad));
    contest_release(&c);
}

static void test_awards_with_ties(void **state)
{
    struct contest c;
    load(&c, 10, "overall");
    /* ratios 0.1, 0.2, 0.3 of 10 → ranks ≤ 1, ≤ 3, ≤ 6 */
    char mark[160];
    int values[10] = {90, 80, 80, 80, 70, 60, 60, 50, 40, 30};
    for (int i = 0; i < 10; i++) {
        sprintf(mark, "{\"key\":\"k%d\",\"contestant\":\"C%03d\",\"criterion\":\"B1\",\"value\":%d}", i, i, values[i]);
        ok(&c, mark);
    }
    int expected[10] = {0, 1, 1, 1, 2, 2, 2, -1, -1, -1};
    /* ranks: 1, 2, 2, 2, 5, 6, 6, 8… — the three tied at 2 all get second; 6, 6 get third */
    for (int i = 0; i < 10; i++) assert_int_equal(contest_award(&c, i), expected[i]);
    contest_release(&c);
}

static void test_award_boundary_tie_takes_better(void **state)
{
    struct contest c;
    load(&c, 10, "overall");
    /* 0.1 of 10 = rank ≤ 1; two tied at rank 1 both get first; nobody then gets
       second unless ranked ≤ 3 */
    ok(&c, "{\"key\":\"a\",\"contestant\":\"C000\",\"criterion\":\"B1\",\"value\":50}");
    ok(&c, "{\"key\":\"b\",\"contestant\":\"C001\",\"criterion\":\"B1\",\"value\":50}");
    ok(&c, "{\"key\":\"c\",\"contestant\":\"C002\",\"criterion\":\"B1\",\"value\":40}");
    assert_int_equal(contest_award(&c, 0), 0);
    assert_int_equal(contest_award(&c, 1), 0);
    assert_int_equal(contest_award(&c, 2), 1);
    contest_release(&c);
}

static void test_award_scope_group_and_empty(void **state)
{
    struct contest c;
    load(&c, 4, "group");
    /* Each group has 2: 0.1 × 2 + 0.5 = 0.7 → 0; 0.3 × 2 + .5 = 1.1 → 1 → rank 1 gets second */
    assert_int_equal(contest_award(&c, 0), 1);
    assert_int_equal(contest_award(&c, 1), 1);
    struct scope scope = {SCOPE_GROUP, 0};
    assert_int_equal(standings_scope_size(&c.standings, scope), 2);
    contest_release(&c);
    struct contest empty;
    load(&empty, 0, "overall");
    struct scope overall = {SCOPE_OVERALL, 0};
    assert_int_equal(standings_scope_size(&empty.standings, overall), 0);
    contest_release(&empty);
}

static void test_batch_is_atomic(void **state)
{
    struct contest c;
    load(&c, 2, "overall");
    const char *texts[3] = {
        "{\"key\":\"1\",\"contestant\":\"C000\",\"criterion\":\"A1\",\"value\":1}",
        "{\"key\":\"2\",\"contestant\":\"C000\",\"criterion\":\"A2\",\"judge\":\"a\",\"value\":3}",
        "{\"key\":\"3\",\"contestant\":\"C000\",\"criterion\":\"A1\",\"value\":2}", /* no reason */
    };
    json_t *objs[3];
    struct mark marks[3];
    struct jx_error e;
    for (int i = 0; i < 3; i++) {
        objs[i] = json_loads(texts[i], 0, NULL);
        assert_int_equal(mark_from_json(objs[i], "m", &marks[i], &e), 0);
    }
    int outcomes[3], failed;
    milli_t before = c.results[0].total;
    assert_int_equal(contest_apply_batch(&c, marks, 3, outcomes, &failed, &e), -1);
    assert_int_equal(failed, 2);
    assert_string_equal(e.code, "reason_required");
    assert_int_equal(c.results[0].total, before);
    assert_false(contest_cell(&c, 0, 0)->marked);
    assert_int_equal(contest_cell(&c, 0, 1)->n_slots, 0);
    assert_int_equal(c.n_keys, 0);
    assert_int_equal(rank_of(&c, "overall", 0), 1);
    assert_int_equal(rank_of(&c, "overall", 1), 1);
    /* the first two alone are fine, and their keys were really forgotten */
    assert_int_equal(contest_apply_batch(&c, marks, 2, outcomes, &failed, &e), 0);
    assert_int_equal(outcomes[0], APPLY_ACCEPTED);
    assert_int_equal(outcomes[1], APPLY_ACCEPTED);
    for (int i = 0; i < 3; i++) json_decref(objs[i]);
    contest_release(&c);
}

/* Property: random marks applied one by one (replay) and in random batches (live)
 * give identical results and ranks, whatever the refusals along the way. */
static void random_mark(char *out, unsigned *seed, int n_contestants, int i)
{
    static const char *criteria[] = {"A1", "A2", "A3", "A4", "A5", "B1"};
    int who = rand_r(seed) % n_contestants, k = rand_r(seed) % 6;
    const char *reason = rand_r(seed) % 3 ? ",\"reason\":\"r\"" : "";
    switch (k) {
    case 1: sprintf(out, "{\"key\":\"k%d\",\"contestant\":\"C%03d\",\"criterion\":\"A2\",\"judge\":\"j%d\",\"value\":%d%s}", i, who, rand_r(seed) % 4, rand_r(seed) % 4, reason); break;
    case 2: sprintf(out, "{\"key\":\"k%d\",\"contestant\":\"C%03d\",\"criterion\":\"A3\",\"deduction\":%d.%d%s}", i, who, rand_r(seed) % 3, rand_r(seed) % 10, reason); break;
    case 3: sprintf(out, "{\"key\":\"k%d\",\"contestant\":\"C%03d\",\"criterion\":\"A4\",\"seconds\":%d%s}", i, who, 1500 + rand_r(seed) % 2400, reason); break;
    default: sprintf(out, "{\"key\":\"k%d\",\"contestant\":\"C%03d\",\"criterion\":\"%s\",\"value\":%d.%03d%s}", i, who, criteria[k], rand_r(seed) % 3, rand_r(seed) % 1000, reason); break;
    }
    if (rand_r(seed) % 10 == 0) sprintf(out, "{\"key\":\"k%d\",\"void\":\"k%d\",\"reason\":\"v\"}", i, rand_r(seed) % (i + 1));
    if (rand_r(seed) % 20 == 0 && i > 0) sprintf(out, "{\"key\":\"k%d\",\"contestant\":\"C000\",\"criterion\":\"A1\",\"value\":1}", rand_r(seed) % i);
}

static void test_replay_equals_batches(void **state)
{
    for (unsigned round = 1; round <= 20; round++) {
        struct contest one, batched;
        int n_people = 1 + (int)(round % 7) * 3, n_marks = 300;
        load(&one, n_people, round % 2 ? "group" : "venue");
        load(&batched, n_people, round % 2 ? "group" : "venue");
        contest_pause_standings(&one); /* replay builds the trees once, at the end */
        unsigned seed = round;
        char (*texts)[256] = calloc((size_t)n_marks, 256);
        json_t **objs = calloc((size_t)n_marks, sizeof *objs);
        struct mark *marks = calloc((size_t)n_marks, sizeof *marks);
        int *outcomes = calloc((size_t)n_marks, sizeof *outcomes);
        struct jx_error e;
        for (int i = 0; i < n_marks; i++) {
            random_mark(texts[i], &seed, n_people, i);
            objs[i] = json_loads(texts[i], 0, NULL);
            assert_non_null(objs[i]);
            assert_int_equal(mark_from_json(objs[i], "m", &marks[i], &e), 0);
        }
        /* live: batches of random size; a refused batch is retried mark by mark, the way
           a tablet drops the refused mark and resends the rest */
        for (int i = 0; i < n_marks;) {
            int size = 1 + rand_r(&seed) % 8, failed;
            if (i + size > n_marks) size = n_marks - i;
            if (contest_apply_batch(&batched, &marks[i], size, outcomes, &failed, &e) == 0) {
                i += size;
                continue;
            }
            for (int j = 0; j < failed; j++) contest_apply_mark(&batched, &marks[i + j], &e);
            i += failed + 1;
        }
        /* replay: one by one */
        for (int i = 0; i < n_marks; i++) contest_apply_mark(&one, &marks[i], &e);
        assert_int_equal(contest_resume_standings(&one), 0);
        for (int p = 0; p < n_people; p++) {
            /* incremental rescoring equals scoring the row from scratch */
            milli_t arrays[8];
            struct result fresh = {.modules = arrays, .components = arrays + 2};
            score_result(&one.scheme, contest_cell(&one, p, 0), &fresh);
            assert_int_equal(fresh.total, one.results[p].total);
            assert_int_equal(fresh.modules[0], one.results[p].modules[0]);
            assert_int_equal(fresh.modules[1], one.results[p].modules[1]);
            assert_int_equal(fresh.time_sum, one.results[p].time_sum);
            assert_int_equal(fresh.n_marked, one.results[p].n_marked);
            assert_int_equal(one.results[p].total, batched.results[p].total);
            assert_int_equal(contest_complete(&one, p), contest_complete(&batched, p));
            assert_int_equal(rank_of(&one, "overall", p), rank_of(&batched, "overall", p));
            assert_int_equal(contest_award(&one, p), contest_award(&batched, p));
        }
        assert_int_equal(one.n_keys, batched.n_keys);
        for (int i = 0; i < n_marks; i++) json_decref(objs[i]);
        free(texts);
        free(objs);
        free(marks);
        free(outcomes);
        contest_release(&one);
        contest_release(&batched);
    }
}

static void expect_file_error(const char *text, const char *code)
{
    json_t *doc = json_loads(text, 0, NULL);
    assert_non_null(doc);
    struct scheme s;
    struct jx_error e;
    assert_int_equal(competition_from_json(doc, &s, &e), -1);
    if (strcmp(e.code, code) != 0) fail_msg("expected %s, got %s (%s)", code, e.code, e.message);
    json_decref(doc);
}

static void test_competition_file_errors(void **state)
{
    const char *head = "{\"format\":\"jiangxing.competition/1\",\"id\":\"t\",\"title\":\"T\","
                       "\"groups\":[{\"id\":\"g\",\"name\":\"G\"}],\"venues\":[{\"id\":\"v\",\"name\":\"V\"}],";
    char text[2048];
    sprintf(text, "%s\"components\":[{\"id\":\"p\",\"name\":\"P\",\"weight\":0.5}],\"modules\":[{\"id\":\"A\",\"name\":\"A\",\"component\":\"p\",\"criteria\":[{\"id\":\"A1\",\"kind\":\"measurement\",\"max\":1}]}]}", head);
    expect_file_error(text, "weights_not_one");
    sprintf(text, "%s\"components\":[{\"id\":\"p\",\"name\":\"P\",\"weight\":1}],\"modules\":[{\"id\":\"A\",\"name\":\"A\",\"component\":\"p\",\"criteria\":[{\"id\":\"A1\",\"kind\":\"measurement\",\"max\":1},{\"id\":\"A1\",\"kind\":\"measurement\",\"max\":1}]}]}", head);
    expect_file_error(text, "duplicate_id");
    sprintf(text, "%s\"components\":[{\"id\":\"p\",\"name\":\"P\",\"weight\":1}],\"modules\":[{\"id\":\"A\",\"name\":\"A\",\"component\":\"p\",\"criteria\":[{\"id\":\"A1\",\"kind\":\"measurement\",\"max\":1}]}],\"ranking\":{\"tiebreak\":[\"module:Z\"]}}", head);
    expect_file_error(text, "unknown_tiebreak");
    sprintf(text, "%s\"components\":[{\"id\":\"p\",\"name\":\"P\",\"weight\":1}],\"modules\":[{\"id\":\"A\",\"name\":\"A\",\"component\":\"p\",\"criteria\":[{\"id\":\"A1\",\"kind\":\"measurement\",\"max\":1}]}],\"ranking\":{\"awards\":[{\"name\":\"a\",\"ratio\":0.6},{\"name\":\"b\",\"ratio\":0.5}]}}", head);
    expect_file_error(text, "ratios_over_one");
    sprintf(text, "%s\"components\":[{\"id\":\"p\",\"name\":\"P\",\"weight\":1}],\"modules\":[{\"id\":\"A\",\"name\":\"A\",\"component\":\"p\",\"criteria\":[{\"id\":\"A1\",\"kind\":\"measurement\",\"max\":1}]}],\"contestants\":[{\"id\":\"x\",\"name\":\"<script>\",\"group\":\"g\",\"venue\":\"v\"},{\"id\":\"x\",\"name\":\"b\",\"group\":\"g\",\"venue\":\"v\"}]}", head);
    expect_file_error(text, "duplicate_id");
    sprintf(text, "%s\"components\":[{\"id\":\"p\",\"name\":\"P\",\"weight\":1}],\"modules\":[{\"id\":\"A\",\"name\":\"A\",\"component\":\"p\",\"criteria\":[{\"id\":\"A1\",\"kind\":\"guess\",\"max\":1}]}]}", head);
    expect_file_error(text, "invalid_kind");
    expect_file_error("{\"format\":\"other/1\"}", "unknown_format");
    /* found by fuzzing: huge weights or ratios that wrap around to a sum of exactly 1 */
    sprintf(text, "%s\"components\":[{\"id\":\"p\",\"name\":\"P\",\"weight\":1e12},{\"id\":\"q\",\"name\":\"Q\",\"weight\":-999999999999}],\"modules\":[{\"id\":\"A\",\"name\":\"A\",\"component\":\"p\",\"criteria\":[{\"id\":\"A1\",\"kind\":\"measurement\",\"max\":1}]},{\"id\":\"B\",\"name\":\"B\",\"component\":\"q\",\"criteria\":[{\"id\":\"B1\",\"kind\":\"measurement\",\"max\":1}]}]}", head);
    expect_file_error(text, "invalid_weight");
    sprintf(text, "%s\"components\":[{\"id\":\"p\",\"name\":\"P\",\"weight\":1}],\"modules\":[{\"id\":\"A\",\"name\":\"A\",\"component\":\"p\",\"criteria\":[{\"id\":\"A1\",\"kind\":\"measurement\",\"max\":1}]}],\"ranking\":{\"awards\":[{\"name\":\"a\",\"ratio\":1e12},{\"name\":\"b\",\"ratio\":1e12}]}}", head);
    expect_file_error(text, "invalid_ratio");
    sprintf(text, "%s\"components\":[{\"id\":\"p\",\"name\":\"P\",\"weight\":1}],\"modules\":[{\"id\":\"A\",\"name\":\"A\",\"component\":\"p\",\"criteria\":[{\"id\":\"A1\",\"kind\":\"judgement\",\"max\":1,\"judges\":-4294967295}]}]}", head);
    expect_file_error(text, "invalid_judges");
    sprintf(text, "%s\"components\":[{\"id\":\"p\",\"name\":\"P\",\"weight\":1}],\"modules\":[{\"id\":\"A\",\"name\":\"A\",\"component\":\"p\",\"criteria\":[{\"id\":\"A1\",\"kind\":\"time\",\"max\":1,\"full_within_s\":0,\"zero_after_s\":1e12}]}]}", head);
    expect_file_error(text, "invalid_time_limits");
    expect_file_error("[]", "invalid_type");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_half_away),
        cmocka_unit_test(test_every_kind),
        cmocka_unit_test(test_judgement_rounding_and_dispute),
        cmocka_unit_test(test_replacement_voids_and_locks),
        cmocka_unit_test(test_time_ends),
        cmocka_unit_test(test_component_and_total_rounding_edges),
        cmocka_unit_test(test_ties_and_tiebreaks),
        cmocka_unit_test(test_awards_with_ties),
        cmocka_unit_test(test_award_boundary_tie_takes_better),
        cmocka_unit_test(test_award_scope_group_and_empty),
        cmocka_unit_test(test_batch_is_atomic),
        cmocka_unit_test(test_replay_equals_batches),
        cmocka_unit_test(test_competition_file_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
