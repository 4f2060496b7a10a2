/* The CLI's subcommands: each is a function from argv to an exit status, listed once
 * in the table in main.c, with its own --help. */
#ifndef JX_CLI_CLI_H
#define JX_CLI_CLI_H

#include <stddef.h>

struct jx_error;
struct contest;

int cmd_score(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_stream_worker(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_import_contestants(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_simulate(int argc, char **argv);

/* Loads and validates a competition file into c; prints what is wrong and returns -1. */
int contest_load_file(const char *path, struct contest *c);
/* Fills out with a random one-time code of size-1 unambiguous characters. */
void random_code(char *out, size_t size);
/* True when argv holds -h or --help; then usage is printed to stdout. */
int cli_wants_help(int argc, char **argv, const char *usage);
/* Prints "jiangxing: <message>" (and the field when set) to stderr. */
void cli_print_error(const struct jx_error *e);

#endif
