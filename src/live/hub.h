/* The live stream hub: Server-Sent Events to every display watching a competition. Each
 * frame is encoded once and shared by all its clients; recent frames are kept so a client
 * reconnecting with Last-Event-ID resumes with no gap and no repeat (DESIGN §7). The streams
 * themselves are held and written by stream workers (live/streamer.h). */
#ifndef JX_LIVE_HUB_H
#define JX_LIVE_HUB_H

#include <event2/event.h>
#include <event2/http.h>
#include <stdbool.h>
#include <stdint.h>

/* What the hub asks of the application. */
struct hub_source {
    /* The board as JSON text at the state's sequence (*seq); the caller frees it. */
    char *(*snapshot)(void *arg, const char *competition, int64_t *seq);
    /* The sequence of the competition's last applied event. */
    int64_t (*last_seq)(void *arg, const char *competition);
    void *arg;
};

struct hub;

/* Starts n_workers stream workers (live/streamer.h); a worker that stops is started again. */
struct hub *hub_new(struct event_base *base, struct hub_source source, int n_workers);
/* Ends every stream (the workers exit) and frees the hub. */
void hub_free(struct hub *h);

/* A committed event's frame, in commit order: `id: seq`, `event: name`, `data: data`.
 * end_public: public clients' streams end after it (the standings were hidden). */
void hub_publish(struct hub *h, const char *competition, int64_t seq, const char *name,
                 const char *data, bool end_public);
/* The competition changed in a way deltas do not describe (a new contestant, a module
 * locked): every client gets a fresh snapshot, and resuming across seq gives one too. */
void hub_reset(struct hub *h, const char *competition, int64_t seq);
/* True while at least one client streams the competition, or did a moment ago (it may be
 * reconnecting, and resumes best from the ring). */
bool hub_watched(const struct hub *h, const char *competition);
/* A frame without an id (spectator data): not kept for resuming. */
void hub_announce(struct hub *h, const char *competition, const char *name, const char *data);
/* Turns an authorised request into a stream: its answer's head and the frames the client
 * missed (or a snapshot) are written by the stream worker its connection is handed to.
 * last_id is the client's Last-Event-ID, or -1. False, with nothing done, when no worker
 * has room: the caller answers 503. */
bool hub_attach(struct hub *h, struct evhttp_request *req, const char *competition,
                int64_t last_id, bool is_public);

#endif
