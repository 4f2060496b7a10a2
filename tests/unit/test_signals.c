/* Device rules (docs/devices.md): each rule type, starts and stops, duplicates and
 * conflicting keys, refusals that change nothing, rule checks in the competition file,
 * and the MQTT topic/payload reader with RFC 3339 times. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/competition_json.h"
#include "format/signal_json.h"

static const char *file_text =
    "{\"format\":\"jiangxing.competition/1\",\"id\":\"t\",\"title\":\"T\","
    "\"groups\":[{\"id\":\"g\",\"name\":\"G\"}],\"venues\":[{\"id\":\"v\",\"name\":\"V\"}],"
    "\"components\":[{\"id\":\"p\",\"name\":\"P\",\"weight\":1}],"
    "\"modules\":[{\"id\":\"A\",\"name\":\"A\",\"component\":\"p\",\"criteria\":["
    "{\"id\":\"A1\",\"kind\":\"auto\",\"max\":5,\"signal\":\"plc.ok\"},"
    "{\"id\":\"A2\",\"kind\":\"auto\",\"max\":4,\"rule\":{\"type\":\"thresholds\",\"signal\":\"cycle\","
    "\"better\":\"lower\",\"steps\":[{\"limit\":30,\"score\":4},{\"limit\":40,\"score\":2}]}},"
    "{\"id\":\"A3\",\"kind\":\"time\",\"max\":3,\"full_within_s\":60,\"zero_after_s\":120,"
    "\"rule\":{\"type\":\"elapsed\",\"start\":\"go\",\"stop\":\"done\"}},"
    "{\"id\":\"A4\",\"kind\":\"auto\",\"max\":2,\"rule\":{\"type\":\"fault\",\"injected\":\"f.in\","
    "\"cleared\":\"f.out\",\"within_s\":10}}]}],"
    "\"ranking\":{\"awards\":[]},"
    "\"contestants\":[{\"id\":\"C1\",\"name\":\"n\",\"group\":\"g\",\"venue\":\"v\",\"station\":\"01\"}]}";

static void load_text(struct contest *c, const char *text)
{
    json_t *doc = json_loads(text, 0, NULL);
    assert_non_null(doc);
    struct scheme s;
    struct jx_error e;
    if (competition_from_json(doc, &s, &e) != 0) fail_msg("%s", e.message);
    assert_int_equal(contest_init(c, &s, &e), 0);
    json_decref(doc);
}

static int send(struct contest *c, const char *key, const char *name, milli_t value, int64_t at,
                struct jx_error *e)
{
    struct derived out[MAX_DERIVED];
    int n;
    struct signal sig = {key, "C1", name, value, at};
    return contest_apply_signal(c, &sig, out, MAX_DERIVED, &n, e);
}

static milli_t score_of(struct contest *c, const char *criterion)
{
    int k = scheme_criterion(&c->scheme, criterion);
    const struct cell *cell = contest_cell(c, 0, k);
    return cell->marked ? cell->value : -1;
}

static void test_each_rule(void **state)
{
    struct contest c;
    struct jx_error e;
    load_text(&c, file_text);
    assert_int_equal(send(&c, "k1", "plc.ok", MILLI, 1000, &e), APPLY_ACCEPTED);
    assert_int_equal(score_of(&c, "A1"), 5000);
    assert_int_equal(send(&c, "k2", "plc.ok", 0, 2000, &e), APPLY_ACCEPTED);
    assert_int_equal(score_of(&c, "A1"), 0); /* the latest message counts */
    assert_int_equal(send(&c, "k3", "cycle", 30000, 3000, &e), APPLY_ACCEPTED);
    assert_int_equal(score_of(&c, "A2"), 4000); /* at the limit */
    assert_int_equal(send(&c, "k4", "cycle", 30001, 3000, &e), APPLY_ACCEPTED);
    assert_int_equal(score_of(&c, "A2"), 2000);
    assert_int_equal(send(&c, "k5", "cycle", 40001, 3000, &e), APPLY_ACCEPTED);
    assert_int_equal(score_of(&c, "A2"), 0);
    /* a stop before any start is refused and changes nothing */
    assert_int_equal(send(&c, "k6", "done", MILLI, 5000, &e), -1);
    assert_string_equal(e.code, "not_started");
    assert_int_equal(score_of(&c, "A3"), -1);
    assert_int_equal(send(&c, "k7", "go", MILLI, 10000, &e), APPLY_ACCEPTED);
    assert_int_equal(send(&c, "k8", "done", MILLI, 100000, &e), APPLY_ACCEPTED);
    assert_int_equal(score_of(&c, "A3"), 90000); /* 90 s, in thousandths */
    assert_int_equal(c.results[0].modules[0], 0 + 0 + 1500); /* A1 0, A2 0, A3 3×30/60 */
    /* fault: cleared within 10 s → full; later → 0 */
    assert_int_equal(send(&c, "k9", "f.in", MILLI, 200000, &e), APPLY_ACCEPTED);
    assert_int_equal(send(&c, "k10", "f.out", MILLI, 210000, &e), APPLY_ACCEPTED);
    assert_int_equal(score_of(&c, "A4"), 2000);
    assert_int_equal(send(&c, "k11", "f.in", MILLI, 300000, &e), APPLY_ACCEPTED);
    assert_int_equal(send(&c, "k12", "f.out", MILLI, 310001, &e), APPLY_ACCEPTED);
    assert_int_equal(score_of(&c, "A4"), 0);
    contest_release(&c);
}

