/* The contestant CSV reader: decode to UTF-8 (iconv for GB18030), split RFC 4180
 * records, map header names to fields. Validation against the scheme happens later. */
#include "format/contestants_csv.h"

#include "core/utf8.h"

#include <iconv.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *field, *english, *chinese;
    bool required;
} columns[] = {{"id", "id", "编号", true},        {"name", "name", "姓名", true},
               {"group", "group", "组别", true},  {"venue", "venue", "赛场", true},
               {"station", "station", "工位", false}, {"org", "org", "单位", false}};
#define N_COLUMNS 6
#define MAX_FIELDS 32
#define MAX_FIELD 1024 /* 200 characters of up to 4 bytes, with room */


/* A NUL-terminated UTF-8 copy of data, or NULL when it is neither UTF-8 nor GB18030. */
static char *to_utf8(const char *data, size_t len)
{
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
        data += 3;
        len -= 3;
        if (!utf8_valid((const unsigned char *)data, len)) return NULL;
    }
    if (utf8_valid((const unsigned char *)data, len)) return strndup(data, len);
    iconv_t cd = iconv_open("UTF-8", "GB18030");
    if (cd == (iconv_t)-1) return NULL;
    size_t cap = len * 2 + 1, out_left = cap - 1;
    char *out = malloc(cap), *in = (char *)data, *cursor = out;
    size_t in_left = len;
    bool ok = out && iconv(cd, &in, &in_left, &cursor, &out_left) != (size_t)-1 && in_left == 0;
    iconv_close(cd);
    if (!ok || memchr(out, '\0', (size_t)(cursor - out))) {
        free(out);
        return NULL;
    }
    *cursor = '\0';
    return out;
}

struct reader {
    const char *p;
    int line, column;
    char fields[MAX_FIELDS][MAX_FIELD];
    int n_fields;
};

/* Reads one record; false at end of input. On a malformed record fills e. */
static bool read_record(struct reader *r, struct jx_error *e, bool *failed)
{
    *failed = false;
    if (!*r->p) return false;
    r->n_fields = 0;
    r->column = 1;
    for (;;) {
        if (r->n_fields == MAX_FIELDS) {
            *failed = true;
            jx_fail(e, 400, "csv_too_many_columns", "csv", "第 %d 行列数过多 / line %d has too many columns",
                    r->line, r->line);
            return false;
        }
        char *field = r->fields[r->n_fields++];
        size_t n = 0;
        bool quoted = *r->p == '"';
        int start_line = r->line;
        if (quoted) r->p++;
        for (;;) {
            char c = *r->p;
            if (quoted && c == '"' && r->p[1] == '"') r->p++;
            else if (quoted && c == '"') {
                quoted = false;
                r->p++;
                if (!strchr(",\r\n", *r->p)) { /* also true at the end: strchr finds '\0' */
                    *failed = true;
                    jx_fail(e, 400, "csv_bad_quote", "csv",
                            "第 %d 行第 %d 列引号后还有内容 / line %d column %d: text after a closing quote",
                            r->line, r->column, r->line, r->column);
                    return false;
                }
                continue;
            }
            else if (!quoted && (c == ',' || c == '\n' || c == '\r' || c == '\0')) break;
            else if (quoted && c == '\0') {
                *failed = true;
                jx_fail(e, 400, "csv_unterminated_quote", "csv",
                        "第 %d 行第 %d 列的引号没有结束 / line %d column %d: unterminated quote",
                        start_line, r->column, start_line, r->column);
                return false;
            }
            if (c == '\n') r->line++;
            if (n + 1 >= MAX_FIELD) {
                *failed = true;
                jx_fail(e, 400, "csv_field_too_long", "csv",
                        "第 %d 行第 %d 列内容过长 / line %d column %d is too long", r->line, r->column,
                        r->line, r->column);
                return false;
            }
            field[n++] = *r->p++;
        }
        field[n] = '\0';
        if (*r->p == ',') {
            r->p++;
            r->column++;
            continue;
        }
        if (*r->p == '\r') r->p++;
        if (*r->p == '\n') r->p++;
        r->line++;
        return true;
    }
}

