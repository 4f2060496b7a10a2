/* `jiangxing demo`: a national final modelled on the seed article (工业机器人系统运维员,
 * 77 finalists, three groups, two venues, theory + five practical modules using every
 * criterion kind, one of them in stages), its accounts and assignments, and a morning's
 * marks for part of it, in time order. All names are fictional. Everything goes through
 * the same events as the live server. */
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/commit.h"
#include "cli/cli.h"
#include "format/standings_json.h"
#include "http/auth.h"

#define DEMO_ID "irom-final-2026"

static const char usage[] =
    "usage: jiangxing demo --db FILE [--if-missing]\n"
    "  Creates the demo competition, its accounts (admin, organiser, chief judges, judges)\n"
    "  and marks for part of it. --if-missing: do nothing when FILE exists.\n"
    "  JIANGXING_ADMIN_PASSWORD sets the admin's password and JIANGXING_DEMO_PASSWORD the\n"
    "  other accounts'; otherwise one-time codes are generated and printed.\n";

static const char *const surnames[] = {"陈", "林", "黄", "周", "吴", "郑", "王", "叶", "潘", "徐", "朱", "池"};
static const char *const given[] = {"晓峰", "建国", "丽娜", "志强", "海燕", "子涵", "宇航", "思远",
                                    "雨桐", "国栋", "文博", "佳怡", "明杰", "秋实", "振华", "若溪"};
static const char *const orgs[] = {"瓯江智能装备有限公司", "雁荡机电科技有限公司", "东海职业技术学院",
                                   "鹿城技师学院", "南麂自动化有限公司", "楠溪精密制造有限公司"};
static const char *const venue_ids[] = {"wz", "hz"};
static const char *const practical[] = {"A", "B", "C", "D", "E"};

static const char scheme_json[] =
    "{\"format\":\"jiangxing.competition/1\",\"id\":\"" DEMO_ID "\","
    "\"title\":\"全国工业机器人系统运维员职业技能竞赛决赛（演示）\","
    "\"groups\":[{\"id\":\"worker\",\"name\":\"职工组\"},{\"id\":\"teacher\",\"name\":\"教师组\"},"
    "{\"id\":\"student\",\"name\":\"学生组\"}],"
    "\"venues\":[{\"id\":\"wz\",\"name\":\"温州赛场\"},{\"id\":\"hz\",\"name\":\"杭州赛场\"}],"
    "\"components\":[{\"id\":\"practical\",\"name\":\"实操\",\"weight\":0.7},"
    "{\"id\":\"theory\",\"name\":\"理论\",\"weight\":0.3}],"
    "\"modules\":["
    "{\"id\":\"T\",\"name\":\"理论知识\",\"component\":\"theory\",\"criteria\":["
    "{\"id\":\"T1\",\"name\":\"理论考试成绩\",\"kind\":\"measurement\",\"max\":100}]},"
    "{\"id\":\"A\",\"name\":\"机器人系统装调\",\"component\":\"practical\",\"criteria\":["
    "{\"id\":\"A1\",\"name\":\"重复定位精度\",\"kind\":\"measurement\",\"max\":6},"
    "{\"id\":\"A2\",\"name\":\"装配工艺\",\"kind\":\"judgement\",\"max\":6,\"judges\":3},"
    "{\"id\":\"A3\",\"name\":\"安全文明操作\",\"kind\":\"deduction\",\"max\":3}]},"
    "{\"id\":\"B\",\"name\":\"电气系统安装\",\"component\":\"practical\",\"criteria\":["
    "{\"id\":\"B1\",\"name\":\"接线正确率\",\"kind\":\"measurement\",\"max\":8},"
    "{\"id\":\"B2\",\"name\":\"工艺规范\",\"kind\":\"deduction\",\"max\":4},"
    "{\"id\":\"B3\",\"name\":\"完成用时\",\"kind\":\"time\",\"max\":3,\"full_within_s\":1800,"
    "\"zero_after_s\":3600,\"rule\":{\"type\":\"elapsed\",\"start\":\"task.start\",\"stop\":\"task.done\"}}]},"
    "{\"id\":\"C\",\"name\":\"故障诊断与排除\",\"component\":\"practical\",\"criteria\":["
    "{\"id\":\"C1\",\"name\":\"设备自检通过\",\"kind\":\"auto\",\"max\":5,\"signal\":\"plc.selftest\"},"
    "{\"id\":\"C2\",\"name\":\"排障用时\",\"kind\":\"time\",\"max\":5,\"full_within_s\":600,"
    "\"zero_after_s\":1800,\"rule\":{\"type\":\"fault\",\"injected\":\"fault.injected\","
    "\"cleared\":\"fault.cleared\"}},"
    "{\"id\":\"C3\",\"name\":\"排障思路\",\"kind\":\"judgement\",\"max\":4,\"judges\":3}],"
    "\"stages\":[{\"id\":\"C-S1\",\"name\":\"第一关 设备自检\",\"criteria\":[\"C1\"],\"pass\":5},"
    "{\"id\":\"C-S2\",\"name\":\"第二关 故障排除\",\"criteria\":[\"C2\"],\"pass\":1},"
    "{\"id\":\"C-S3\",\"name\":\"第三关 排障答辩\",\"criteria\":[\"C3\"]}]},"
    "{\"id\":\"D\",\"name\":\"编程与调试\",\"component\":\"practical\",\"criteria\":["
    "{\"id\":\"D1\",\"name\":\"轨迹精度\",\"kind\":\"measurement\",\"max\":6},"
    "{\"id\":\"D2\",\"name\":\"程序结构\",\"kind\":\"judgement\",\"max\":6,\"judges\":3},"
    "{\"id\":\"D3\",\"name\":\"节拍达标\",\"kind\":\"auto\",\"max\":4,\"rule\":{\"type\":"
    "\"thresholds\",\"signal\":\"cell.cycle_s\",\"better\":\"lower\",\"steps\":[{\"limit\":30,"
    "\"score\":4},{\"limit\":36,\"score\":2}]}}]},"
    "{\"id\":\"E\",\"name\":\"职业素养\",\"component\":\"practical\",\"criteria\":["
    "{\"id\":\"E1\",\"name\":\"团队与沟通\",\"kind\":\"judgement\",\"max\":3,\"judges\":3},"
    "{\"id\":\"E2\",\"name\":\"6S 管理\",\"kind\":\"deduction\",\"max\":3}]}],"
    "\"ranking\":{\"tiebreak\":[\"component:practical\",\"module:C\",\"time\"],"
    "\"award_scope\":\"group\",\"awards\":[{\"name\":\"一等奖\",\"ratio\":0.1},"
    "{\"name\":\"二等奖\",\"ratio\":0.2},{\"name\":\"三等奖\",\"ratio\":0.3}]}}";

