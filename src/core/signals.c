/* Rules: pass, thresholds, elapsed (start → stop) and fault (injected → cleared). A start
 * is remembered per contestant and signal; a stop yields a time from it. */
#include "core/signals.h"

#include <stdio.h>
#include <string.h>

static bool same(const char *a, const char *b) { return a && b && strcmp(a, b) == 0; }

static void time_key(int contestant, const char *name, char out[96])
{
    snprintf(out, 96, "%d/%s", contestant, name);
}

static milli_t threshold_score(const struct rule *r, milli_t reading)
{
    for (int i = 0; i < r->n_steps; i++)
        if (r->lower_better ? reading <= r->steps[i].limit : reading >= r->steps[i].limit)
            return r->steps[i].score;
    return 0;
}

/* The value the rule gives criterion k for this signal as its stop/reading; false when it
 * waits for a start that never came. */
static bool rule_value(const struct contest *c, int who, const struct criterion *k,
                       const struct signal *sig, struct mark *m)
{
    const struct rule *r = &k->rule;
    if (r->type == RULE_PASS) {
        m->value = sig->value != 0 ? k->max : 0;
        return true;
    }
    if (r->type == RULE_THRESHOLDS) {
        m->value = threshold_score(r, sig->value);
        return true;
    }
    char start_key[96];
    int64_t started;
    time_key(who, r->start, start_key);
    if (!strmap_get(&c->signal_times, start_key, &started)) return false;
    milli_t seconds = sig->at_ms > started ? sig->at_ms - started : 0; /* ms = 1/1000 s */
    if (k->kind == KIND_TIME) {
        m->value = seconds;
        m->has_seconds = true;
    } else {
        m->value = seconds <= r->within ? k->max : 0;
    }
    return true;
}

int contest_apply_signal(struct contest *c, const struct signal *sig, struct derived *out,
                         int max_out, int *n_out, struct jx_error *e)
{
    const struct scheme *s = &c->scheme;
    *n_out = 0;
    int who = sig->contestant ? scheme_contestant(s, sig->contestant) : -1;
    if (who < 0)
        return jx_fail(e, 404, "unknown_contestant", "contestant", "未知选手 / unknown contestant");
    if (!sig->key || !*sig->key || strlen(sig->key) > SIGNAL_EVENT_KEY_MAX)
        return jx_fail(e, 400, "invalid_key", "key", "key 须为 1–%d 个字符 / key must be 1–%d characters",
                       SIGNAL_EVENT_KEY_MAX, SIGNAL_EVENT_KEY_MAX);
    struct mark as_mark = {.key = sig->key, .type = MARK_VALUE, .contestant = sig->contestant,
                           .criterion = sig->name, .judge = "signal", .value = sig->value};
    int seen = contest_seen_key(c, &as_mark, e);
    if (seen != 0) return seen;
    bool starts = false, waiting = false, overridden = false;
    for (int k = 0; k < s->n_criteria; k++) {
        const struct criterion *crit = &s->criteria[k];
        if (same(crit->rule.start, sig->name)) starts = true;
        if (!same(crit->rule.signal, sig->name)) continue;
        if (*n_out == max_out)
            return jx_fail(e, 400, "too_many_rules", "signal", "一个信号最多驱动 %d 个评分项 / a signal drives at most %d criteria",
                           max_out, max_out);
        struct derived *d = &out[*n_out];
        memset(d, 0, sizeof *d);
        snprintf(d->key, sizeof d->key, "%s#%s", sig->key, crit->id);
        snprintf(d->reason, sizeof d->reason, "设备信号 %s", sig->name);
        d->mark = (struct mark){.key = d->key, .type = MARK_VALUE, .contestant = sig->contestant,
                                .criterion = crit->id, .judge = DEVICE_JUDGE, .reason = d->reason,
                                .at_ms = sig->at_ms};
        if (contest_cell(c, who, k)->by_person) overridden = true; /* a person's value wins */
        else if (rule_value(c, who, crit, sig, &d->mark)) (*n_out)++;
        else waiting = true;
    }
    if (*n_out == 0 && !starts && overridden)
        return jx_fail(e, 409, "overridden", "signal",
                       "该评分项已由裁判给分，设备信号不再改变它 / a person marked this criterion: "
                       "the device no longer changes it");
    if (*n_out == 0 && !starts)
        return waiting ? jx_fail(e, 409, "not_started", "signal",
                                 "信号 %s 之前没有对应的开始信号 / %s came before its start signal",
                                 sig->name, sig->name)
                       : jx_fail(e, 404, "no_rule", "signal",
                                 "没有评分规则使用信号 %s / no rule uses the signal %s", sig->name,
                                 sig->name);
    struct mark marks[*n_out > 0 ? *n_out : 1];
    int outcomes[*n_out > 0 ? *n_out : 1], failed;
    for (int i = 0; i < *n_out; i++) marks[i] = out[i].mark;
    if (*n_out > 0 && contest_apply_batch(c, marks, *n_out, outcomes, &failed, e) != 0) return -1;
    char start_key[96];
    time_key(who, sig->name, start_key);
    if ((starts && strmap_put(&c->signal_times, start_key, sig->at_ms) != 0) ||
        contest_record_key(c, &as_mark, who) != 0)
        return jx_fail(e, 500, "out_of_memory", NULL, "内存不足 / out of memory");
    for (int k = 0; starts && k < s->n_criteria; k++)
        if (same(s->criteria[k].rule.start, sig->name))
            contest_start_stage_clock(c, who, s->criteria[k].module, sig->at_ms);
    return APPLY_ACCEPTED;
}
