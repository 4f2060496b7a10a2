/* Harness: device messages (docs/devices.md). Each input line is "TOPIC PAYLOAD"; it is read
 * by device_message_parse as the gateway reads an MQTT message, and, when well formed, its
 * station (01 or 02) is mapped to a contestant and the signal applied with
 * contest_apply_signal at a server time of 1 s per line, over a competition with one rule of
 * each type.
 *
 * Checked, with __builtin_trap() when broken:
 *  - a refused or duplicate signal changes nothing (totals, keys, marked cells);
 *  - an accepted one yields marks within range and totals within 0–100, and sent again is
 *    a duplicate;
 *  - the accepted signals applied again, in order, to a fresh contest give the same totals. */
#include "core/signals.h"
#include "format/signal_json.h"
#include "fuzz.h"

#define MAX_LINES 200

static const char competition[] =
    "{\"format\":\"jiangxing.competition/1\",\"id\":\"t\",\"title\":\"T\","
    "\"groups\":[{\"id\":\"g\",\"name\":\"G\"}],\"venues\":[{\"id\":\"v\",\"name\":\"V\"}],"
    "\"components\":[{\"id\":\"p\",\"name\":\"P\",\"weight\":1}],"
    "\"modules\":[{\"id\":\"A\",\"name\":\"A\",\"component\":\"p\",\"criteria\":["
    "{\"id\":\"A1\",\"kind\":\"auto\",\"max\":5,\"signal\":\"ok\"},"
    "{\"id\":\"A2\",\"kind\":\"auto\",\"max\":4,\"rule\":{\"type\":\"thresholds\",\"signal\":\"cyc\","
    "\"better\":\"lower\",\"steps\":[{\"limit\":30,\"score\":4},{\"limit\":40,\"score\":2}]}},"
    "{\"id\":\"A3\",\"kind\":\"time\",\"max\":3,\"full_within_s\":60,\"zero_after_s\":120,"
    "\"rule\":{\"type\":\"elapsed\",\"start\":\"go\",\"stop\":\"done\"}},"
    "{\"id\":\"A4\",\"kind\":\"auto\",\"max\":2,\"rule\":{\"type\":\"fault\",\"injected\":\"fi\","
    "\"cleared\":\"fo\",\"within_s\":10}},"
    "{\"id\":\"A5\",\"kind\":\"time\",\"max\":2,\"full_within_s\":5,\"zero_after_s\":50,"
    "\"rule\":{\"type\":\"fault\",\"injected\":\"fi\",\"cleared\":\"fo\"}},"
    "{\"id\":\"A6\",\"kind\":\"auto\",\"max\":1,\"rule\":{\"type\":\"thresholds\",\"signal\":\"cyc\","
    "\"better\":\"higher\",\"steps\":[{\"limit\":20,\"score\":1}]}}]}],"
    "\"ranking\":{\"awards\":[]},"
    "\"contestants\":[{\"id\":\"C1\",\"name\":\"n\",\"group\":\"g\",\"venue\":\"v\",\"station\":\"01\"},"
    "{\"id\":\"C2\",\"name\":\"m\",\"group\":\"g\",\"venue\":\"v\",\"station\":\"02\"}]}";

static void fresh(struct contest *c)
{
    static json_t *doc;
    if (!doc) doc = json_loads(competition, 0, NULL);
    CHECK(doc);
    struct scheme s;
    struct jx_error e;
    CHECK(competition_from_json(doc, &s, &e) == 0);
    CHECK(contest_init(c, &s, &e) == 0);
}

struct snapshot {
    milli_t totals[2];
    int64_t keys;
    int marked;
};

static FUZZ_CHECKER struct snapshot snap(const struct contest *c)
{
    struct snapshot s = {{c->results[0].total, c->results[1].total}, c->n_keys, 0};
    for (int who = 0; who < 2; who++)
        for (int k = 0; k < c->scheme.n_criteria; k++) s.marked += contest_cell(c, who, k)->marked;
    return s;
}

static FUZZ_CHECKER void check_unchanged(const struct contest *c, const struct snapshot *before)
{
    struct snapshot now = snap(c);
    CHECK(now.totals[0] == before->totals[0] && now.totals[1] == before->totals[1]);
    CHECK(now.keys == before->keys && now.marked == before->marked);
}

static FUZZ_CHECKER void check_marks(const struct contest *c, const struct derived *out, int n)
{
    for (int i = 0; i < n; i++) {
        const struct criterion *k = &c->scheme.criteria[scheme_criterion(&c->scheme, out[i].mark.criterion)];
        CHECK(out[i].mark.value >= 0);
        if (k->kind == KIND_AUTO) CHECK(out[i].mark.value <= k->max);
    }
    for (int who = 0; who < 2; who++) CHECK(c->results[who].total >= 0 && c->results[who].total <= MAX_TOTAL);
}

struct accepted {
    char key[SIGNAL_KEY_MAX + 1], name[65];
    const char *contestant;
    milli_t value;
    int64_t at;
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    struct contest c;
    fresh(&c);
    static struct accepted accepted[MAX_LINES];
    int n_accepted = 0, line = 0;
    char *save = NULL;
    for (char *l = strtok_r(text, "\n", &save); l && line < MAX_LINES; l = strtok_r(NULL, "\n", &save), line++) {
        char *space = strchr(l, ' ');
        if (!space) continue;
        *space = '\0';
        struct device_message m;
        struct jx_error e;
        if (device_message_parse(l, space + 1, strlen(space + 1), &m, &e) != 0 ||
            strcmp(m.signal, "heartbeat") == 0)
            continue;
        const char *who = strcmp(m.station, "01") == 0 ? "C1" : strcmp(m.station, "02") == 0 ? "C2" : "C9";
        struct signal sig = {m.key, who, m.signal, m.value, 1000LL * line};
        struct derived out[MAX_DERIVED];
        int n;
        struct snapshot before = snap(&c);
        int rc = contest_apply_signal(&c, &sig, out, MAX_DERIVED, &n, &e);
        if (rc != APPLY_ACCEPTED) {
            check_unchanged(&c, &before);
            continue;
        }
        check_marks(&c, out, n);
        struct snapshot after = snap(&c);
        CHECK(contest_apply_signal(&c, &sig, out, MAX_DERIVED, &n, &e) == APPLY_DUPLICATE);
        check_unchanged(&c, &after);
        struct accepted *a = &accepted[n_accepted++];
        snprintf(a->key, sizeof a->key, "%s", m.key);
        snprintf(a->name, sizeof a->name, "%s", m.signal);
        *a = (struct accepted){.contestant = who, .value = m.value, .at = sig.at_ms};
        snprintf(a->key, sizeof a->key, "%s", m.key);
        snprintf(a->name, sizeof a->name, "%s", m.signal);
    }
    struct contest replay;
    fresh(&replay);
    for (int i = 0; i < n_accepted; i++) {
        struct signal sig = {accepted[i].key, accepted[i].contestant, accepted[i].name,
                             accepted[i].value, accepted[i].at};
        struct derived out[MAX_DERIVED];
        int n;
        struct jx_error e;
        CHECK(contest_apply_signal(&replay, &sig, out, MAX_DERIVED, &n, &e) == APPLY_ACCEPTED);
    }
    CHECK(replay.results[0].total == c.results[0].total && replay.results[1].total == c.results[1].total);
    contest_release(&replay);
    contest_release(&c);
    free(text);
    return 0;
}