/* A mark or device signal of the demo, made up in contestant order and applied in time order. */
struct timed_event {
    int64_t at_ms;
    int order;
    const char *kind;
    char key[48], contestant[16];
    json_t *body;
};

struct demo {
    struct app app;
    struct commit *commit;
    uint64_t rng;
    int keys;
    int64_t start_ms, at_ms; /* the morning began start_ms; the next mark is made at at_ms */
    struct timed_event *timed;
    int n_timed, cap_timed;
};

static uint64_t next(struct demo *d)
{
    d->rng = d->rng * 6364136223846793005ULL + 1442695040888963407ULL;
    return d->rng >> 33;
}

/* Applies an event and queues it for the demo's single commit; the demo data is ours, so
 * a refusal is a bug worth stopping for. */
static int add_event(struct demo *d, const char *kind, const char *key, const char *contestant,
                     json_t *body)
{
    char *text = json_dumps(body, JX_BODY_FLAGS);
    json_decref(body);
    struct event ev = {.competition = DEMO_ID, .kind = kind, .actor = "demo", .body = text,
                       .at_ms = d->at_ms};
    struct jx_error e;
    int rc = text ? app_apply_event(&d->app, &ev, &e) : -1;
    if (rc != 0) fprintf(stderr, "jiangxing demo: %s refused: %s\n", kind, text ? e.message : "oom");
    commit_set_time(d->commit, d->at_ms);
    if (rc == 0) rc = commit_event(d->commit, DEMO_ID, kind, "demo", key, contestant, text);
    free(text);
    return rc;
}

static int add_contestants(struct demo *d)
{
    static const struct { const char *group, *prefix; int count; } groups[] = {
        {"worker", "W", 30}, {"teacher", "T", 22}, {"student", "S", 25}};
    int station = 0;
    for (size_t g = 0; g < 3; g++)
        for (int i = 1; i <= groups[g].count; i++) {
            char id[16], name[32], st[16];
            snprintf(id, sizeof id, "%s%03d", groups[g].prefix, i);
            snprintf(name, sizeof name, "%s%s", surnames[next(d) % 12], given[next(d) % 16]);
            /* Stations are unique across venues: devices address them (docs/devices.md). */
            snprintf(st, sizeof st, "%s-%02d", venue_ids[station % 2], station / 2 + 1);
            json_t *c = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "id", id, "name", name, "group",
                                  groups[g].group, "venue", venue_ids[station % 2], "station", st,
                                  "org", orgs[next(d) % 6]);
            station++;
            if (add_event(d, "contestant.added", NULL, id, c) != 0) return -1;
        }
    return 0;
}

