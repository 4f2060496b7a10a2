/* Applying commands to a competition: every rule of DESIGN §4 on marks (ranges,
 * replacement with reason, judges per criterion, voids, locks, idempotency) and rescoring. */
#include "core/contest.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/score.h"

#define MAX_SECONDS (10000000LL * MILLI)

const struct cell *contest_cell(const struct contest *c, int contestant, int criterion)
{
    return &c->cells[(size_t)contestant * (size_t)c->scheme.n_criteria + (size_t)criterion];
}

static struct cell *cell_at(struct contest *c, int contestant, int criterion)
{
    return (struct cell *)contest_cell(c, contestant, criterion);
}

static int result_init(struct result *r, const struct scheme *s)
{
    memset(r, 0, sizeof *r);
    r->modules = calloc((size_t)s->n_modules + (size_t)s->n_components, sizeof(milli_t));
    if (!r->modules) return -1;
    r->components = r->modules + s->n_modules;
    return 0;
}

static void result_copy(struct result *dst, const struct result *src, const struct scheme *s)
{
    milli_t *modules = dst->modules, *components = dst->components;
    *dst = *src;
    dst->modules = modules;
    dst->components = components;
    memcpy(modules, src->modules,
           ((size_t)s->n_modules + (size_t)s->n_components) * sizeof(milli_t));
}

/* Recomputes a contestant's result from its cells. */
static void rescore(struct contest *c, int contestant)
{
    const struct scheme *s = &c->scheme;
    const struct cell *row = contest_cell(c, contestant, 0);
    score_result(s, row, &c->results[contestant]);
}

/* Room for at least rows contestants, growing geometrically. */
static int grow_rows(struct contest *c, int rows)
{
    if (rows <= c->cap_rows) return 0;
    if (rows < c->cap_rows * 2) rows = c->cap_rows * 2;
    size_t n_cells = (size_t)rows * (size_t)c->scheme.n_criteria;
    struct cell *cells = realloc(c->cells, n_cells * sizeof *cells);
    if (!cells) return -1;
    c->cells = cells;
    struct result *results = realloc(c->results, (size_t)rows * sizeof *results);
    if (!results) return -1;
    c->results = results;
    if (c->n_stage_slots) {
        size_t n = (size_t)rows * (size_t)c->n_stage_slots;
        int64_t *clock = realloc(c->stage_clock, n * sizeof *clock);
        if (!clock) return -1;
        c->stage_clock = clock;
    }
    c->cap_rows = rows;
    return 0;
}

/* Builds the empty row, result and standings entries of contestant i. */
static int place_contestant(struct contest *c, int i)
{
    const struct scheme *s = &c->scheme;
    if (grow_rows(c, i + 1) != 0) return -1;
    memset(cell_at(c, i, 0), 0, (size_t)s->n_criteria * sizeof(struct cell));
    if (c->n_stage_slots)
        memset(&c->stage_clock[(size_t)i * (size_t)c->n_stage_slots], 0,
               (size_t)c->n_stage_slots * sizeof *c->stage_clock);
    if (result_init(&c->results[i], s) != 0) return -1;
    rescore(c, i);
    return c->standings_paused ? 0 : standings_insert(&c->standings, s, i, &c->results[i]);
}

void contest_pause_standings(struct contest *c)
{
    standings_release(&c->standings);
    c->standings_paused = true;
}

int contest_resume_standings(struct contest *c)
{
    if (!c->standings_paused) return 0;
    c->standings_paused = false;
    if (standings_init(&c->standings, &c->scheme) != 0) return -1;
    for (int i = 0; i < c->scheme.n_contestants; i++)
        if (standings_insert(&c->standings, &c->scheme, i, &c->results[i]) != 0) return -1;
    return 0;
}

