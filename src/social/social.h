/* Spectator data beside the judging log: likes and cheers per device, comments with their
 * moderation, expert commentary, pledges and photos, display settings and rank history.
 * Kept in memory for reading, written through the writer; announced live without an id. */
#ifndef JX_SOCIAL_SOCIAL_H
#define JX_SOCIAL_SOCIAL_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "app/app.h"
#include "core/error.h"

struct event_base;
struct writer;
struct social;

/* Announces a frame without an id to a competition's viewers (the hub). */
typedef void (*announce_fn)(void *target, const char *competition, const char *name,
                            const char *data);

/* Creates the tables if needed and loads everything. NULL with e on failure. */
struct social *social_open(sqlite3 *db, struct writer *w, struct event_base *base,
                           const struct app *app, announce_fn announce, void *target,
                           struct jx_error *e);
/* Writes what is pending (counts) and frees. */
void social_close(struct social *s);

/* The device of a request from its Cookie header: a signed random id. When the cookie is
 * missing or forged, a new id is made and set_cookie holds the Set-Cookie value. */
void social_device(struct social *s, const char *cookie_header, char device[33],
                   char set_cookie[160]);

enum reaction { REACT_LIKE, REACT_CHEER };
/* Counts one like or cheer; 429 cap_reached past the organiser's per-device cap. */
int social_react(struct social *s, const struct competition *comp, int contestant,
                 const char *device, enum reaction kind, struct jx_error *e);
/* {"likes": n, "cheers": n, "mine": {"likes": n, "cheers": n}} for one contestant. */
json_t *social_counts(struct social *s, const struct competition *comp, int contestant,
                      const char *device);

/* Called when a write is durable; id is the new row's id. */
typedef void (*written_fn)(int64_t id, void *arg);

/* A spectator's comment (contestant -1: on the competition). Published at once when
 * auto-publish is on and no filtered word matches, else held. done runs once durable;
 * *published tells which. 403 when the device is blocked. */
int social_comment(struct social *s, const struct competition *comp, int contestant,
                   const char *device, const char *text, bool *published, written_fn done,
                   void *arg, struct jx_error *e);
/* approve, reject or block (reject + block the device). 404 unknown comment. */
int social_moderate(struct social *s, const struct competition *comp, int64_t id,
                    const char *action, const char *by, written_fn done, void *arg,
                    struct jx_error *e);
json_t *social_comments(struct social *s, const struct competition *comp, const char *status);
int social_commentary(struct social *s, const struct competition *comp, const char *text,
                      const char *by, written_fn done, void *arg, struct jx_error *e);
/* {"likes", "cheers", "comments", "commentary"} for spectator pages. */
json_t *social_feed(struct social *s, const struct competition *comp);

/* Display settings: {"auto_publish","word_filter","like_cap","cheer_cap","screen"}. */
json_t *social_settings(struct social *s, const struct competition *comp);
/* Checks and applies the given fields; 400 with the field on bad input, nothing changed. */
int social_set_settings(struct social *s, const struct competition *comp, json_t *changes,
                        written_fn done, void *arg, struct jx_error *e);

int social_set_pledge(struct social *s, const struct competition *comp, int contestant,
                      const char *pledge, written_fn done, void *arg, struct jx_error *e);
/* Stores a JPEG (already resized) as the contestant's photo. */
int social_set_photo(struct social *s, const struct competition *comp, int contestant,
                     unsigned char *jpeg, size_t len, written_fn done, void *arg);
/* The photo's bytes (caller frees) or NULL. */
unsigned char *social_photo(struct social *s, const struct competition *comp, int contestant,
                            size_t *len);
/* {"id","pledge","photo","history"}. */
json_t *social_profile(struct social *s, const struct competition *comp, int contestant);
/* Adds likes, cheers, photo flags and the screen settings to a board. */
void social_decorate_board(struct social *s, const struct competition *comp, json_t *board);
/* Follows a committed standings frame, or a snapshot (whose board catches up on commits
 * made while nobody watched and no deltas were built), to record each contestant's
 * overall rank history. */
void social_follow(struct social *s, const char *competition, const char *name, const json_t *frame);

#endif
