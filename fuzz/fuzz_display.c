/* Harness: the organiser's display settings (POST …/display → social_set_settings in
 * src/social/settings.c) and what they steer, the word filter of auto-published comments
 * (social_comment in src/social/comments.c). The input is a request body, optionally
 * followed by a NUL and a spectator's comment. A real struct social is opened on an
 * in-memory SQLite database over the demo competition; writer_submit is replaced by one
 * that runs each write job at once on that database (rolled back after every input, and
 * the settings reset, so each run depends on its input alone). Checked:
 *  - acceptance agrees with a reference reading of docs/live.md: only auto_publish (bool),
 *    word_filter (≤ 200 strings of 1–50 characters), like_cap and cheer_cap (integers
 *    0–100000) and screen {rotation: 1–64 of "progress" or a scope of the competition,
 *    seconds 5–600, top 3–50}; a refusal is 400 (invalid_setting or unknown_field) naming
 *    the first bad field in the body's order;
 *  - a refused body changes nothing: same settings, no write, no announcement;
 *  - an accepted one gives exactly the old settings with the given fields replaced
 *    (screen merged field by field), written once (the stored row reads back equal),
 *    announced as a `screen` frame equal to the new screen exactly when screen was given,
 *    and the result is itself a valid settings document;
 *  - a comment that passes the handler's text check is published at once exactly when
 *    auto_publish is on and no filter word occurs in it (ASCII letters caselessly). */
#include <event2/event.h>
#include <sqlite3.h>

#include "fuzz.h"
#include "core/utf8.h"
#include "social/internal.h"
#include "store/writer.h"

static struct competition comp;
static struct competition *comps[1];
static struct app app;
static struct social *social;
static sqlite3 *db;
static struct event_base *base;
static int submitted, announced_screen, announced_comment;
static json_t *last_screen_frame;

/* The writer, at once: the job runs on the harness's connection inside its transaction. */
void writer_submit(struct writer *w, int (*run)(sqlite3 *, void *), void (*done)(void *), void *arg)
{
    submitted++;
    if (run) CHECK(run(db, arg) == 0);
    if (done) done(arg);
}

static FUZZ_CHECKER void on_announce(void *target, const char *competition, const char *name,
                                     const char *data)
{
    CHECK(strcmp(competition, comp.contest.scheme.id) == 0);
    json_t *doc = json_loads(data, 0, NULL);
    CHECK(json_is_object(doc));
    if (strcmp(name, "screen") == 0) {
        announced_screen++;
        json_decref(last_screen_frame);
        last_screen_frame = doc;
        return;
    }
    CHECK(strcmp(name, "comment") == 0);
    announced_comment++;
    json_decref(doc);
}

static void on_written(int64_t id, void *arg) { ++*(int *)arg; }

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    json_object_seed(1);
    fuzz_demo_contest(&comp.contest);
    comp.published = true;
    comps[0] = &comp;
    app.competitions = comps;
    app.n_competitions = 1;
    CHECK(sqlite3_open(":memory:", &db) == SQLITE_OK);
    base = event_base_new();
    CHECK(base);
    struct jx_error e;
    social = social_open(db, NULL, base, &app, on_announce, NULL, &e);
    if (!social) fprintf(stderr, "social_open: %s\n", e.message);
    CHECK(social);
    return 0;
}

/* ---- the reference ------------------------------------------------------------------- */

static FUZZ_CHECKER bool ref_int(json_t *v, json_int_t lo, json_int_t hi)
{
    return json_is_integer(v) && json_integer_value(v) >= lo && json_integer_value(v) <= hi;
}

static FUZZ_CHECKER bool ref_scope(const char *text)
{
    if (strcmp(text, "progress") == 0) return true;
    struct scope scopes[64];
    int n = fuzz_scopes(&comp.contest.scheme, scopes, 64);
    for (int i = 0; i < n; i++) {
        char buf[80];
        if (strcmp(text, fuzz_scope_text(&comp.contest.scheme, scopes[i], buf)) == 0) return true;
    }
    return false;
}