int contest_init(struct contest *c, struct scheme *scheme, struct jx_error *e)
{
    if ((long long)scheme->n_contestants * scheme->n_criteria > MAX_CELLS) {
        scheme_release(scheme);
        return jx_fail(e, 413, "too_large", "contestants",
                       "选手数 × 评分项数超过 %lld / contestants × criteria exceed %lld", MAX_CELLS,
                       MAX_CELLS);
    }
    memset(c, 0, sizeof *c);
    c->scheme = *scheme;
    memset(scheme, 0, sizeof *scheme);
    c->locked = calloc((size_t)c->scheme.n_modules, sizeof *c->locked);
    c->stage_base = malloc((size_t)c->scheme.n_modules * sizeof *c->stage_base + 1);
    for (int m = 0; c->stage_base && m < c->scheme.n_modules; m++) {
        int n = c->scheme.modules[m].n_stages;
        c->stage_base[m] = n ? c->n_stage_slots : -1;
        c->n_stage_slots += n ? 1 + n : 0;
    }
    if (!c->locked || !c->stage_base || standings_init(&c->standings, &c->scheme) != 0 ||
        result_init(&c->scratch, &c->scheme) != 0)
        goto oom;
    for (int i = 0; i < c->scheme.n_contestants; i++)
        if (place_contestant(c, i) != 0) goto oom;
    return 0;
oom:
    contest_release(c);
    return jx_fail(e, 500, "out_of_memory", NULL, "内存不足 / out of memory");
}

static void release_cell(struct cell *cell)
{
    for (int i = 0; i < cell->n_slots; i++) free(cell->slots[i].judge);
    free(cell->slots);
    free(cell->entries);
}

void contest_release(struct contest *c)
{
    size_t rows = c->results ? (size_t)c->scheme.n_contestants : 0;
    for (size_t i = 0; c->cells && i < rows * (size_t)c->scheme.n_criteria; i++)
        release_cell(&c->cells[i]);
    for (size_t i = 0; i < rows; i++) free(c->results[i].modules);
    free(c->cells);
    free(c->results);
    free(c->locked);
    free(c->stage_base);
    free(c->stage_clock);
    free(c->key_records);
    strmap_release(&c->keys);
    strmap_release(&c->signal_times);
    standings_release(&c->standings);
    free(c->scratch.modules);
    scheme_release(&c->scheme);
    memset(c, 0, sizeof *c);
}

int contest_add_contestant(struct contest *c, struct contestant *who, struct jx_error *e)
{
    struct scheme *s = &c->scheme;
    if (who->group < 0 || who->group >= s->n_groups || who->venue < 0 ||
        who->venue >= s->n_venues)
        return jx_fail(e, 400, "invalid_contestant", "contestant",
                       "选手 %s 的组别或赛场无效 / unknown group or venue", who->id);
    if (scheme_contestant(s, who->id) >= 0)
        return jx_fail(e, 409, "duplicate_id", "id", "选手编号 %s 已存在 / contestant %s exists",
                       who->id, who->id);
    if ((long long)(s->n_contestants + 1) * s->n_criteria > MAX_CELLS)
        return jx_fail(e, 413, "too_large", "contestants",
                       "选手数 × 评分项数超过 %lld / contestants × criteria exceed %lld", MAX_CELLS,
                       MAX_CELLS);
    if (scheme_add_contestant(s, who) != 0 || place_contestant(c, s->n_contestants - 1) != 0)
        return jx_fail(e, 500, "out_of_memory", NULL, "内存不足 / out of memory");
    return 0;
}

bool cell_disputed(const struct criterion *k, const struct cell *cell)
{
    if (k->kind != KIND_JUDGEMENT || cell->n_slots < 2) return false;
    int lo = 3, hi = 0;
    for (int i = 0; i < cell->n_slots; i++) {
        if (cell->slots[i].grade < lo) lo = cell->slots[i].grade;
        if (cell->slots[i].grade > hi) hi = cell->slots[i].grade;
    }
    return hi - lo > 1;
}

static int64_t *stage_clock_at(struct contest *c, int contestant, int module)
{
    int base = c->stage_base[module];
    return base < 0 ? NULL
                    : &c->stage_clock[(size_t)contestant * (size_t)c->n_stage_slots + (size_t)base];
}

const int64_t *contest_stage_clock(const struct contest *c, int contestant, int module)
{
    return stage_clock_at((struct contest *)c, contestant, module);
}

void contest_start_stage_clock(struct contest *c, int contestant, int module, int64_t at_ms)
{
    int64_t *clock = stage_clock_at(c, contestant, module);
    if (clock && !clock[0]) clock[0] = at_ms;
}

