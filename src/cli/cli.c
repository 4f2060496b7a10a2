/* Helpers shared by the subcommands: --help detection and error printing,
 * so every command answers the same way. */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

#include "core/error.h"

int cli_wants_help(int argc, char **argv, const char *usage)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            fputs(usage, stdout);
            return 1;
        }
    return 0;
}

void cli_print_error(const struct jx_error *e)
{
    if (e->field[0])
        fprintf(stderr, "jiangxing: %s (%s, field %s)\n", e->message, e->code, e->field);
    else
        fprintf(stderr, "jiangxing: %s (%s)\n", e->message, e->code);
}
