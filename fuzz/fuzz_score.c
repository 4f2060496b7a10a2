/* Harness: `jiangxing score COMPETITION.json MARKS.jsonl --scope SCOPE`, the real command
 * (src/cli/score.c, cmd_score) on real files. COMPETITION.json is the demo competition
 * (fuzz/demo_competition.json); MARKS.jsonl is the input. When the input's first line
 * starts with "--scope ", the rest of that line is the scope argument (any bytes) and the
 * marks start on the next line; otherwise the scope is "overall".
 *
 * The command's stdout is captured and checked: when it succeeds (status 0) it printed one
 * standings document whose ranks start at 1 and never exceed the number of entries, whose
 * totals are 0–100 with at most three decimals, and which is byte for byte what the core
 * gives for the same marks in process; when it fails (1: an unreadable line, 2: an unknown
 * scope) it printed nothing. Both files are memfds, so no disk is touched. */
#include <sys/mman.h>
#include <unistd.h>

#include "cli/cli.h"
#include "fuzz.h"

#define SCOPE_OPTION "--scope "

/* src/cli/cli.c is not linked (the rest of the CLI needs SQLite, libsodium…): the same
 * --help detection, which is all cmd_score uses of it. */
int cli_wants_help(int argc, char **argv, const char *usage)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            fputs(usage, stdout);
            return 1;
        }
    return 0;
}

static int competition_fd = -1, marks_fd = -1;
static char competition_path[64], marks_path[64];
static FILE *devnull;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    json_object_seed(1);
    competition_fd = memfd_create("competition.json", 0);
    marks_fd = memfd_create("marks.jsonl", 0);
    CHECK(competition_fd >= 0 && marks_fd >= 0);
    CHECK(write(competition_fd, demo_competition_json, demo_competition_json_len) ==
          (ssize_t)demo_competition_json_len);
    snprintf(competition_path, sizeof competition_path, "/proc/self/fd/%d", competition_fd);
    snprintf(marks_path, sizeof marks_path, "/proc/self/fd/%d", marks_fd);
    devnull = fopen("/dev/null", "w");
    CHECK(devnull);
    return 0;
}

/* What `jiangxing score` should print, computed in process by the same core. */
static char *expected_output(const char *marks, size_t len, const char *scope_text, int *status)
{
    struct contest c;
    fuzz_demo_contest(&c);
    struct scope scope;
    char *out = NULL;
    *status = 2; /* unknown scope */
    if (scope_parse(&c.scheme, scope_text, &scope)) {
        FILE *f = len ? fmemopen((void *)marks, len, "r") : NULL;
        char *line = NULL;
        size_t cap = 0;
        int line_no = 0;
        while (f && getline(&line, &cap, f) >= 0) {
            line_no++;
            if (strspn(line, " \t\r\n") == strlen(line)) continue;
            json_t *obj = json_loads(line, JSON_REJECT_DUPLICATES, NULL);
            if (!obj) { /* an unreadable line: the command prints no standings */
                *status = 1;
                free(line);
                fclose(f);
                contest_release(&c);
                return NULL;
            }
            struct mark m;
            struct jx_error e;
            if (mark_from_json(obj, "line", &m, &e) == 0) contest_apply_mark(&c, &m, &e);
            json_decref(obj);
        }
        free(line);
        if (f) fclose(f);
        json_t *doc = standings_to_json(&c, scope, scope_text);
        CHECK(doc);
        char *text = json_dumps(doc, JX_JSON_FLAGS);
        CHECK(text);
        json_decref(doc);
        CHECK(asprintf(&out, "%s\n", text) > 0);
        *status = 0;
        free(text);
    }
    contest_release(&c);
    return out;
}

static void check_output(const char *out, size_t len, int status, const char *expected,
                         int expected_status)
{
    CHECK(status == expected_status);
    if (status != 0) {
        CHECK(len == 0);
        return;
    }
    CHECK(expected && strlen(expected) == len && memcmp(out, expected, len) == 0);
    json_t *doc = json_loadb(out, len, JSON_REJECT_DUPLICATES, NULL);
    CHECK(doc);
    const json_t *entries = json_object_get(doc, "entries");
    CHECK(json_is_array(entries));
    json_int_t previous = 0;
    for (size_t i = 0; i < json_array_size(entries); i++) {
        const json_t *entry = json_array_get(entries, i);
        json_int_t rank = json_integer_value(json_object_get(entry, "rank"));
        CHECK(rank >= 1 && (size_t)rank <= json_array_size(entries) && rank >= previous);
        CHECK(i > 0 || rank == 1);
        previous = rank;
        milli_t total = fuzz_json_milli(json_object_get(entry, "total"));
        CHECK(total >= 0 && total <= MAX_TOTAL);
    }
    json_decref(doc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Split off an optional "--scope SCOPE" first line. */
    char *scope = strdup("overall");
    const uint8_t *marks = data;
    size_t marks_len = size;
    if (size >= strlen(SCOPE_OPTION) && memcmp(data, SCOPE_OPTION, strlen(SCOPE_OPTION)) == 0) {
        const uint8_t *nl = memchr(data, '\n', size);
        size_t end = nl ? (size_t)(nl - data) : size;
        free(scope);
        scope = strndup((const char *)data + strlen(SCOPE_OPTION), end - strlen(SCOPE_OPTION));
        marks = nl ? nl + 1 : data + size;
        marks_len = size - (size_t)(marks - data);
    }
    CHECK(scope);
    CHECK(ftruncate(marks_fd, 0) == 0);
    CHECK(pwrite(marks_fd, marks, marks_len, 0) == (ssize_t)marks_len);

    char *argv[] = {"score", competition_path, marks_path, "--scope", scope, NULL};
    char *out = NULL;
    size_t out_len = 0;
    FILE *capture = open_memstream(&out, &out_len);
    CHECK(capture);
    FILE *saved_out = stdout, *saved_err = stderr;
    stdout = capture;  /* cmd_score prints with stdio; sanitizer reports go to fd 2 as ever */
    stderr = devnull;  /* one complaint per refused mark would flood the fuzzer's log */
    int status = cmd_score(5, argv);
    stdout = saved_out;
    stderr = saved_err;
    fclose(capture);

    /* "--help" as a scope prints the usage and succeeds: not a standings document. */
    int help = strcmp(scope, "-h") == 0 || strcmp(scope, "--help") == 0;
    if (!help) {
        int expected_status;
        char *expected = expected_output((const char *)marks, marks_len, scope, &expected_status);
        check_output(out, out_len, status, expected, expected_status);
        free(expected);
    }
    free(out);
    free(scope);
    return 0;
}