/* After a mark on a staged module: the module's start, and when each stage now passed was
 * first passed. A stage keeps that time when a correction of an earlier one takes the pass
 * away for a while: the contestant did the work then (and only passed stages are shown). */
static void tick_stage_clock(struct contest *c, int contestant, int module, int64_t at_ms)
{
    int64_t *clock = stage_clock_at(c, contestant, module);
    if (!clock) return;
    const struct module *mod = &c->scheme.modules[module];
    int current = stage_current(&c->scheme, contest_cell(c, contestant, 0), mod);
    if (!clock[0]) clock[0] = at_ms;
    for (int k = 0; k < current; k++)
        if (!clock[1 + k]) clock[1 + k] = at_ms;
}

bool contest_complete(const struct contest *c, int contestant)
{
    return c->results[contestant].n_marked == c->scheme.n_criteria;
}

/* ---- checking a mark ------------------------------------------------------------ */

/* What applying a checked mark will do. */
struct plan {
    int outcome; /* APPLY_ACCEPTED or APPLY_DUPLICATE */
    int contestant, criterion;
    int slot;    /* judgement: the judge's slot, or n_slots for a new one */
    int entry;   /* void: the deduction entry to void */
};

/* Appends s, length first (absent differs from ""), to the text at *n in buf; false when
 * it does not fit. */
static bool put_field(unsigned char *buf, size_t size, size_t *n, const char *s)
{
    size_t len = s ? strlen(s) : 0;
    uint32_t prefix = s ? (uint32_t)len : UINT32_MAX;
    if (size - *n < sizeof prefix + len) return false;
    memcpy(buf + *n, &prefix, sizeof prefix);
    if (s) memcpy(buf + *n + sizeof prefix, s, len);
    *n += sizeof prefix + len;
    return true;
}

/* A 128-bit BLAKE2b digest of everything a mark says, to tell a resent mark from a
 * different one under the same key: the numbers, then each text field length-prefixed, so
 * that different marks never give the same input; hashed in one call. */
static void fingerprint(const struct mark *m, unsigned char out[FINGERPRINT_SIZE])
{
    unsigned char stack[4096], *buf = stack; /* holds any mark mark_from_json accepts */
    const char *texts[5] = {m->contestant, m->criterion, m->judge, m->reason, m->void_key};
    int64_t numbers[3] = {m->type, m->value, m->has_seconds};
    size_t size = sizeof stack, n;
    for (;;) {
        memcpy(buf, numbers, sizeof numbers);
        n = sizeof numbers;
        int i = 0;
        while (i < 5 && put_field(buf, size, &n, texts[i])) i++;
        if (i == 5) break;
        /* Longer than the stack buffer (only marks from outside the checked formats). */
        size = sizeof numbers;
        for (i = 0; i < 5; i++) size += sizeof(uint32_t) + (texts[i] ? strlen(texts[i]) : 0);
        if (buf != stack) free(buf);
        if (!(buf = malloc(size))) abort(); /* out of memory: a digest cannot fail */
    }
    crypto_generichash(out, FINGERPRINT_SIZE, buf, n, NULL, 0);
    if (buf != stack) free(buf);
}

/* A reason or key counts only with something besides spaces in it. */
static bool has_text(const char *s)
{
    for (; s && *s; s++)
        if (!strchr(" \t\r\n", *s)) return true;
    return false;
}

static int check_void(const struct contest *c, const struct mark *m, struct plan *p,
                      struct jx_error *e)
{
    int64_t target;
    if (!m->void_key || !strmap_get(&c->keys, m->void_key, &target))
        return jx_fail(e, 404, "unknown_mark", "void",
                       "要作废的扣分不存在 / no mark with key \"%s\"", m->void_key ? m->void_key : "");
    const struct key_record *r = &c->key_records[target];
    if (r->entry < 0)
        return jx_fail(e, 409, "not_a_deduction", "void",
                       "只能作废扣分记录；其他评分请用新评分替换 / only deductions are voided; "
                       "replace other marks with a new mark and a reason");
    if (!has_text(m->reason))
        return jx_fail(e, 400, "reason_required", "reason", "作废须填写原因 / a void needs a reason");
    const struct scheme *s = &c->scheme;
    if (c->locked[s->criteria[r->criterion].module])
        return jx_fail(e, 409, "module_locked", "void",
                       "该模块已签核锁定 / the module is signed off and locked");
    if (contest_cell(c, r->contestant, r->criterion)->entries[r->entry].voided)
        return jx_fail(e, 409, "already_voided", "void", "该扣分已作废 / already voided");
    p->contestant = r->contestant;
    p->criterion = r->criterion;
    p->entry = r->entry;
    return 0;
}

