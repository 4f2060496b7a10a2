/* Exact scoring on integer thousandths: every division rounds half away from zero
 * exactly once, where DESIGN §4 says round3, and nowhere else. */
#include "core/score.h"

milli_t score_time(const struct criterion *k, milli_t seconds)
{
    if (seconds <= k->full_within) return k->max;
    if (seconds >= k->zero_after) return 0;
    return div_round_half_away((__int128)k->max * (k->zero_after - seconds),
                               k->zero_after - k->full_within);
}

static milli_t score_judgement(const struct criterion *k, const struct cell *cell)
{
    if (cell->n_slots == 0) return 0;
    int64_t sum = 0;
    for (int i = 0; i < cell->n_slots; i++) sum += cell->slots[i].grade;
    return div_round_half_away((__int128)sum * k->max, 3 * (__int128)cell->n_slots);
}

static milli_t score_deduction(const struct criterion *k, const struct cell *cell)
{
    milli_t left = k->max;
    for (int i = 0; i < cell->n_entries; i++)
        if (!cell->entries[i].voided) left -= cell->entries[i].amount;
    return left > 0 ? left : 0;
}

milli_t score_cell(const struct criterion *k, const struct cell *cell)
{
    if (!cell->marked) return 0;
    switch (k->kind) {
    case KIND_JUDGEMENT: return score_judgement(k, cell);
    case KIND_DEDUCTION: return score_deduction(k, cell);
    case KIND_TIME: return score_time(k, cell->value);
    default: return cell->value;
    }
}

bool cell_complete(const struct criterion *k, const struct cell *cell)
{
    return k->kind == KIND_JUDGEMENT ? cell->n_slots >= k->judges : cell->marked;
}

/* Components and total from the module scores already in r. */
static void score_components(const struct scheme *s, struct result *r)
{
    __int128 weighted = 0;
    for (int c = 0; c < s->n_components; c++) {
        milli_t sum = 0;
        for (int m = 0; m < s->n_modules; m++)
            if (s->modules[m].component == c) sum += r->modules[m];
        r->components[c] = div_round_half_away((__int128)100 * MILLI * sum, s->components[c].max);
        weighted += (__int128)s->components[c].weight_micro * r->components[c];
    }
    r->total = div_round_half_away(weighted, MICRO);
}

/* Completeness and time, which are cheap to count over every criterion. */
static void score_counts(const struct scheme *s, const struct cell *row, struct result *r)
{
    r->time_sum = 0;
    r->n_marked = 0;
    for (int i = 0; i < s->n_criteria; i++) {
        const struct criterion *k = &s->criteria[i];
        if (cell_complete(k, &row[i])) r->n_marked++;
        if (k->kind == KIND_TIME) r->time_sum += row[i].marked ? row[i].value : k->zero_after;
    }
}

static milli_t score_range(const struct scheme *s, const struct cell *row, int first, int n)
{
    milli_t sum = 0;
    for (int k = first; k < first + n; k++) sum += score_cell(&s->criteria[k], &row[k]);
    return sum;
}

bool stage_marked(const struct scheme *s, const struct cell *row, const struct stage *st)
{
    for (int k = st->first_criterion; k < st->first_criterion + st->n_criteria; k++)
        if (!cell_complete(&s->criteria[k], &row[k])) return false;
    return true;
}

bool stage_passed(const struct scheme *s, const struct cell *row, const struct stage *st)
{
    return stage_marked(s, row, st) &&
           score_range(s, row, st->first_criterion, st->n_criteria) >= st->pass;
}

int stage_current(const struct scheme *s, const struct cell *row, const struct module *mod)
{
    int i = 0;
    while (i < mod->n_stages && stage_passed(s, row, &mod->stages[i])) i++;
    return i;
}

/* With stages, the criteria after the first stage not passed do not count (yet). */
static milli_t score_module(const struct scheme *s, const struct cell *row, int m)
{
    const struct module *mod = &s->modules[m];
    if (mod->n_stages == 0) return score_range(s, row, mod->first_criterion, mod->n_criteria);
    milli_t sum = 0;
    for (int i = 0; i < mod->n_stages; i++) {
        const struct stage *st = &mod->stages[i];
        sum += score_range(s, row, st->first_criterion, st->n_criteria);
        if (!stage_passed(s, row, st)) break;
    }
    return sum;
}

void score_result(const struct scheme *s, const struct cell *row, struct result *r)
{
    for (int m = 0; m < s->n_modules; m++) r->modules[m] = score_module(s, row, m);
    score_counts(s, row, r);
    score_components(s, r);
}

void score_after_change(const struct scheme *s, const struct cell *row, int criterion,
                        struct result *r)
{
    int m = s->criteria[criterion].module;
    r->modules[m] = score_module(s, row, m);
    score_counts(s, row, r);
    score_components(s, r);
}
