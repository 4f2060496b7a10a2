/* The live delta's property: the board before a mark, merged with the mark's delta the
 * way pages merge it, equals the board after — in every scope, for random marks with
 * ties, awards and module ranks. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/competition_json.h"
#include "format/mark_json.h"
#include "live/board.h"

static const char *file_head =
    "{\"format\":\"jiangxing.competition/1\",\"id\":\"t\",\"title\":\"T\","
    "\"groups\":[{\"id\":\"g1\",\"name\":\"G1\"},{\"id\":\"g2\",\"name\":\"G2\"}],"
    "\"venues\":[{\"id\":\"v1\",\"name\":\"V1\"},{\"id\":\"v2\",\"name\":\"V2\"}],"
    "\"components\":[{\"id\":\"p\",\"name\":\"P\",\"weight\":1}],"
    "\"modules\":[{\"id\":\"A\",\"name\":\"A\",\"component\":\"p\",\"criteria\":["
    "{\"id\":\"A1\",\"kind\":\"measurement\",\"max\":3},"
    "{\"id\":\"A2\",\"kind\":\"judgement\",\"max\":3,\"judges\":2}]},"
    "{\"id\":\"B\",\"name\":\"B\",\"component\":\"p\",\"criteria\":["
    "{\"id\":\"B1\",\"kind\":\"measurement\",\"max\":3}]}],"
    "\"ranking\":{\"tiebreak\":[\"module:A\"],\"award_scope\":\"group\","
    "\"awards\":[{\"name\":\"first\",\"ratio\":0.2},{\"name\":\"second\",\"ratio\":0.3}]},"
    "\"contestants\":[";

static void load(struct contest *c, int n)
{
    char *text = malloc(strlen(file_head) + (size_t)n * 80 + 8);
    strcpy(text, file_head);
    for (int i = 0; i < n; i++)
        sprintf(text + strlen(text), "%s{\"id\":\"C%02d\",\"name\":\"n\",\"group\":\"g%d\",\"venue\":\"v%d\"}",
                i ? "," : "", i, 1 + i % 2, 1 + (i / 3) % 2);
    strcat(text, "]}");
    json_t *doc = json_loads(text, 0, NULL);
    assert_non_null(doc);
    struct scheme s;
    struct jx_error e;
    assert_int_equal(competition_from_json(doc, &s, &e), 0);
    assert_int_equal(contest_init(c, &s, &e), 0);
    json_decref(doc);
    free(text);
}

/* Merges a delta into a board's contestants the way docs/live.md tells pages to. */
static void merge(json_t *board, json_t *delta)
{
    json_t *people = json_object_get(board, "contestants");
    size_t i, k;
    json_t *change, *entry;
    json_array_foreach(json_object_get(delta, "changed"), i, change) {
        const char *id = json_string_value(json_object_get(change, "id"));
        json_array_foreach(people, k, entry) {
            if (strcmp(json_string_value(json_object_get(entry, "id")), id) != 0) continue;
            const char *key;
            json_t *value;
            json_object_foreach(change, key, value) {
                if (strcmp(key, "ranks") == 0) json_object_update(json_object_get(entry, "ranks"), value);
                else if (strcmp(key, "award") == 0 && json_is_null(value)) json_object_del(entry, "award");
                else json_object_set(entry, key, value);
            }
        }
    }
}

static void test_board_plus_delta_is_next_board(void **state)
{
    for (unsigned round = 1; round <= 30; round++) {
        struct contest c;
        int n = 2 + (int)(round % 9) * 2;
        load(&c, n);
        unsigned seed = round * 7919;
        struct jx_error e;
        json_t *board = board_json(&(struct competition){.contest = c}, 0);
        for (int i = 0; i < 120; i++) {
            char text[200];
            int who = rand_r(&seed) % n, k = rand_r(&seed) % 3;
            if (k == 1)
                sprintf(text, "{\"key\":\"k%d\",\"contestant\":\"C%02d\",\"criterion\":\"A2\",\"judge\":\"j%d\",\"value\":%d}",
                        i, who, rand_r(&seed) % 2, rand_r(&seed) % 4);
            else
                sprintf(text, "{\"key\":\"k%d\",\"contestant\":\"C%02d\",\"criterion\":\"%s\",\"value\":%d,\"reason\":\"r\"}",
                        i, who, k ? "B1" : "A1", rand_r(&seed) % 4); /* small values: many ties */
            json_t *obj = json_loads(text, 0, NULL);
            struct mark m;
            assert_int_equal(mark_from_json(obj, "m", &m, &e), 0);
            struct delta *d = delta_begin(&c);
            assert_int_equal(delta_touch(d, who), 0);
            int rc = contest_apply_mark(&c, &m, &e);
            json_decref(obj);
            if (rc != APPLY_ACCEPTED) {
                delta_free(d);
                continue;
            }
            json_t *delta = delta_finish(d, i + 1, 0);
            assert_non_null(delta);
            merge(board, delta);
            json_t *next = board_json(&(struct competition){.contest = c}, 0);
            if (!json_equal(json_object_get(board, "contestants"), json_object_get(next, "contestants"))) {
                char *want = json_dumps(next, JSON_COMPACT), *got = json_dumps(board, JSON_COMPACT);
                fail_msg("round %u mark %d (%s):\nwant %s\ngot  %s\ndelta %s", round, i, text, want,
                         got, json_dumps(delta, JSON_COMPACT));
            }
            json_decref(delta);
            json_decref(board);
            board = next;
        }
        json_decref(board);
        contest_release(&c);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_board_plus_delta_is_next_board)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