static int check_value(const struct criterion *k, const struct mark *m, struct jx_error *e)
{
    char max[32];
    milli_format(k->max, max);
    if (m->type == MARK_DEDUCTION) {
        if (k->kind != KIND_DEDUCTION)
            return jx_fail(e, 400, "wrong_kind", "deduction",
                           "评分项 %s 不是扣分项 / %s is not a deduction criterion", k->id, k->id);
        if (m->value < 0 || m->value > k->max)
            return jx_fail(e, 400, "out_of_range", "deduction",
                           "扣分须在 0 到 %s 之间 / deduction must be 0..%s", max, max);
        if (!has_text(m->reason))
            return jx_fail(e, 400, "reason_required", "reason", "扣分须填写原因 / a deduction needs a reason");
        return 0;
    }
    switch (k->kind) {
    case KIND_DEDUCTION:
        return jx_fail(e, 400, "wrong_kind", "value",
                       "评分项 %s 是扣分项，请用 deduction / %s takes \"deduction\"", k->id, k->id);
    case KIND_TIME:
        if (!m->has_seconds)
            return jx_fail(e, 400, "wrong_kind", "value",
                           "评分项 %s 是用时项，请用 seconds / %s takes \"seconds\"", k->id, k->id);
        if (m->value < 0 || m->value > MAX_SECONDS)
            return jx_fail(e, 400, "out_of_range", "seconds", "用时须在 0 到 10000000 秒之间 / "
                           "seconds must be 0..10000000");
        return 0;
    case KIND_JUDGEMENT:
        if (m->has_seconds || m->value < 0 || m->value > 3 * MILLI || m->value % MILLI != 0)
            return jx_fail(e, 400, "invalid_judgement", "value",
                           "评价分须为 0、1、2 或 3 / a judgement is an integer 0–3");
        if (!has_text(m->judge))
            return jx_fail(e, 400, "judge_required", "judge",
                           "评价分须注明裁判 / a judgement needs its judge");
        return 0;
    default:
        if (m->has_seconds)
            return jx_fail(e, 400, "wrong_kind", "seconds",
                           "评分项 %s 不是用时项 / %s takes \"value\"", k->id, k->id);
        if (m->value < 0 || m->value > k->max)
            return jx_fail(e, 400, "out_of_range", "value", "分值须在 0 到 %s 之间 / value must be 0..%s",
                           max, max);
        return 0;
    }
}

/* For a judgement, finds the judge's slot; for any replacement, demands a reason. */
static int check_replacement(const struct criterion *k, const struct cell *cell,
                             const struct mark *m, struct plan *p, struct jx_error *e)
{
    bool replaces = false;
    if (k->kind == KIND_JUDGEMENT) {
        p->slot = cell->n_slots;
        for (int i = 0; i < cell->n_slots; i++)
            if (strcmp(cell->slots[i].judge, m->judge) == 0) p->slot = i;
        replaces = p->slot < cell->n_slots;
        if (!replaces && cell->n_slots >= k->judges)
            return jx_fail(e, 409, "judges_full", "judge",
                           "评分项 %s 已有 %d 位裁判评分 / %s already has its %d judges", k->id,
                           k->judges, k->id, k->judges);
    } else if (k->kind != KIND_DEDUCTION) {
        replaces = cell->marked;
    }
    if (replaces && !has_text(m->reason))
        return jx_fail(e, 400, "reason_required", "reason",
                       "修改已保存的评分须填写原因 / changing a saved mark needs a reason");
    return 0;
}

