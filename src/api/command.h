/* Running a command from a request: apply its event to the in-memory state (refusals
 * answer 4xx and change nothing), commit it, and answer only once it is durable. */
#ifndef JX_API_COMMAND_H
#define JX_API_COMMAND_H

#include "app/commit.h"
#include "http/http.h"

/* Answers status + reply (stolen) after the commit is durable. */
void reply_when_durable(struct ctx *c, struct commit *commit, int status, json_t *reply);
/* Applies one event from this request and returns its commit, to which the caller may add
 * projection rows before reply_when_durable; NULL when refused (already answered). */
struct commit *apply_command(struct ctx *c, const char *competition, const char *kind,
                             const char *body);
/* One event from this request; reply is stolen. */
void run_command(struct ctx *c, const char *competition, const char *kind, const char *body,
                 int status, json_t *reply);

#endif
