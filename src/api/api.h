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

/* A criterion as JSON for pages: id, name, kind, max and its kind's parameters. */
json_t *criterion_json(const struct criterion *k);

#endif
