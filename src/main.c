/* The jiangxing command: one table of subcommands, each with its own --help.
 * `jiangxing --help` lists them from the same table. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static const struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} commands[] = {
    {"serve", cmd_serve, "serve the API and pages (the demo when no --db is given)"},
    {"stream-worker", cmd_stream_worker, "(started by serve) hold the displays' live streams"},
    {"demo", cmd_demo, "create the demo national final with accounts and marks"},
    {"score", cmd_score, "standings from a competition file and MARKS.jsonl, offline"},
    {"verify", cmd_verify, "check the event log's hash chain; name the first bad event"},
    {"replay", cmd_replay, "rebuild projections from the log and compare with the stored"},
    {"export", cmd_export, "write competition.json, marks.jsonl and CSVs of a competition"},
    {"import-contestants", cmd_import_contestants, "add contestants from CSV (UTF-8 or GB18030)"},
    {"user", cmd_user, "add an account: jiangxing user add --db F --username U --role R"},
    {"simulate", cmd_simulate, "play a competition's station devices over MQTT (docs/devices.md)"},
};

static void print_help(FILE *out)
{
    fputs("usage: jiangxing COMMAND [ARGS]   (jiangxing COMMAND --help for details)\n\n"
          "匠星 Jiangxing — skills competitions, exact digital judging.\n\ncommands:\n",
          out);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-20s %s\n", commands[i].name, commands[i].summary);
}

int main(int argc, char **argv)
{
    if (sodium_init() < 0) {
        fputs("jiangxing: libsodium cannot start\n", stderr);
        return 1;
    }
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        print_help(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0) return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "jiangxing: unknown command \"%s\"\n\n", argv[1]);
    print_help(stderr);
    return 2;
}