static int add_accounts(struct demo *d, const char *password)
{
    struct jx_error e;
    if (user_add(d->app.db, "organiser", "赛事组织者", "organiser", password, &e) != 0) goto fail;
    for (int v = 0; v < 2; v++) {
        char username[32];
        snprintf(username, sizeof username, "chief-%s", venue_ids[v]);
        if (user_add(d->app.db, username, v ? "杭州赛场裁判长" : "温州赛场裁判长", "chief", password, &e) != 0)
            goto fail;
        if (add_event(d, "judge.assigned", NULL, NULL,
                      json_pack("{s:s, s:s, s:[s,s,s,s,s,s]}", "judge", username, "venue",
                                venue_ids[v], "modules", "T", "A", "B", "C", "D", "E")) != 0)
            return -1;
        for (int m = 0; m < 5; m++)
            for (int j = 1; j <= 3; j++) {
                snprintf(username, sizeof username, "j-%s-%s-%d", venue_ids[v], practical[m], j);
                if (user_add(d->app.db, username, username, "judge", password, &e) != 0) goto fail;
                if (add_event(d, "judge.assigned", NULL, NULL,
                              json_pack("{s:s, s:s, s:[s]}", "judge", username, "venue",
                                        venue_ids[v], "modules", practical[m])) != 0)
                    return -1;
            }
    }
    return 0;
fail:
    fprintf(stderr, "jiangxing demo: %s\n", e.message);
    return -1;
}

/* Queues an event made at d->at_ms (body taken over; key copied). */
static struct timed_event *queue_event(struct demo *d, const char *kind, const char *key,
                                      const char *who, json_t *body)
{
    if (!body) return NULL;
    if (d->n_timed == d->cap_timed) {
        int cap = d->cap_timed ? d->cap_timed * 2 : 1024;
        struct timed_event *grown = realloc(d->timed, (size_t)cap * sizeof *grown);
        if (!grown) {
            json_decref(body);
            return NULL;
        }
        d->timed = grown;
        d->cap_timed = cap;
    }
    struct timed_event *t = &d->timed[d->n_timed++];
    *t = (struct timed_event){.at_ms = d->at_ms, .order = d->n_timed, .kind = kind, .body = body};
    snprintf(t->key, sizeof t->key, "%s", key);
    snprintf(t->contestant, sizeof t->contestant, "%s", who);
    return t;
}

/* Makes up a mark at d->at_ms, then moves the clock on by 20–80 s. */
static int mark(struct demo *d, const char *who, const char *criterion, const char *judge,
                const char *field, double value, const char *reason)
{
    char key[24];
    snprintf(key, sizeof key, "demo-%05d", ++d->keys);
    json_t *m = json_pack("{s:s, s:s, s:s, s:f}", "key", key, "contestant", who, "criterion",
                          criterion, field, value);
    if (m && judge) json_object_set_new(m, "judge", json_string(judge));
    if (m && reason) json_object_set_new(m, "reason", json_string(reason));
    if (!queue_event(d, "mark", key, who, m)) return -1;
    d->at_ms += (20 + (int64_t)(next(d) % 61)) * 1000;
    return 0;
}

/* The workstation's controller reports that the fault was injected: the 闯关 module's
 * clock starts (docs/devices.md, rule "fault"). */
static int fault_injected(struct demo *d, const char *who, const char *station)
{
    char key[48];
    snprintf(key, sizeof key, "%s/demo-fault-%s", station, who);
    json_t *body = json_pack("{s:s, s:s, s:s, s:s, s:i, s:I, s:[]}", "key", key, "contestant", who,
                             "station", station, "signal", "fault.injected", "value", 1, "at_ms",
                             (json_int_t)d->at_ms, "marks");
    return queue_event(d, "signal", key, who, body) ? 0 : -1;
}

static int by_time(const void *a, const void *b)
{
    const struct timed_event *x = a, *y = b;
    if (x->at_ms != y->at_ms) return x->at_ms < y->at_ms ? -1 : 1;
    return x->order - y->order;
}

/* Applies the made-up events as the judges and devices would have sent them, in time
 * order (or only frees them when the demo already failed). */