static int check(const struct contest *c, const struct mark *m, struct plan *p,
                 struct jx_error *e)
{
    const struct scheme *s = &c->scheme;
    memset(p, 0, sizeof *p);
    p->outcome = APPLY_ACCEPTED;
    p->entry = -1;
    if (!has_text(m->key)) return jx_fail(e, 400, "key_required", "key", "缺少 key / key is required");
    int64_t known;
    if (strmap_get(&c->keys, m->key, &known)) {
        unsigned char digest[FINGERPRINT_SIZE];
        fingerprint(m, digest);
        if (memcmp(digest, c->key_records[known].fingerprint, FINGERPRINT_SIZE) != 0)
            return jx_fail(e, 409, "key_conflict", "key",
                           "同一 key 的内容不同 / key \"%s\" was used for a different mark", m->key);
        p->outcome = APPLY_DUPLICATE;
        return 0;
    }
    if (m->type == MARK_VOID) return check_void(c, m, p, e);
    p->contestant = m->contestant ? scheme_contestant(s, m->contestant) : -1;
    if (p->contestant < 0)
        return jx_fail(e, 404, "unknown_contestant", "contestant", "未知选手 / unknown contestant \"%s\"",
                       m->contestant ? m->contestant : "");
    p->criterion = m->criterion ? scheme_criterion(s, m->criterion) : -1;
    if (p->criterion < 0)
        return jx_fail(e, 404, "unknown_criterion", "criterion", "未知评分项 / unknown criterion \"%s\"",
                       m->criterion ? m->criterion : "");
    const struct criterion *k = &s->criteria[p->criterion];
    if (c->locked[k->module])
        return jx_fail(e, 409, "module_locked", "criterion",
                       "模块 %s 已签核锁定，不能再评分 / module %s is signed off and locked",
                       s->modules[k->module].id, s->modules[k->module].id);
    if (check_value(k, m, e) != 0) return -1;
    return check_replacement(k, contest_cell(c, p->contestant, p->criterion), m, p, e);
}

int contest_check_mark(const struct contest *c, const struct mark *m, struct jx_error *e)
{
    struct plan p;
    return check(c, m, &p, e) != 0 ? -1 : p.outcome;
}

/* ---- applying -------------------------------------------------------------------- */

static int remember_key(struct contest *c, const struct mark *m, const struct plan *p, int entry)
{
    if (c->n_keys == c->cap_keys) {
        int64_t cap = c->cap_keys ? c->cap_keys * 2 : 256;
        struct key_record *grown = realloc(c->key_records, (size_t)cap * sizeof *grown);
        if (!grown) return -1;
        c->key_records = grown;
        c->cap_keys = cap;
    }
    struct key_record *r = &c->key_records[c->n_keys];
    fingerprint(m, r->fingerprint);
    r->contestant = p->contestant;
    r->criterion = p->criterion;
    r->entry = entry;
    if (strmap_put(&c->keys, m->key, c->n_keys) != 0) return -1;
    c->n_keys++;
    return 0;
}

int contest_seen_key(const struct contest *c, const struct mark *m, struct jx_error *e)
{
    int64_t known;
    if (!strmap_get(&c->keys, m->key, &known)) return 0;
    unsigned char digest[FINGERPRINT_SIZE];
    fingerprint(m, digest);
    if (memcmp(digest, c->key_records[known].fingerprint, FINGERPRINT_SIZE) != 0)
        return jx_fail(e, 409, "key_conflict", "key",
                       "同一 key 的内容不同 / key \"%s\" was used for something else", m->key);
    return APPLY_DUPLICATE;
}

int contest_record_key(struct contest *c, const struct mark *m, int contestant)
{
    struct plan p = {.contestant = contestant, .criterion = -1};
    return remember_key(c, m, &p, -1);
}

/* Changes the cell; returns the new deduction entry's index, -1 if none, -2 out of memory. */
static int change_cell(struct cell *cell, const struct criterion *k, const struct mark *m,
                       const struct plan *p)
{
    if (m->type == MARK_VOID) {
        cell->entries[p->entry].voided = true;
        return -1;
    }
    if (m->type == MARK_DEDUCTION) {
        if (cell->n_entries == cell->cap_entries) {
            int cap = cell->cap_entries ? cell->cap_entries * 2 : 4;
            struct deduction_entry *grown = realloc(cell->entries, (size_t)cap * sizeof *grown);
            if (!grown) return -2;
            cell->entries = grown;
            cell->cap_entries = cap;
        }
        cell->entries[cell->n_entries] = (struct deduction_entry){m->value, false};
        cell->marked = true;
        return cell->n_entries++;
    }
    if (k->kind == KIND_JUDGEMENT) {
        if (p->slot == cell->n_slots) {
            struct judgement_slot *grown =
                realloc(cell->slots, (size_t)(cell->n_slots + 1) * sizeof *grown);
            char *judge = strdup(m->judge);
            if (!grown || !judge) {
                free(judge);
                if (grown) cell->slots = grown;
                return -2;
            }
            cell->slots = grown;
            cell->slots[cell->n_slots++] = (struct judgement_slot){judge, 0};
        }
        cell->slots[p->slot].grade = (int)(m->value / MILLI);
    }
    cell->value = m->value;
    cell->marked = true;
    cell->by_person = !m->judge || strcmp(m->judge, DEVICE_JUDGE) != 0;
    return -1;
}

