/* `jiangxing user add`: creates an account (admin, organiser, chief or judge) directly
 * in the database, with the password from --password-env or a generated one. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "http/auth.h"
#include "store/store.h"

static const char usage[] =
    "usage: jiangxing user add --db FILE --username NAME --role ROLE [--name DISPLAY]\n"
    "                          [--password-env VAR]\n"
    "  ROLE: admin, organiser, chief or judge. The password is read from the environment\n"
    "  variable VAR; without it a one-time code is generated and printed.\n";

void random_code(char *out, size_t size)
{
    static const char alphabet[] = "23456789abcdefghjkmnpqrstuvwxyz";
    for (size_t i = 0; i + 1 < size; i++)
        out[i] = alphabet[randombytes_uniform(sizeof alphabet - 1)];
    out[size - 1] = '\0';
}

int cmd_user(int argc, char **argv)
{
    if (cli_wants_help(argc, argv, usage)) return 0;
    const char *path = NULL, *username = NULL, *role = NULL, *name = "", *password_env = NULL;
    if (argc < 2 || strcmp(argv[1], "add") != 0) {
        fputs(usage, stderr);
        return 2;
    }
    for (int i = 2; i < argc; i++) {
        const char **slot = i + 1 >= argc ? NULL
                            : !strcmp(argv[i], "--db") ? &path
                            : !strcmp(argv[i], "--username") ? &username
                            : !strcmp(argv[i], "--role") ? &role
                            : !strcmp(argv[i], "--name") ? &name
                            : !strcmp(argv[i], "--password-env") ? &password_env
                                                                 : NULL;
        if (!slot) {
            fprintf(stderr, "jiangxing user: unexpected argument %s\n%s", argv[i], usage);
            return 2;
        }
        *slot = argv[++i];
    }
    if (!path || !username || !role) {
        fputs(usage, stderr);
        return 2;
    }
    char code[13];
    const char *password = password_env ? getenv(password_env) : NULL;
    if (password_env && !password) {
        fprintf(stderr, "jiangxing user: environment variable %s is not set\n", password_env);
        return 2;
    }
    if (!password) {
        if (sodium_init() < 0) return 1;
        random_code(code, sizeof code);
        password = code;
    }
    struct jx_error e;
    sqlite3 *db = store_open(path, &e);
    int rc = db ? user_add(db, username, name, role, password, &e) : -1;
    store_close(db);
    if (rc != 0) {
        cli_print_error(&e);
        return 1;
    }
    printf("added %s (%s)%s%s\n", username, role, password == code ? ", one-time code: " : "",
           password == code ? code : "");
    return 0;
}
