/* Starting and stopping the HTTP server around an opened app. */
#ifndef JX_HTTP_SERVER_H
#define JX_HTTP_SERVER_H

#include <event2/event.h>

#include "http/http.h"

struct auth_state;
struct devices;
struct devices_config;
struct buckets;
struct hub;
struct social;

struct server {
    struct app *app;
    struct event_base *base;
    struct evhttp *http;
    const char *web_root;
    struct auth_state *auth;
    struct hub *hub;             /* live streams */
    struct social *social;       /* spectator data */
    struct buckets *spectators;  /* rate limits of anonymous actions, per device and address */
    struct devices *devices;     /* the device gateway, NULL without --mqtt */
};

#define MAX_STREAM_WORKERS 64

struct server_config {
    const char *listen;   /* HOST:PORT */
    const char *web_root; /* the pages */
    int stream_workers;   /* processes holding live streams, 1 to MAX_STREAM_WORKERS */
};

/* Serves until SIGTERM or SIGINT; returns the exit status. devices: NULL for none. */
int server_run(struct app *app, const char *db_path, const struct server_config *config,
               const struct devices_config *devices);
void server_stop_cb(evutil_socket_t fd, short what, void *arg);

#endif
