/* Stream workers: processes, forked before the server starts its threads, that hold the
 * displays' live streams and write every frame to them, so fan-out runs on every core and
 * each process stays under its own open-file limit. The hub hands them streams and frames. */
#ifndef JX_LIVE_STREAMER_H
#define JX_LIVE_STREAMER_H

#include <sys/types.h>

#define STREAM_MAX_BACKLOG (512u << 10) /* unsent bytes a stream may keep past a sweep */
#define STREAM_FD_RESERVE 64            /* descriptors a worker keeps for itself */

/* The server's ends of one worker. */
struct streamer {
    pid_t pid;
    int down; /* frames and streams to the worker */
    int up;   /* what the worker reports */
};

/* Forks n workers; returns how many started (each in out[]), or -1 with none. */
int streamer_spawn(int n, struct streamer *out);

#endif