static int apply_timed(struct demo *d, int rc)
{
    qsort(d->timed, (size_t)d->n_timed, sizeof *d->timed, by_time);
    for (int i = 0; i < d->n_timed; i++) {
        d->at_ms = d->timed[i].at_ms;
        if (rc == 0)
            rc = add_event(d, d->timed[i].kind, d->timed[i].key, d->timed[i].contestant, d->timed[i].body);
        else json_decref(d->timed[i].body);
    }
    free(d->timed);
    return rc;
}

/* Sets the clock to minutes after the morning began, plus up to jitter more seconds. */
static void clock_at(struct demo *d, int minutes, int jitter_s)
{
    d->at_ms = d->start_ms + ((int64_t)minutes * 60 + (int64_t)(next(d) % (uint64_t)(jitter_s + 1))) * 1000;
}

static int judge_three(struct demo *d, const char *who, const char *venue, const char *criterion,
                       int base)
{
    char judge[32];
    for (int j = 1; j <= 3; j++) {
        snprintf(judge, sizeof judge, "j-%s-%c-%d", venue, criterion[0], j);
        int grade = base - 1 + (int)(next(d) % 2); /* base−1 or base: never a dispute */
        if (mark(d, who, criterion, judge, "value", grade, NULL) != 0) return -1;
    }
    return 0;
}

/* Marks for part of the competition: theory for all, A and B for most, C and D for
 * some, E for none yet, so standings, ties and incomplete contestants show at once. */
static int add_marks(struct demo *d)
{
    const struct scheme *s = &app_competition(&d->app, DEMO_ID)->contest.scheme;
    for (int i = 0; i < s->n_contestants; i++) {
        const char *who = s->contestants[i].id, *venue = s->venues[s->contestants[i].venue].id;
        char judge[32];
        if (i == 0 || i == 3) d->rng = 0x5eed; /* W001 and W004 get the same marks: a tie */
        int skill = 1 + (int)(next(d) % 3);
        clock_at(d, 60, 300); /* the theory paper, marked after the exam */
        if (mark(d, who, "T1", NULL, "value", 55 + (double)(next(d) % 450) / 10, NULL) != 0) return -1;
        if (i % 9 == 8) continue; /* absent from the practical so far */
        snprintf(judge, sizeof judge, "j-%s-A-1", venue);
        clock_at(d, 75, 900);
        if (mark(d, who, "A1", judge, "value", (double)(next(d) % 601) / 100, NULL) != 0 ||
            judge_three(d, who, venue, "A2", skill) != 0 ||
            mark(d, who, "A3", judge, "deduction", (double)(next(d) % 3) / 2,
                 next(d) % 2 ? "工具摆放不规范" : "未佩戴安全防护用品") != 0)
            return -1;
        snprintf(judge, sizeof judge, "j-%s-B-1", venue);
        if (i % 5 == 4) continue;
        clock_at(d, 125, 600);
        int64_t started = d->at_ms;
        int seconds = 1500 + (int)(next(d) % 2400);
        if (mark(d, who, "B1", judge, "value", 4 + (double)(next(d) % 401) / 100, NULL) != 0 ||
            mark(d, who, "B2", judge, "deduction", (double)(next(d) % 5) / 2, "接线不规范") != 0)
            return -1;
        d->at_ms = started + (int64_t)seconds * 1000; /* the time is known when the task is done */
        if (mark(d, who, "B3", judge, "seconds", seconds, NULL) != 0) return -1;
        if (i % 3 != 0) continue;
        snprintf(judge, sizeof judge, "j-%s-C-1", venue);
        clock_at(d, 185, 600); /* 闯关: self-test, then clearing the fault, then the defence */
        started = d->at_ms;
        seconds = 500 + (int)(next(d) % 1200);
        if (fault_injected(d, who, s->contestants[i].station) != 0) return -1;
        d->at_ms += (180 + (int64_t)(next(d) % 300)) * 1000;
        if (mark(d, who, "C1", judge, "value", next(d) % 4 ? 5 : 0, NULL) != 0) return -1;
        if (i % 4 == 2) continue; /* still clearing the fault */
        d->at_ms = started + (int64_t)seconds * 1000;
        if (mark(d, who, "C2", judge, "seconds", seconds, NULL) != 0 ||
            judge_three(d, who, venue, "C3", skill) != 0)
            return -1;
        if (i % 6 != 0 || i < 12) continue; /* these few have finished every module */
        snprintf(judge, sizeof judge, "j-%s-D-1", venue);
        clock_at(d, 245, 600);
        if (mark(d, who, "D1", judge, "value", 3 + (double)(next(d) % 301) / 100, NULL) != 0 ||
            judge_three(d, who, venue, "D2", skill) != 0 ||
            mark(d, who, "D3", judge, "value", next(d) % 3 ? 4 : 0, NULL) != 0)
            return -1;
        snprintf(judge, sizeof judge, "j-%s-E-1", venue);
        clock_at(d, 275, 600);
        if (judge_three(d, who, venue, "E1", skill) != 0 ||
            mark(d, who, "E2", judge, "deduction", (double)(next(d) % 3) / 2, "工位未清理") != 0)
            return -1;
    }
    /* One disputed judgement, waiting for the chief judge: grades 1 and 3. */
    const char *who = s->contestants[6].id, *venue = s->venues[s->contestants[6].venue].id;
    char judge[32];
    snprintf(judge, sizeof judge, "j-%s-D-1", venue);
    clock_at(d, 290, 120);
    if (mark(d, who, "D2", judge, "value", 1, NULL) != 0) return -1;
    snprintf(judge, sizeof judge, "j-%s-D-2", venue);
    return mark(d, who, "D2", judge, "value", 3, NULL);
}