static void test_keys_and_refusals(void **state)
{
    struct contest c;
    struct jx_error e;
    load_text(&c, file_text);
    assert_int_equal(send(&c, "k1", "plc.ok", MILLI, 1000, &e), APPLY_ACCEPTED);
    assert_int_equal(send(&c, "k1", "plc.ok", MILLI, 9000, &e), APPLY_DUPLICATE); /* redelivery */
    assert_int_equal(send(&c, "k1", "plc.ok", 0, 9000, &e), -1);
    assert_string_equal(e.code, "key_conflict");
    assert_int_equal(score_of(&c, "A1"), 5000);
    assert_int_equal(send(&c, "k2", "nobody.uses", MILLI, 1000, &e), -1);
    assert_string_equal(e.code, "no_rule");
    struct derived out[MAX_DERIVED];
    int n;
    struct signal stranger = {"k3", "C9", "plc.ok", MILLI, 1000};
    assert_int_equal(contest_apply_signal(&c, &stranger, out, MAX_DERIVED, &n, &e), -1);
    assert_int_equal(e.status, 404);
    /* a locked module refuses the signal, and its start is not remembered */
    assert_int_equal(contest_lock_module(&c, 0, &e), 0);
    assert_int_equal(send(&c, "k4", "plc.ok", 0, 1000, &e), -1);
    assert_string_equal(e.code, "module_locked");
    assert_int_equal(score_of(&c, "A1"), 5000);
    assert_int_equal(contest_unlock_module(&c, 0, "fix", &e), 0);
    assert_int_equal(send(&c, "k5", "done", MILLI, 5000, &e), -1);
    assert_string_equal(e.code, "not_started");
    contest_release(&c);
}

static void test_person_wins(void **state)
{
    struct contest c;
    struct jx_error e;
    load_text(&c, file_text);
    assert_int_equal(send(&c, "k1", "plc.ok", MILLI, 1000, &e), APPLY_ACCEPTED);
    assert_int_equal(score_of(&c, "A1"), 5000);
    /* the chief judge overrides the device with a reason */
    struct mark override = {.key = "m1", .type = MARK_VALUE, .contestant = "C1", .criterion = "A1",
                            .judge = "chief-wz", .reason = "设备误报", .value = 1000};
    assert_int_equal(contest_apply_mark(&c, &override, &e), APPLY_ACCEPTED);
    assert_int_equal(score_of(&c, "A1"), 1000);
    assert_int_equal(send(&c, "k2", "plc.ok", MILLI, 2000, &e), -1);
    assert_string_equal(e.code, "overridden");
    assert_int_equal(score_of(&c, "A1"), 1000);
    /* a start still counts when the stop's criterion is someone's: only that mark is kept off */
    assert_int_equal(send(&c, "k3", "go", MILLI, 3000, &e), APPLY_ACCEPTED);
    contest_release(&c);
}

/* Devices address stations: one contestant's, none, or several sharing it (ambiguous). */
static void test_station_lookup(void **state)
{
    struct contest c;
    struct jx_error e;
    load_text(&c, file_text);
    assert_int_equal(scheme_station(&c.scheme, "01"), 0);
    assert_int_equal(scheme_station(&c.scheme, "02"), -1);
    assert_int_equal(scheme_station(&c.scheme, ""), -1);
    const char *ids[] = {"C2", "C3"}, *stations[] = {"02", "01"};
    for (int i = 0; i < 2; i++) {
        struct contestant who = {.id = strdup(ids[i]), .name = strdup("n"),
                                 .station = strdup(stations[i]), .org = strdup("")};
        assert_int_equal(contest_add_contestant(&c, &who, &e), 0);
    }
    assert_int_equal(scheme_station(&c.scheme, "02"), 1);
    assert_int_equal(scheme_station(&c.scheme, "01"), -2); /* C1 and C3 share it */
    contest_release(&c);
}