/* NULL when the body is valid, else the field a refusal must name (the first bad one). */
static FUZZ_CHECKER const char *ref_check(json_t *doc)
{
    const char *key;
    json_t *v;
    json_object_foreach(doc, key, v) {
        if (strcmp(key, "auto_publish") == 0) {
            if (!json_is_boolean(v)) return key;
        } else if (strcmp(key, "word_filter") == 0) {
            if (!json_is_array(v) || json_array_size(v) > 200) return key;
            size_t i;
            json_t *w;
            json_array_foreach(v, i, w) {
                const char *t = json_string_value(w);
                if (!t || !*t || utf8_length(t) > 50) return key;
            }
        } else if (strcmp(key, "like_cap") == 0 || strcmp(key, "cheer_cap") == 0) {
            if (!ref_int(v, 0, 100000)) return key;
        } else if (strcmp(key, "screen") == 0) {
            if (!json_is_object(v)) return "screen";
            const char *k;
            json_t *x;
            json_object_foreach(v, k, x) {
                if (strcmp(k, "seconds") == 0) {
                    if (!ref_int(x, 5, 600)) return "screen.seconds";
                } else if (strcmp(k, "top") == 0) {
                    if (!ref_int(x, 3, 50)) return "screen.top";
                } else if (strcmp(k, "rotation") == 0) {
                    if (!json_is_array(x) || json_array_size(x) < 1 || json_array_size(x) > 64)
                        return "screen.rotation";
                    size_t i;
                    json_t *item;
                    json_array_foreach(x, i, item)
                        if (!json_is_string(item) || !ref_scope(json_string_value(item))) return "screen.rotation";
                } else {
                    return "screen";
                }
            }
        } else {
            return key;
        }
    }
    return NULL;
}

/* The old settings with the body's fields replaced, screen merged field by field. */
static FUZZ_CHECKER json_t *ref_apply(json_t *old, json_t *doc)
{
    json_t *out = json_deep_copy(old);
    const char *key;
    json_t *v;
    json_object_foreach(doc, key, v) {
        if (strcmp(key, "screen") == 0) {
            const char *k;
            json_t *x;
            json_object_foreach(v, k, x) json_object_set_new(json_object_get(out, "screen"), k, json_deep_copy(x));
        } else {
            json_object_set_new(out, key, json_deep_copy(v));
        }
    }
    return out;
}

/* strcasestr's rule in the C locale: ASCII letters caselessly, every other byte exactly. */
static FUZZ_CHECKER bool ref_contains(const char *text, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = text; *p; p++) {
        size_t i = 0;
        while (i < n && p[i]) {
            unsigned char a = (unsigned char)p[i], b = (unsigned char)word[i];
            if (a >= 'A' && a <= 'Z') a = (unsigned char)(a - 'A' + 'a');
            if (b >= 'A' && b <= 'Z') b = (unsigned char)(b - 'A' + 'a');
            if (a != b) break;
            i++;
        }
        if (i == n) return true;
    }
    return n == 0;
}

/* ---- checks ---------------------------------------------------------------------------- */

static FUZZ_CHECKER json_t *stored_settings(void)
{
    sqlite3_stmt *st;
    CHECK(sqlite3_prepare_v2(db, "SELECT body FROM social_settings WHERE competition = ?", -1, &st, NULL) == SQLITE_OK);
    sqlite3_bind_text(st, 1, comp.contest.scheme.id, -1, SQLITE_STATIC);
    json_t *doc = NULL;
    if (sqlite3_step(st) == SQLITE_ROW) doc = json_loads((const char *)sqlite3_column_text(st, 0), 0, NULL);
    sqlite3_finalize(st);
    return doc;
}