/* Applies a checked, non-duplicate mark. */
static int apply_planned(struct contest *c, const struct mark *m, const struct plan *p)
{
    const struct scheme *s = &c->scheme;
    result_copy(&c->scratch, &c->results[p->contestant], s);
    int entry = change_cell(cell_at(c, p->contestant, p->criterion), &s->criteria[p->criterion], m, p);
    int rc = entry == -2 || remember_key(c, m, p, entry) != 0 ? -1 : 0;
    score_after_change(s, contest_cell(c, p->contestant, 0), p->criterion, &c->results[p->contestant]);
    tick_stage_clock(c, p->contestant, s->criteria[p->criterion].module, m->at_ms);
    if (!c->standings_paused &&
        standings_move(&c->standings, s, p->contestant, &c->scratch, &c->results[p->contestant]) != 0)
        rc = -1;
    return rc;
}

/* What a cell and its contestant's result were before a mark of the batch changed them. */
struct undo {
    int contestant, criterion;
    struct cell cell;
    struct result result;
    int64_t *clock; /* the module's stage clock, when it has stages */
};

static int copy_cell(struct cell *dst, const struct cell *src)
{
    *dst = *src;
    dst->slots = NULL;
    dst->entries = NULL;
    dst->n_slots = 0;
    if (src->n_slots && !(dst->slots = calloc((size_t)src->n_slots, sizeof *dst->slots))) return -1;
    for (; dst->n_slots < src->n_slots; dst->n_slots++) {
        dst->slots[dst->n_slots].grade = src->slots[dst->n_slots].grade;
        if (!(dst->slots[dst->n_slots].judge = strdup(src->slots[dst->n_slots].judge))) return -1;
    }
    if (src->cap_entries) {
        if (!(dst->entries = malloc((size_t)src->cap_entries * sizeof *dst->entries))) return -1;
        memcpy(dst->entries, src->entries, (size_t)src->n_entries * sizeof *dst->entries);
    }
    return 0;
}

static int save_undo(struct contest *c, const struct plan *p, struct undo *u)
{
    memset(u, 0, sizeof *u);
    u->contestant = p->contestant;
    u->criterion = p->criterion;
    if (result_init(&u->result, &c->scheme) != 0) return -1;
    result_copy(&u->result, &c->results[p->contestant], &c->scheme);
    if (copy_cell(&u->cell, contest_cell(c, p->contestant, p->criterion)) != 0) return -1;
    int module = c->scheme.criteria[p->criterion].module;
    const int64_t *clock = contest_stage_clock(c, p->contestant, module);
    size_t clock_size = (size_t)(1 + c->scheme.modules[module].n_stages) * sizeof *clock;
    if (clock && !(u->clock = malloc(clock_size))) return -1;
    if (clock) memcpy(u->clock, clock, clock_size);
    return 0;
}

static void release_undo(struct undo *u)
{
    release_cell(&u->cell);
    free(u->result.modules);
    free(u->clock);
}

static void restore_undo(struct contest *c, struct undo *u)
{
    struct cell *cell = cell_at(c, u->contestant, u->criterion);
    release_cell(cell);
    *cell = u->cell;
    struct result *now = &c->results[u->contestant];
    if (!c->standings_paused) standings_move(&c->standings, &c->scheme, u->contestant, now, &u->result);
    result_copy(now, &u->result, &c->scheme);
    free(u->result.modules);
    int module = c->scheme.criteria[u->criterion].module;
    if (u->clock)
        memcpy(stage_clock_at(c, u->contestant, module), u->clock,
               (size_t)(1 + c->scheme.modules[module].n_stages) * sizeof *u->clock);
    free(u->clock);
}