static const char *password_or_code(const char *env, char *code, size_t size)
{
    const char *given_password = getenv(env);
    if (given_password && *given_password) return given_password;
    random_code(code, size);
    return code;
}

int cmd_demo(int argc, char **argv)
{
    if (cli_wants_help(argc, argv, usage)) return 0;
    const char *path = NULL;
    bool if_missing = false;
    for (int i = 1; i < argc; i++) {
        if (i + 1 < argc && strcmp(argv[i], "--db") == 0) path = argv[++i];
        else if (strcmp(argv[i], "--if-missing") == 0) if_missing = true;
        else {
            fprintf(stderr, "jiangxing demo: unexpected argument %s\n%s", argv[i], usage);
            return 2;
        }
    }
    if (!path) {
        fputs(usage, stderr);
        return 2;
    }
    if (access(path, F_OK) == 0) {
        if (if_missing) {
            printf("jiangxing demo: %s exists, kept as it is\n", path);
            return 0;
        }
        fprintf(stderr, "jiangxing demo: %s exists; remove it or use another --db\n", path);
        return 1;
    }
    if (sodium_init() < 0) return 1;
    struct demo d = {.rng = 2026};
    struct jx_error e;
    char admin_code[13], demo_code[13];
    const char *admin_password = password_or_code("JIANGXING_ADMIN_PASSWORD", admin_code, 13);
    const char *demo_password = password_or_code("JIANGXING_DEMO_PASSWORD", demo_code, 13);
    if (app_lock(path, &e) < 0 || app_open(&d.app, path, &e) != 0) {
        cli_print_error(&e);
        return 1;
    }
    printf("jiangxing demo: creating %s in %s …\n", DEMO_ID, path);
    fflush(stdout);
    json_t *scheme = json_loads(scheme_json, 0, NULL);
    int rc = user_add(d.app.db, "admin", "系统管理员", "admin", admin_password, &e);
    if (rc != 0) cli_print_error(&e);
    d.commit = commit_begin(&d.app);
    d.start_ms = (now_ms() - 5 * 3600 * 1000) / 60000 * 60000; /* the morning began 5 h ago */
    d.at_ms = d.start_ms - 30 * 60 * 1000;                     /* set up before it */
    if (rc == 0) rc = add_event(&d, "competition.created", NULL, NULL, scheme);
    if (rc == 0) rc = add_contestants(&d);
    if (rc == 0) rc = add_accounts(&d, demo_password);
    if (rc == 0) rc = add_marks(&d);
    rc = apply_timed(&d, rc);
    struct competition *comp = rc == 0 ? app_competition(&d.app, DEMO_ID) : NULL;
    for (int i = 0; comp && rc == 0 && i < comp->contest.scheme.n_contestants; i++)
        rc = commit_result(d.commit, comp, i);
    if (rc == 0) {
        commit_submit(d.commit, NULL, NULL);
        printf("  77 contestants, 2 venues, 6 modules, %d marks, 30 judges, 2 chief judges\n"
               "  admin      / %s\n  organiser  / %s   (chief-wz, chief-hz, j-wz-A-1 … j-hz-E-3: "
               "the same)\n",
               d.keys, admin_password == admin_code ? admin_code : "(JIANGXING_ADMIN_PASSWORD)",
               demo_password == demo_code ? demo_code : "(JIANGXING_DEMO_PASSWORD)");
    } else {
        commit_abandon(d.commit);
    }
    app_close(&d.app);
    if (rc != 0) unlink(path);
    return rc == 0 ? 0 : 1;
}
