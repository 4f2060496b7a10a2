/* Stages (闯关): a later stage's criteria count only after every earlier stage passed (all
 * its criteria complete and its score at least `pass`); the checks on stages in the file. */
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

static const char *file_text =
    "{\"format\":\"jiangxing.competition/1\",\"id\":\"t\",\"title\":\"T\","
    "\"groups\":[{\"id\":\"g\",\"name\":\"G\"}],\"venues\":[{\"id\":\"v\",\"name\":\"V\"}],"
    "\"components\":[{\"id\":\"p\",\"name\":\"P\",\"weight\":1}],"
    "\"modules\":[{\"id\":\"A\",\"name\":\"A\",\"component\":\"p\",\"criteria\":["
    "{\"id\":\"A1\",\"kind\":\"measurement\",\"max\":2},{\"id\":\"A2\",\"kind\":\"measurement\",\"max\":2},"
    "{\"id\":\"A3\",\"kind\":\"measurement\",\"max\":3},{\"id\":\"A4\",\"kind\":\"measurement\",\"max\":3}],"
    "\"stages\":[{\"id\":\"S1\",\"name\":\"第一关\",\"criteria\":[\"A1\",\"A2\"],\"pass\":3},"
    "{\"id\":\"S2\",\"criteria\":[\"A3\"]},{\"id\":\"S3\",\"criteria\":[\"A4\"]}]}],"
    "\"ranking\":{\"awards\":[]},"
    "\"contestants\":[{\"id\":\"C1\",\"name\":\"n\",\"group\":\"g\",\"venue\":\"v\"}]}";

static int load(struct contest *c, const char *text, struct jx_error *e)
{
    json_t *doc = json_loads(text, 0, NULL);
    assert_non_null(doc);
    struct scheme s;
    int rc = competition_from_json(doc, &s, e);
    json_decref(doc);
    if (rc != 0) return -1;
    assert_int_equal(contest_init(c, &s, e), 0);
    return 0;
}

static void mark(struct contest *c, const char *key, const char *criterion, milli_t value)
{
    struct jx_error e;
    struct mark m = {.key = key, .type = MARK_VALUE, .contestant = "C1", .criterion = criterion,
                     .judge = "j", .reason = "r", .value = value};
    assert_int_equal(contest_apply_mark(c, &m, &e), APPLY_ACCEPTED);
}

static void test_gates(void **state)
{
    struct contest c;
    struct jx_error e;
    assert_int_equal(load(&c, file_text, &e), 0);
    const struct module *mod = &c.scheme.modules[0];
    mark(&c, "k1", "A3", 3000); /* stage 2 before stage 1 passed: not counted */
    assert_int_equal(c.results[0].modules[0], 0);
    mark(&c, "k2", "A1", 2000);
    assert_int_equal(c.results[0].modules[0], 2000); /* stage 1 counts while it is current */
    assert_int_equal(stage_current(&c.scheme, contest_cell(&c, 0, 0), mod), 0);
    mark(&c, "k3", "A2", 500); /* complete, but 2.5 < pass 3 */
    assert_int_equal(c.results[0].modules[0], 2500);
    mark(&c, "k4", "A2", 1000); /* 3 ≥ 3: passed, stage 2 counts and is itself passed */
    assert_int_equal(c.results[0].modules[0], 6000);
    assert_int_equal(stage_current(&c.scheme, contest_cell(&c, 0, 0), mod), 2);
    mark(&c, "k5", "A4", 1000);
    assert_int_equal(c.results[0].modules[0], 7000);
    assert_int_equal(stage_current(&c.scheme, contest_cell(&c, 0, 0), mod), 3);
    mark(&c, "k6", "A1", 0); /* stage 1 falls back below pass: later stages stop counting */
    assert_int_equal(c.results[0].modules[0], 1000);
    assert_int_equal(c.results[0].total, 10000); /* 1 of 10 points = 10.000 */
    contest_release(&c);
}

