/* Stream workers: processes (`jiangxing stream-worker`, started by the server) that hold the
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

/* The worker's descriptors, as `jiangxing stream-worker` finds them. */
#define STREAMER_DOWN_FD 3
#define STREAMER_UP_FD 4

/* Starts a worker: this program again, as `jiangxing stream-worker`, with only its two
 * sockets and the standard streams open. 0, or -1 (said on stderr). */
int streamer_start(struct streamer *out);
/* The worker's life, on STREAMER_DOWN_FD and STREAMER_UP_FD; returns only on failure. */
int streamer_run(void);

#endif