static int map_header(const struct reader *r, int index[N_COLUMNS], struct jx_error *e)
{
    for (int k = 0; k < N_COLUMNS; k++) index[k] = -1;
    for (int f = 0; f < r->n_fields; f++) {
        const char *name = r->fields[f];
        while (*name == ' ') name++;
        int k = 0;
        while (k < N_COLUMNS && strcmp(name, columns[k].english) && strcmp(name, columns[k].chinese)) k++;
        if (k == N_COLUMNS)
            return jx_fail(e, 400, "csv_unknown_column", "csv",
                           "第 1 行第 %d 列“%.60s”不是已知列名（id,name,group,venue,station,org 或 "
                           "编号,姓名,组别,赛场,工位,单位）/ line 1 column %d: unknown column",
                           f + 1, r->fields[f], f + 1);
        if (index[k] >= 0)
            return jx_fail(e, 400, "csv_duplicate_column", "csv",
                           "第 1 行第 %d 列重复 / line 1 column %d repeats a column", f + 1, f + 1);
        index[k] = f;
    }
    for (int k = 0; k < N_COLUMNS; k++)
        if (columns[k].required && index[k] < 0)
            return jx_fail(e, 400, "csv_missing_column", "csv",
                           "缺少列 %s（%s）/ the header lacks column %s", columns[k].english,
                           columns[k].chinese, columns[k].english);
    return 0;
}

static json_t *parse_rows(char *text, struct jx_error *e)
{
    struct reader r = {.p = text, .line = 1};
    bool failed;
    if (!read_record(&r, e, &failed)) {
        if (!failed) jx_fail(e, 400, "csv_empty", "csv", "文件为空 / the file is empty");
        return NULL;
    }
    int index[N_COLUMNS];
    if (map_header(&r, index, e) != 0) return NULL;
    json_t *rows = json_array();
    for (;;) {
        int line = r.line;
        if (!read_record(&r, e, &failed)) break;
        if (r.n_fields == 1 && !r.fields[0][0]) continue; /* blank line */
        if (json_array_size(rows) >= CSV_MAX_ROWS) {
            jx_fail(e, 400, "csv_too_many_rows", "csv", "行数超过 %d / more than %d rows", CSV_MAX_ROWS,
                    CSV_MAX_ROWS);
            failed = true;
            break;
        }
        json_t *row = json_object();
        for (int k = 0; k < N_COLUMNS; k++) {
            if (index[k] < 0) continue;
            if (index[k] >= r.n_fields) {
                jx_fail(e, 400, "csv_missing_value", columns[k].field,
                        "第 %d 行第 %d 列（%s）缺失 / line %d column %d (%s) is missing", line,
                        index[k] + 1, columns[k].chinese, line, index[k] + 1, columns[k].english);
                json_decref(row);
                json_decref(rows);
                return NULL;
            }
            json_object_set_new(row, columns[k].field, json_string(r.fields[index[k]]));
        }
        json_object_set_new(row, "line", json_integer(line));
        json_array_append_new(rows, row);
    }
    if (failed) {
        json_decref(rows);
        return NULL;
    }
    return rows;
}

json_t *contestants_from_csv(const char *data, size_t len, struct jx_error *e)
{
    if (len > CSV_MAX_BYTES) {
        jx_fail(e, 413, "csv_too_large", "csv", "文件过大 / the file is too large");
        return NULL;
    }
    char *text = to_utf8(data, len);
    if (!text) {
        jx_fail(e, 400, "csv_encoding", "csv",
                "文件编码无法识别，请另存为 UTF-8 或 GB18030 的 CSV / unknown encoding: save as CSV "
                "in UTF-8 or GB18030");
        return NULL;
    }
    json_t *rows = parse_rows(text, e);
    free(text);
    return rows;
}