static void mark_at(struct contest *c, const char *key, const char *criterion, milli_t value,
                    int64_t at_ms)
{
    struct jx_error e;
    struct mark m = {.key = key, .type = MARK_VALUE, .contestant = "C1", .criterion = criterion,
                     .judge = "j", .reason = "r", .value = value, .at_ms = at_ms};
    assert_int_equal(contest_apply_mark(c, &m, &e), APPLY_ACCEPTED);
}

/* The clock: the module starts at its first mark; each stage keeps the time it was first
 * passed, also across a correction that takes the pass away for a while, and a refused
 * batch leaves it unchanged. */
static void test_stage_clock(void **state)
{
    struct contest c;
    struct jx_error e;
    assert_int_equal(load(&c, file_text, &e), 0);
    const int64_t *clock = contest_stage_clock(&c, 0, 0);
    assert_non_null(clock);
    assert_true(clock[0] == 0 && clock[1] == 0);
    mark_at(&c, "k1", "A1", 2000, 1000);
    assert_true(clock[0] == 1000 && clock[1] == 0);
    mark_at(&c, "k2", "A2", 1000, 61000); /* stage 1 passed at 61 s; stage 2 not complete */
    assert_true(clock[0] == 1000 && clock[1] == 61000 && clock[2] == 0);
    mark_at(&c, "k3", "A3", 0, 90000); /* complete with 0 ≥ pass 0: stage 2 passed too */
    assert_true(clock[2] == 90000 && clock[3] == 0);
    mark_at(&c, "k4", "A3", 1000, 95000); /* still passed: keeps its first time */
    assert_true(clock[2] == 90000);
    mark_at(&c, "k5", "A1", 0, 100000); /* a typo takes stage 1's pass away: times kept */
    assert_int_equal(stage_current(&c.scheme, contest_cell(&c, 0, 0), &c.scheme.modules[0]), 0);
    assert_true(clock[0] == 1000 && clock[1] == 61000 && clock[2] == 90000);
    mark_at(&c, "k6", "A1", 2000, 110000); /* corrected: the same times as before */
    assert_true(clock[1] == 61000 && clock[2] == 90000 && clock[3] == 0);
    struct mark batch[2] = {
        {.key = "k7", .type = MARK_VALUE, .contestant = "C1", .criterion = "A4", .judge = "j",
         .reason = "r", .value = 1000, .at_ms = 120000}, /* passes stage 3 … */
        {.key = "k8", .type = MARK_VALUE, .contestant = "C1", .criterion = "A1", .judge = "j",
         .reason = "r", .value = 99000, .at_ms = 120000}}; /* … but this is out of range */
    int outcomes[2], failed;
    assert_int_equal(contest_apply_batch(&c, batch, 2, outcomes, &failed, &e), -1);
    assert_true(clock[3] == 0); /* the refused batch's stage 3 time is undone */
    batch[1].value = 2000;
    assert_int_equal(contest_apply_batch(&c, batch, 2, outcomes, &failed, &e), 0);
    assert_true(clock[1] == 61000 && clock[2] == 90000 && clock[3] == 120000);
    contest_release(&c);
}

static void expect_error(const char *from, const char *to)
{
    char *text = malloc(strlen(file_text) + 100);
    const char *at = strstr(file_text, from);
    assert_non_null(at);
    sprintf(text, "%.*s%s%s", (int)(at - file_text), file_text, to, at + strlen(from));
    struct contest c;
    struct jx_error e;
    if (load(&c, text, &e) == 0) fail_msg("accepted: %s", to);
    assert_string_equal(e.code, "invalid_stage");
    free(text);
}

static void test_stage_checks(void **state)
{
    expect_error("[\"A1\",\"A2\"]", "[\"A2\",\"A1\"]"); /* out of order */
    expect_error("{\"id\":\"S3\",\"criteria\":[\"A4\"]}", "{\"id\":\"S3\",\"criteria\":[]}");
    expect_error(",{\"id\":\"S3\",\"criteria\":[\"A4\"]}", ""); /* A4 in no stage */
    expect_error("[\"A3\"]", "[\"A3\",\"A9\"]");
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_gates), cmocka_unit_test(test_stage_clock),
                                       cmocka_unit_test(test_stage_checks)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
