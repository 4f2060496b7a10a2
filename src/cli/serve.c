/* `jiangxing serve`: opens the database (creating the demo when there is none and no
 * --db was given), replays the log and serves HTTP until SIGTERM. Also its stream workers'
 * entry, `jiangxing stream-worker`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/app.h"
#include "cli/cli.h"
#include "devices/devices.h"
#include "http/server.h"
#include "live/streamer.h"

static const char usage[] =
    "usage: jiangxing serve [--db FILE] [--listen HOST:PORT] [--web DIR] [--stream-workers N]\n"
    "                       [--mqtt HOST:PORT [--mqtt-secret FILE] [--device-silence S]]\n"
    "  Serves the API and the pages. Defaults: --db jiangxing.db (created with the demo\n"
    "  when missing), --listen 127.0.0.1:8080, --web web.\n"
    "  --stream-workers: processes that hold the displays' live streams, 1 to 64 (default:\n"
    "  one per CPU, at most 16); each holds as many as its open-file limit allows.\n"
    "  --mqtt receives device messages from that broker (docs/devices.md), logging in with\n"
    "  the user:password in --mqtt-secret (default run/broker/admin.secret); a station\n"
    "  silent for --device-silence seconds (default 30) raises an alarm.\n"
    "  JIANGXING_ADMIN_PASSWORD sets the first admin's password when the database is created.\n";

int cmd_serve(int argc, char **argv)
{
    if (cli_wants_help(argc, argv, usage)) return 0;
    const char *db = NULL, *listen = "127.0.0.1:8080", *web = "web", *mqtt = NULL,
               *secret = "run/broker/admin.secret", *silence = NULL, *workers = NULL;
    for (int i = 1; i < argc; i++) {
        if (i + 1 < argc && strcmp(argv[i], "--db") == 0) db = argv[++i];
        else if (i + 1 < argc && strcmp(argv[i], "--mqtt") == 0) mqtt = argv[++i];
        else if (i + 1 < argc && strcmp(argv[i], "--mqtt-secret") == 0) secret = argv[++i];
        else if (i + 1 < argc && strcmp(argv[i], "--device-silence") == 0) silence = argv[++i];
        else if (i + 1 < argc && strcmp(argv[i], "--listen") == 0) listen = argv[++i];
        else if (i + 1 < argc && strcmp(argv[i], "--web") == 0) web = argv[++i];
        else if (i + 1 < argc && strcmp(argv[i], "--stream-workers") == 0) workers = argv[++i];
        else {
            fprintf(stderr, "jiangxing serve: unexpected argument %s\n%s", argv[i], usage);
            return 2;
        }
    }
    struct devices_config devices;
    char message[300];
    if (mqtt && devices_configure(&devices, mqtt, secret, message, sizeof message) != 0) {
        fprintf(stderr, "jiangxing serve: %s\n", message);
        return 2;
    }
    if (silence) {
        devices.silence_s = atoi(silence);
        if (devices.silence_s < 1 || devices.silence_s > 86400) {
            fprintf(stderr, "jiangxing serve: --device-silence wants seconds from 1 to 86400\n");
            return 2;
        }
    }
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    struct server_config config = {listen, web, cpus < 1 ? 1 : cpus > 16 ? 16 : (int)cpus};
    if (workers) {
        char *end;
        long n = strtol(workers, &end, 10);
        if (*end || end == workers || n < 1 || n > MAX_STREAM_WORKERS) {
            fprintf(stderr, "jiangxing serve: --stream-workers wants a number from 1 to %d\n",
                    MAX_STREAM_WORKERS);
            return 2;
        }
        config.stream_workers = (int)n;
    }
    if (!db) {
        db = "jiangxing.db";
        if (access(db, F_OK) != 0) {
            char *demo_argv[] = {"demo", "--db", (char *)db, NULL};
            if (cmd_demo(3, demo_argv) != 0) return 1;
        }
    }
    struct app app;
    struct jx_error e;
    if (app_lock(db, &e) < 0 || app_open(&app, db, &e) != 0) {
        cli_print_error(&e);
        return 1;
    }
    printf("jiangxing: %s: %d competitions, log at event %lld\n", db, app.n_competitions,
           (long long)app.last_seq);
    int status = server_run(&app, db, &config, mqtt ? &devices : NULL);
    app_close(&app);
    return status;
}

static const char worker_usage[] =
    "usage: jiangxing stream-worker\n"
    "  A process `jiangxing serve` starts (see --stream-workers) to hold the displays' live\n"
    "  streams. It talks to the server on descriptors 3 and 4 and is not run by hand.\n";

static bool is_socket(int fd)
{
    struct stat st;
    return fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode);
}

int cmd_stream_worker(int argc, char **argv)
{
    if (cli_wants_help(argc, argv, worker_usage)) return 0;
    if (argc != 1 || !is_socket(STREAMER_DOWN_FD) || !is_socket(STREAMER_UP_FD)) {
        fprintf(stderr, "jiangxing stream-worker: only `jiangxing serve` starts it\n%s", worker_usage);
        return 2;
    }
    return streamer_run();
}
