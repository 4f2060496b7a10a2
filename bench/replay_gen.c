/* bench/replay_gen.c: builds a large event log for timing `jiangxing replay`, through the
 * project's own code (build/libjx.a), the way src/cli/demo.c does: every event is applied
 * with app_apply_event (so the core checks it exactly as the server would), stamped with
 * commit_event (sequence, hash chain) and written with commit_submit, in chunks of
 * --chunk events per transaction; the stored results of every contestant are written at
 * the end, so `jiangxing replay` has something to compare with.
 *
 * The log: one competition, K contestants (contestant.added events) and marks on
 * measurement, deduction, judgement and time criteria, with replacement reasons where a
 * cell is already marked, and some voids of earlier deductions — N events in all.
 *
 *   replay_gen --db FILE [--events 1000000] [--contestants 2000] [--seed 1] [--chunk 20000] */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app/commit.h"
#include "format/standings_json.h"

#ifndef JX_BODY_FLAGS
#define JX_BODY_FLAGS (JSON_REAL_PRECISION(15) | JSON_COMPACT | JSON_SORT_KEYS)
#endif

#define COMPETITION "replay-bench"

static const char scheme_json[] =
    "{\"format\":\"jiangxing.competition/1\",\"id\":\"" COMPETITION "\","
    "\"title\":\"replay benchmark\","
    "\"groups\":[{\"id\":\"worker\",\"name\":\"职工组\"},{\"id\":\"teacher\",\"name\":\"教师组\"},"
    "{\"id\":\"student\",\"name\":\"学生组\"}],"
    "\"venues\":[{\"id\":\"v1\",\"name\":\"一号赛场\"},{\"id\":\"v2\",\"name\":\"二号赛场\"},"
    "{\"id\":\"v3\",\"name\":\"三号赛场\"},{\"id\":\"v4\",\"name\":\"四号赛场\"}],"
    "\"components\":[{\"id\":\"practical\",\"name\":\"实操\",\"weight\":0.7},"
    "{\"id\":\"theory\",\"name\":\"理论\",\"weight\":0.3}],"
    "\"modules\":["
    "{\"id\":\"T\",\"name\":\"理论\",\"component\":\"theory\",\"criteria\":["
    "{\"id\":\"T1\",\"name\":\"理论考试\",\"kind\":\"measurement\",\"max\":100}]},"
    "{\"id\":\"A\",\"name\":\"装调\",\"component\":\"practical\",\"criteria\":["
    "{\"id\":\"A1\",\"name\":\"精度\",\"kind\":\"measurement\",\"max\":10},"
    "{\"id\":\"A2\",\"name\":\"工艺\",\"kind\":\"judgement\",\"max\":6,\"judges\":3},"
    "{\"id\":\"A3\",\"name\":\"安全\",\"kind\":\"deduction\",\"max\":5}]},"
    "{\"id\":\"B\",\"name\":\"电气\",\"component\":\"practical\",\"criteria\":["
    "{\"id\":\"B1\",\"name\":\"接线\",\"kind\":\"measurement\",\"max\":8},"
    "{\"id\":\"B2\",\"name\":\"规范\",\"kind\":\"deduction\",\"max\":4},"
    "{\"id\":\"B3\",\"name\":\"用时\",\"kind\":\"time\",\"max\":3,\"full_within_s\":1800,"
    "\"zero_after_s\":3600}]},"
    "{\"id\":\"C\",\"name\":\"排障\",\"component\":\"practical\",\"criteria\":["
    "{\"id\":\"C1\",\"name\":\"素养\",\"kind\":\"deduction\",\"max\":3},"
    "{\"id\":\"C2\",\"name\":\"思路\",\"kind\":\"judgement\",\"max\":4,\"judges\":3}]}],"
    "\"ranking\":{\"tiebreak\":[\"component:practical\",\"module:A\",\"time\"],"
    "\"award_scope\":\"group\",\"awards\":[{\"name\":\"一等奖\",\"ratio\":0.1},"
    "{\"name\":\"二等奖\",\"ratio\":0.2},{\"name\":\"三等奖\",\"ratio\":0.3}]}}";

/* criterion ids by kind, and their index in the scheme's order above (for our bitmaps) */
enum { T1, A1, A2, A3, B1, B2, B3, C1, C2, N_CRITERIA };
static const char *const criterion_ids[N_CRITERIA] = {"T1", "A1", "A2", "A3", "B1",
                                                      "B2", "B3", "C1", "C2"};
static const int measurement[] = {T1, A1, B1}, measurement_max[] = {100, 10, 8};
static const int deduction[] = {A3, B2, C1};
static const int judgement[] = {A2, C2};