static void expect_rule_error(const char *from, const char *to, const char *code)
{
    char *text = malloc(strlen(file_text) + 200);
    const char *at = strstr(file_text, from);
    assert_non_null(at);
    sprintf(text, "%.*s%s%s", (int)(at - file_text), file_text, to, at + strlen(from));
    json_t *doc = json_loads(text, 0, NULL);
    assert_non_null(doc);
    struct scheme s;
    struct jx_error e;
    int rc = competition_from_json(doc, &s, &e);
    if (rc == 0) {
        scheme_release(&s);
        fail_msg("accepted: %s", to);
    }
    assert_string_equal(e.code, code);
    json_decref(doc);
    free(text);
}

static void test_rule_checks(void **state)
{
    expect_rule_error("\"limit\":40", "\"limit\":20", "invalid_rule");      /* not increasing */
    expect_rule_error("\"score\":2}", "\"score\":9}", "invalid_rule");      /* above max */
    expect_rule_error("\"type\":\"elapsed\"", "\"type\":\"pass\"", "invalid_rule"); /* not for time */
    expect_rule_error("\"better\":\"lower\"", "\"better\":\"less\"", "invalid_rule");
    expect_rule_error("\"stop\":\"done\"", "\"stop\":\"go\"", "invalid_rule"); /* same signals */
    expect_rule_error("\"within_s\":10", "\"within_s\":0", "invalid_rule");
    expect_rule_error("\"signal\":\"plc.ok\"", "\"signal\":\"plc ok\"", "invalid_signal");
}

static void test_device_messages(void **state)
{
    struct device_message m;
    struct jx_error e;
    const char *ok = "{\"key\":\"a1\",\"value\":12.3456,\"at\":\"2026-11-23T09:30:12.250+08:00\"}";
    assert_int_equal(device_message_parse("jiangxing/t/01/cycle", ok, strlen(ok), &m, &e), 0);
    assert_string_equal(m.station, "01");
    assert_string_equal(m.signal, "cycle");
    assert_int_equal(m.value, 12346); /* rounded to thousandths */
    int64_t at;
    assert_true(rfc3339_ms("2026-11-23T01:30:12.250Z", &at));
    assert_int_equal(m.device_at_ms, at);
    assert_false(rfc3339_ms("2026-13-23T01:30:12Z", &at));
    assert_false(rfc3339_ms("2026-11-23 01:30:12", &at));
    static const struct {
        const char *topic, *payload, *code;
    } bad[] = {{"other/t/01/x", "{\"key\":\"k\",\"value\":1}", "bad_topic"},
               {"jiangxing/t/01", "{\"key\":\"k\",\"value\":1}", "bad_topic"},
               {"jiangxing/t/01/x/y", "{\"key\":\"k\",\"value\":1}", "bad_topic"},
               {"jiangxing/t/0 1/x", "{\"key\":\"k\",\"value\":1}", "bad_topic"},
               {"jiangxing/t/01/x/", "{\"key\":\"k\",\"value\":1}", "bad_topic"},
               {"jiangxing/t/01/x", "[1]", "malformed"},
               {"jiangxing/t/01/x", "{\"value\":1}", "bad_key"},
               {"jiangxing/t/01/x", "{\"key\":\"k\",\"value\":\"1\"}", "bad_value"},
               {"jiangxing/t/01/x", "{\"key\":\"k\",\"value\":1e12}", "bad_value"},
               {"jiangxing/t/01/x", "{\"key\":\"k\",\"value\":1,\"at\":\"yesterday\"}", "bad_time"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(device_message_parse(bad[i].topic, bad[i].payload, strlen(bad[i].payload), &m, &e), -1);
        assert_string_equal(e.code, bad[i].code);
    }
    const char *beat = "{\"key\":\"hb1\"}";
    assert_int_equal(device_message_parse("jiangxing/t/01/heartbeat", beat, strlen(beat), &m, &e), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_rule),
        cmocka_unit_test(test_keys_and_refusals),
        cmocka_unit_test(test_person_wins),
        cmocka_unit_test(test_rule_checks),
        cmocka_unit_test(test_device_messages),
        cmocka_unit_test(test_station_lookup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
