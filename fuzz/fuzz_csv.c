/* Harness: the contestant CSV import (src/format/contestants_csv.h), the body of the
 * contestants import request and of `jiangxing import-contestants`. Each input is a CSV
 * file in any encoding. Checked:
 *  - on refusal, the error is filled (status, code, message);
 *  - on success, every row is an object with string id, name, group and venue (and
 *    station, org when their columns exist) and increasing line numbers ≥ 2;
 *  - writing the rows back as RFC 4180 CSV (every field quoted) and reading that gives
 *    the same rows; so does the same CSV in GB18030 when that is not also valid UTF-8;
 *  - each row then goes through contestant_from_json and contest_add_contestant against
 *    the demo competition, as the import does, and the contest's invariants hold after. */
#include <iconv.h>

#include "format/contestants_csv.h"
#include "fuzz.h"

static const char *const fields[] = {"id", "name", "group", "venue", "station", "org"};
#define N_FIELDS 6

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    json_object_seed(1);
    fuzz_demo_doc();
    return 0;
}

static void check_rows(const json_t *rows)
{
    CHECK(json_is_array(rows));
    CHECK(json_array_size(rows) <= CSV_MAX_ROWS);
    json_int_t previous = 1;
    const json_t *first = json_array_get(rows, 0);
    for (size_t i = 0; i < json_array_size(rows); i++) {
        const json_t *row = json_array_get(rows, i);
        CHECK(json_is_object(row));
        for (int k = 0; k < N_FIELDS; k++) {
            const json_t *v = json_object_get(row, fields[k]);
            if (k < 4) CHECK(json_is_string(v));
            /* Optional columns are in every row or in none. */
            else CHECK(!v == !json_object_get(first, fields[k]) && (!v || json_is_string(v)));
            if (v) CHECK(fuzz_valid_utf8((const unsigned char *)json_string_value(v),
                                         strlen(json_string_value(v))));
        }
        const json_t *line = json_object_get(row, "line");
        CHECK(json_is_integer(line) && json_integer_value(line) > previous);
        previous = json_integer_value(line);
    }
}

/* The rows as CSV with every field quoted. Caller frees. */
static char *write_csv(const json_t *rows, size_t *len)
{
    char *out = NULL;
    FILE *f = open_memstream(&out, len);
    CHECK(f);
    const json_t *first = json_array_get(rows, 0);
    int present[N_FIELDS], n = 0;
    for (int k = 0; k < N_FIELDS; k++)
        if ((present[k] = k < 4 || json_object_get(first, fields[k]) != NULL))
            fprintf(f, "%s%s", n++ ? "," : "", fields[k]);
    fputs("\r\n", f);
    for (size_t i = 0; i < json_array_size(rows); i++) {
        n = 0;
        for (int k = 0; k < N_FIELDS; k++) {
            if (!present[k]) continue;
            fputs(n++ ? ",\"" : "\"", f);
            for (const char *p = json_string_value(json_object_get(json_array_get(rows, i), fields[k]));
                 *p; p++)
                fputs(*p == '"' ? "\"\"" : (char[]){*p, 0}, f);
            fputc('"', f);
        }
        fputs("\r\n", f);
    }
    CHECK(fclose(f) == 0);
    return out;
}

/* Equal rows, ignoring line numbers (a re-written file lays lines out differently). */
static int same_rows(const json_t *a, const json_t *b)
{
    if (json_array_size(a) != json_array_size(b)) return 0;
    for (size_t i = 0; i < json_array_size(a); i++)
        for (int k = 0; k < N_FIELDS; k++) {
            const json_t *x = json_object_get(json_array_get(a, i), fields[k]);
            const json_t *y = json_object_get(json_array_get(b, i), fields[k]);
            if (!x != !y || (x && strcmp(json_string_value(x), json_string_value(y)) != 0)) return 0;
        }
    return 1;
}

static void check_reparse(const char *csv, size_t len, const json_t *rows)
{
    struct jx_error e;
    json_t *again = contestants_from_csv(csv, len, &e);
    if (!again) fprintf(stderr, "==fuzz== re-read refused: %s (%s)\n", e.message, e.code);
    CHECK(again);
    check_rows(again);
    CHECK(same_rows(rows, again));
    json_decref(again);
}

/* The same CSV in GB18030, when that differs and is not valid UTF-8 itself. */
static void check_gb18030(const char *utf8, size_t len, const json_t *rows)
{
    iconv_t cd = iconv_open("GB18030", "UTF-8");
    CHECK(cd != (iconv_t)-1);
    size_t cap = len * 4 + 16, out_left = cap, in_left = len;
    char *out = malloc(cap), *in = (char *)utf8, *cursor = out;
    CHECK(out);
    int ok = iconv(cd, &in, &in_left, &cursor, &out_left) != (size_t)-1 && in_left == 0;
    iconv_close(cd);
    size_t gb_len = (size_t)(cursor - out);
    if (ok && gb_len <= CSV_MAX_BYTES && !fuzz_valid_utf8((unsigned char *)out, gb_len))
        check_reparse(out, gb_len, rows);
    free(out);
}

/* As the import does: each row against the competition, then added to it. */
static void import(const json_t *rows)
{
    struct contest c;
    fuzz_demo_contest(&c);
    int added = 0;
    for (size_t i = 0; i < json_array_size(rows) && i < 200; i++) {
        struct contestant who;
        struct jx_error e;
        if (contestant_from_json(json_array_get(rows, i), &c.scheme, "line", &who, &e) != 0) {
            fuzz_check_error(&e);
            continue;
        }
        CHECK(id_is_valid(who.id));
        CHECK(who.group >= 0 && who.group < c.scheme.n_groups && who.venue >= 0 &&
              who.venue < c.scheme.n_venues);
        int known = scheme_contestant(&c.scheme, who.id) >= 0;
        if (contest_add_contestant(&c, &who, &e) != 0) {
            fuzz_check_error(&e);
            CHECK(known); /* the only refusal left: a duplicate id */
            free(who.id);
            free(who.name);
            free(who.station);
            free(who.org);
            continue;
        }
        added++;
    }
    CHECK(c.scheme.n_contestants == 8 + added);
    fuzz_check_contest(&c);
    contest_release(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct jx_error e;
    memset(&e, 0, sizeof e);
    json_t *rows = contestants_from_csv((const char *)data, size, &e);
    if (!rows) {
        fuzz_check_error(&e);
        return 0;
    }
    check_rows(rows);
    if (json_array_size(rows) > 0) {
        size_t len;
        char *csv = write_csv(rows, &len);
        check_reparse(csv, len, rows);
        check_gb18030(csv, len, rows);
        free(csv);
    }
    import(rows);
    json_decref(rows);
    return 0;
}
