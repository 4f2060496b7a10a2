/* Every API handler, one file per resource; the route table in http/routes.c
 * says who may call each. */
#ifndef JX_API_API_H
#define JX_API_API_H

#include "http/http.h"

void handle_list_competitions(struct ctx *c);
void handle_create_competition(struct ctx *c);
void handle_get_competition(struct ctx *c);
void handle_judge_view(struct ctx *c);
void handle_assign(struct ctx *c);
void handle_publish(struct ctx *c);
void handle_post_marks(struct ctx *c);
void handle_standings(struct ctx *c);
void handle_public_standings(struct ctx *c);
void handle_sheet(struct ctx *c);
void handle_lock(struct ctx *c);
void handle_unlock(struct ctx *c);
void handle_review(struct ctx *c);
void handle_rejudge(struct ctx *c);
/* Open re-judge requests, only those within an assignment when one is given. */
json_t *rejudges_json(const struct competition *comp, const struct assignment *only);
void handle_list_assignments(struct ctx *c);
void handle_import_contestants(struct ctx *c);
void handle_bulk_users(struct ctx *c);
void handle_list_users(struct ctx *c);
void handle_export_competition(struct ctx *c);
void handle_export_marks(struct ctx *c);
void handle_export_standings(struct ctx *c);
void handle_export_sheets(struct ctx *c);

/* Live display (api/live.c) and spectators (api/spectators.c, api/display.c). */
void handle_board(struct ctx *c);
void handle_live(struct ctx *c);
void handle_feed(struct ctx *c);
void handle_profile(struct ctx *c);
void handle_photo(struct ctx *c);
void handle_qr(struct ctx *c);
void handle_like(struct ctx *c);
void handle_cheer(struct ctx *c);
void handle_comment(struct ctx *c);
void handle_get_display(struct ctx *c);
void handle_set_display(struct ctx *c);
void handle_list_comments(struct ctx *c);
void handle_moderate(struct ctx *c);
void handle_commentary(struct ctx *c);
void handle_set_profile(struct ctx *c);
void handle_set_photo(struct ctx *c);
void handle_devices(struct ctx *c);
void handle_issue_device(struct ctx *c);
void handle_revoke_device(struct ctx *c);
/* Public while the standings are published, else chief judge and up within their
 * assignment; answers 403 and returns false otherwise. */
bool may_watch(struct ctx *c, const struct competition *comp, bool *is_public);
/* The contestant named by params[1], or answers 404 and returns -1. */
int ctx_contestant(struct ctx *c, const struct competition *comp);
/* The spectator page's URL as seen from this request's Host. */
void spectator_url(struct ctx *c, const char *competition, char *out, size_t size);
/* Valid UTF-8, 1 to max_chars characters, no control characters other than newline. */
bool plain_text(const char *text, size_t max_chars);
/* The hub's source and the app's publisher (arg/target: the server). */
char *live_snapshot(void *arg, const char *competition, int64_t *seq);
int64_t live_last_seq(void *arg, const char *competition);
void live_publish(void *target, const char *competition, int64_t seq, const char *name,
                  json_t *data, bool end_public);
void live_announce(void *target, const char *competition, const char *name, const char *data);
bool live_watched(void *target, const char *competition);

/* A criterion as JSON for pages: id, name, kind, max and its kind's parameters. */
json_t *criterion_json(const struct criterion *k);

#endif