struct live_deduction {
    int64_t key;
    int contestant;
};

struct gen {
    struct app app;
    struct commit *commit;
    uint64_t rng;
    int64_t events, in_chunk, keys;
    int contestants;
    unsigned char *cells; /* per (contestant, criterion): bit 0 marked, bits 1-3 judges */
    struct live_deduction *live;
    int64_t n_live, cap_live;
    int64_t count[5]; /* measurement, deduction, judgement, time, void */
    int64_t replacements;
};

static uint64_t next(struct gen *g)
{
    g->rng = g->rng * 6364136223846793005ULL + 1442695040888963407ULL;
    return g->rng >> 33;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int flush_chunk(struct gen *g)
{
    commit_submit(g->commit, NULL, NULL); /* no writer: its own transaction, now */
    g->in_chunk = 0;
    return (g->commit = commit_begin(&g->app)) ? 0 : -1;
}

/* Applies an event as the server would, then stamps and queues it (demo.c's add_event). */
static int add_event(struct gen *g, const char *kind, const char *key, const char *contestant,
                     json_t *body, int64_t chunk)
{
    char *text = json_dumps(body, JX_BODY_FLAGS);
    json_decref(body);
    struct event ev = {.competition = COMPETITION, .kind = kind, .actor = "bench", .body = text};
    struct jx_error e;
    int rc = text ? app_apply_event(&g->app, &ev, &e) : -1;
    if (rc != 0)
        fprintf(stderr, "replay_gen: event %lld (%s) refused: %s\n  %s\n", (long long)g->events + 1,
                kind, text ? e.message : "out of memory", text ? text : "");
    else rc = commit_event(g->commit, COMPETITION, kind, "bench", key, contestant, text);
    free(text);
    if (rc != 0) return -1;
    g->events++;
    return ++g->in_chunk >= chunk ? flush_chunk(g) : 0;
}

static json_t *milli_json(int64_t milli)
{
    return milli % 1000 == 0 ? json_integer(milli / 1000) : json_real((double)milli / 1000.0);
}

static int add_mark(struct gen *g, int64_t chunk)
{
    char key[32], who[16];
    snprintf(key, sizeof key, "g-%09lld", (long long)++g->keys);
    int roll = (int)(next(g) % 100);
    if (roll >= 95 && g->n_live > 0) { /* void a deduction still counted */
        int64_t i = (int64_t)(next(g) % (uint64_t)g->n_live);
        struct live_deduction d = g->live[i];
        g->live[i] = g->live[--g->n_live];
        char target[32];
        snprintf(target, sizeof target, "g-%09lld", (long long)d.key);
        snprintf(who, sizeof who, "C%05d", d.contestant + 1);
        g->count[4]++;
        return add_event(g, "mark", key, who,
                         json_pack("{s:s, s:s, s:s}", "key", key, "void", target, "reason",
                                   "复核撤销 / voided on review"),
                         chunk);
    }
    int person = (int)(next(g) % (uint64_t)g->contestants);
    snprintf(who, sizeof who, "C%05d", person + 1);
    unsigned char *row = &g->cells[(size_t)person * N_CRITERIA];
    json_t *m;
    if (roll < 30) {
        int k = (int)(next(g) % 3), c = measurement[k];
        int64_t v = (int64_t)(next(g) % (uint64_t)(measurement_max[k] * 1000 + 1));
        m = json_pack("{s:s, s:s, s:s, s:o}", "key", key, "contestant", who, "criterion",
                      criterion_ids[c], "value", milli_json(v));
        if (row[c] & 1) {
            json_object_set_new(m, "reason", json_string("复测 / re-measured"));
            g->replacements++;
        }
        row[c] |= 1;
        g->count[0]++;
    } else if (roll < 65 || roll >= 95) {
        int c = deduction[next(g) % 3];
        int64_t d = (int64_t)(next(g) % 5) * 125; /* 0 .. 0.5 */
        m = json_pack("{s:s, s:s, s:s, s:o, s:s}", "key", key, "contestant", who, "criterion",
                      criterion_ids[c], "deduction", milli_json(d), "reason",
                      next(g) % 2 ? "工具摆放不规范" : "未佩戴防护用品");
        if (g->n_live == g->cap_live) {
            g->cap_live = g->cap_live ? g->cap_live * 2 : 4096;
            if (!(g->live = realloc(g->live, (size_t)g->cap_live * sizeof *g->live))) return -1;
        }
        g->live[g->n_live++] = (struct live_deduction){g->keys, person};
        row[c] |= 1;
        g->count[1]++;
    } else if (roll < 85) {
        int c = judgement[next(g) % 2], judge = (int)(next(g) % 3);
        char name[16];
        snprintf(name, sizeof name, "j%d", judge + 1);
        m = json_pack("{s:s, s:s, s:s, s:s, s:I}", "key", key, "contestant", who, "criterion",
                      criterion_ids[c], "judge", name, "value", (json_int_t)(1 + next(g) % 3));
        if (row[c] & (2 << judge)) {
            json_object_set_new(m, "reason", json_string("重评 / re-judged"));
            g->replacements++;
        }
        row[c] |= (unsigned char)(1 | (2 << judge));
        g->count[2]++;
    } else {
        m = json_pack("{s:s, s:s, s:s, s:I}", "key", key, "contestant", who, "criterion", "B3",
                      "seconds", (json_int_t)(1000 + next(g) % 3000));
        if (row[B3] & 1) {
            json_object_set_new(m, "reason", json_string("计时更正 / time corrected"));
            g->replacements++;
        }
        row[B3] |= 1;
        g->count[3]++;
    }
    return add_event(g, "mark", key, who, m, chunk);
}

static int add_contestants(struct gen *g, int64_t chunk)
{
    static const char *const groups[] = {"worker", "teacher", "student"};
    for (int i = 0; i < g->contestants; i++) {
        char id[16], name[32], station[16];
        snprintf(id, sizeof id, "C%05d", i + 1);
        snprintf(name, sizeof name, "选手%d", i + 1);
        snprintf(station, sizeof station, "%03d", i % 500 + 1);
        char venue[4] = {'v', (char)('1' + i % 4), 0};
        if (add_event(g, "contestant.added", NULL, id,
                      json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "id", id, "name", name, "group",
                                groups[i % 3], "venue", venue, "station", station, "org",
                                "基准测试公司"),
                      chunk) != 0)
            return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    const char *path = NULL;
    int64_t total = 1000000, chunk = 20000;
    struct gen g = {.contestants = 2000, .rng = 1};
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--db")) path = argv[i + 1];
        else if (!strcmp(argv[i], "--events")) total = atoll(argv[i + 1]);
        else if (!strcmp(argv[i], "--contestants")) g.contestants = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--seed")) g.rng = strtoull(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--chunk")) chunk = atoll(argv[i + 1]);
        else path = NULL, i = argc;
    }
    if (!path || argc % 2 == 0 || g.contestants < 1 || total < 1 + g.contestants || chunk < 1) {
        fprintf(stderr, "usage: replay_gen --db FILE [--events 1000000] [--contestants 2000]"
                        " [--seed 1] [--chunk 20000]\n");
        return 2;
    }
    if (access(path, F_OK) == 0) {
        fprintf(stderr, "replay_gen: %s exists; remove it first\n", path);
        return 1;
    }
    struct jx_error e;
    if (app_lock(path, &e) < 0 || app_open(&g.app, path, &e) != 0) {
        fprintf(stderr, "replay_gen: %s\n", e.message);
        return 1;
    }
    if (!(g.cells = calloc((size_t)g.contestants * N_CRITERIA, 1)) ||
        !(g.commit = commit_begin(&g.app)))
        return 1;
    double t0 = now_s(), last = t0;
    int rc = add_event(&g, "competition.created", NULL, NULL, json_loads(scheme_json, 0, NULL), chunk);
    if (rc == 0) rc = add_contestants(&g, chunk);
    while (rc == 0 && g.events < total) {
        rc = add_mark(&g, chunk);
        if (g.events % 100000 == 0) {
            double t = now_s();
            printf("  %lld events, %.0f events/s\n", (long long)g.events, 100000 / (t - last));
            fflush(stdout);
            last = t;
        }
    }
    struct competition *comp = app_competition(&g.app, COMPETITION);
    for (int i = 0; rc == 0 && comp && i < g.contestants; i++) rc = commit_result(g.commit, comp, i);
    if (rc == 0) commit_submit(g.commit, NULL, NULL);
    else commit_abandon(g.commit);
    if (rc == 0)
        printf("replay_gen: %lld events (1 competition, %d contestants, %lld marks: %lld "
               "measurements, %lld deductions, %lld judgements, %lld times, %lld voids; %lld "
               "replacements with a reason) in %.1f s\n",
               (long long)g.events, g.contestants, (long long)(g.events - 1 - g.contestants),
               (long long)g.count[0], (long long)g.count[1], (long long)g.count[2],
               (long long)g.count[3], (long long)g.count[4], (long long)g.replacements,
               now_s() - t0);
    app_close(&g.app);
    free(g.cells);
    free(g.live);
    if (rc != 0) unlink(path);
    return rc == 0 ? 0 : 1;
}