static FUZZ_CHECKER void check_settings(struct comp_state *cs, json_t *doc)
{
    json_object_del(doc, "public_url"); /* as handle_set_display does */
    json_t *before = json_deep_copy(cs->settings);
    const char *bad = ref_check(doc);
    char want_field[128];
    if (bad) snprintf(want_field, sizeof want_field, "%s", bad);
    submitted = announced_screen = 0;
    int written = 0;
    struct jx_error e;
    memset(&e, 0, sizeof e);
    int rc = social_set_settings(social, &comp, doc, on_written, &written, &e);
    if (rc != 0) {
        if (!bad) fprintf(stderr, "==fuzz== refused (%s: %s), but valid by docs/live.md\n", e.field, e.message);
        CHECK(bad);
        CHECK(e.status == 400);
        CHECK(strcmp(e.code, "invalid_setting") == 0 || strcmp(e.code, "unknown_field") == 0);
        utf8_scrub(want_field);
        if (strcmp(e.field, want_field) != 0)
            fprintf(stderr, "==fuzz== refused naming %s, expected %s\n", e.field, want_field);
        CHECK(strcmp(e.field, want_field) == 0);
        CHECK(fuzz_valid_utf8((const unsigned char *)e.message, strlen(e.message)));
        CHECK(json_equal(cs->settings, before));
        CHECK(submitted == 0 && written == 0 && announced_screen == 0);
        CHECK(stored_settings() == NULL);
        json_decref(before);
        return;
    }
    if (bad) fprintf(stderr, "==fuzz== accepted, but %s is invalid by docs/live.md\n", bad);
    CHECK(!bad);
    json_t *want = ref_apply(before, doc);
    CHECK(json_equal(cs->settings, want));
    CHECK(ref_check(cs->settings) == NULL); /* what is stored is valid settings */
    CHECK(submitted == 1 && written == 1);
    json_t *stored = stored_settings();
    CHECK(stored && json_equal(stored, cs->settings));
    json_decref(stored);
    bool screen = json_object_get(doc, "screen") != NULL;
    CHECK(announced_screen == (screen ? 1 : 0));
    if (screen) CHECK(json_equal(last_screen_frame, json_object_get(cs->settings, "screen")));
    json_decref(want);
    json_decref(before);
}

/* handle_comment's check (plain_text in src/api/spectators.c, not linked here: it would
 * bring the whole server, and its writer): valid UTF-8, 1–200 characters, no control
 * characters but newlines. */
static FUZZ_CHECKER bool comment_text(const char *text)
{
    if (!*text || !fuzz_valid_utf8((const unsigned char *)text, strlen(text)) || utf8_length(text) > 200)
        return false;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        if ((*p < 0x20 && *p != '\n') || *p == 0x7f) return false;
    return true;
}

static FUZZ_CHECKER void check_comment(struct comp_state *cs, const char *text)
{
    if (!comment_text(text)) return; /* the handler answers 400 before */
    bool want = json_is_true(json_object_get(cs->settings, "auto_publish"));
    size_t i;
    json_t *w;
    json_array_foreach(json_object_get(cs->settings, "word_filter"), i, w)
        if (ref_contains(text, json_string_value(w))) want = false;
    bool published = !want;
    int written = 0;
    announced_comment = 0;
    struct jx_error e;
    CHECK(social_comment(social, &comp, 0, "0123456789abcdef0123456789abcdef", text, &published,
                         on_written, &written, &e) == 0);
    if (published != want)
        fprintf(stderr, "==fuzz== comment %s, expected %s\n", published ? "published" : "held",
                want ? "published" : "held");
    CHECK(published == want);
    CHECK(written == 1 && announced_comment == (want ? 1 : 0));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, 0, size);
    size_t body_len = nul ? (size_t)(nul - data) : size;
    char *comment = NULL;
    if (nul) {
        comment = malloc(size - body_len);
        CHECK(comment);
        memcpy(comment, nul + 1, size - body_len - 1);
        comment[size - body_len - 1] = '\0';
    }

    struct comp_state *cs = comp_state(social, &comp);
    CHECK(cs);
    json_decref(cs->settings);
    cs->settings = default_settings(&comp);
    CHECK(sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK);

    json_error_t jerr;
    json_t *doc = json_loadb((const char *)data, body_len, JSON_REJECT_DUPLICATES, &jerr);
    if (json_is_object(doc)) check_settings(cs, doc);
    json_decref(doc);
    if (comment) check_comment(cs, comment);

    CHECK(sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL) == SQLITE_OK);
    free(comment);
    return 0;
}