/* Forgets the keys the first n marks of a refused batch had added (a mark that
 * failed its own check has outcome -1 and added none), newest first so that the map
 * gives their copies back. */
static void forget_batch_keys(struct contest *c, const struct mark *marks, const int *outcomes,
                              int n, int64_t n_keys)
{
    for (int i = n - 1; i >= 0; i--)
        if (outcomes[i] == APPLY_ACCEPTED) strmap_remove(&c->keys, marks[i].key);
    c->n_keys = n_keys;
}

int contest_apply_batch(struct contest *c, const struct mark *marks, int n, int *outcomes,
                        int *failed, struct jx_error *e)
{
    /* The last mark needs no undo: a small batch keeps its journal on the stack. */
    struct undo few[4];
    struct undo *undo = n <= 5 ? few : calloc((size_t)n, sizeof *undo);
    if (!undo) return jx_fail(e, 500, "out_of_memory", NULL, "内存不足 / out of memory");
    int64_t n_keys = c->n_keys;
    int applied = 0, rc = 0;
    *failed = -1;
    for (int i = 0; i < n && rc == 0; i++) {
        struct plan p;
        outcomes[i] = -1;
        if (check(c, &marks[i], &p, e) != 0) {
            *failed = i;
            rc = -1;
        } else if ((outcomes[i] = p.outcome) == APPLY_ACCEPTED && i == n - 1) {
            /* Nothing after the last mark can refuse the batch: no undo needed. */
            if (apply_planned(c, &marks[i], &p) != 0) abort(); /* out of memory mid-change */
        } else if (outcomes[i] == APPLY_ACCEPTED) {
            if (save_undo(c, &p, &undo[applied]) != 0 || apply_planned(c, &marks[i], &p) != 0) {
                *failed = i;
                rc = jx_fail(e, 500, "out_of_memory", NULL, "内存不足 / out of memory");
            }
            applied++;
        }
    }
    if (rc != 0) {
        forget_batch_keys(c, marks, outcomes, *failed + 1, n_keys);
        while (applied > 0) restore_undo(c, &undo[--applied]);
    }
    for (int i = 0; i < applied; i++) release_undo(&undo[i]);
    if (undo != few) free(undo);
    return rc;
}

int contest_apply_mark(struct contest *c, const struct mark *m, struct jx_error *e)
{
    int outcome, failed;
    return contest_apply_batch(c, m, 1, &outcome, &failed, e) != 0 ? -1 : outcome;
}

int contest_lock_module(struct contest *c, int module, struct jx_error *e)
{
    const struct scheme *s = &c->scheme;
    if (module < 0 || module >= s->n_modules)
        return jx_fail(e, 404, "unknown_module", "module", "未知模块 / unknown module");
    if (c->locked[module])
        return jx_fail(e, 409, "already_locked", "module", "模块已签核 / already signed off");
    const struct module *mod = &s->modules[module];
    for (int i = 0; i < s->n_contestants; i++)
        for (int k = mod->first_criterion; k < mod->first_criterion + mod->n_criteria; k++)
            if (cell_disputed(&s->criteria[k], contest_cell(c, i, k)))
                return jx_fail(e, 409, "disputed", "module",
                               "选手 %s 的评分项 %s 有争议，须先重新评判 / contestant %s has a "
                               "disputed judgement on %s: re-judge it first",
                               s->contestants[i].id, s->criteria[k].id, s->contestants[i].id,
                               s->criteria[k].id);
    c->locked[module] = true;
    return 0;
}

int contest_unlock_module(struct contest *c, int module, const char *reason, struct jx_error *e)
{
    if (module < 0 || module >= c->scheme.n_modules)
        return jx_fail(e, 404, "unknown_module", "module", "未知模块 / unknown module");
    if (!c->locked[module])
        return jx_fail(e, 409, "not_locked", "module", "模块未签核 / the module is not signed off");
    if (!has_text(reason))
        return jx_fail(e, 400, "reason_required", "reason", "解锁须填写原因 / unlocking needs a reason");
    c->locked[module] = false;
    return 0;
}
