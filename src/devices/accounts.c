/* Device accounts on the broker (mosquitto's dynamic-security plugin): issuing one makes a
 * client that may publish only under jiangxing/{competition}/{station}/; revoking deletes
 * it. Commands go out on $CONTROL/dynamic-security/v1 with a correlation id; the caller is
 * told when the broker's answer comes back (or after a timeout). */
#include <mosquitto.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/internal.h"
#include "store/store.h"

#define CONTROL_TOPIC "$CONTROL/dynamic-security/v1"
#define ANSWER_TIMEOUT_MS 5000

struct pending_account {
    int64_t id, deadline_ms;
    account_done_fn done;
    void *arg;
    json_t *result; /* handed to done on success */
};

/* ':' cannot appear in ids, so no two (competition, station) pairs share a name. */
void account_username(const char *competition, const char *station, char out[140])
{
    snprintf(out, 140, "dev:%s:%s", competition, station);
}

static void random_password(char out[25])
{
    static const char alphabet[] = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";
    for (int i = 0; i < 24; i++) out[i] = alphabet[randombytes_uniform(sizeof alphabet - 1)];
    out[24] = '\0';
}

/* Sends commands (stolen) tagged with a new correlation id; done runs once answered. */
static int send_commands(struct devices *d, json_t *commands, json_t *result, account_done_fn done,
                         void *arg)
{
    int64_t id = ++d->next_correlation;
    char tag[32];
    snprintf(tag, sizeof tag, "jx-%lld", (long long)id);
    size_t i;
    json_t *command;
    json_array_foreach(commands, i, command) json_object_set_new(command, "correlationData", json_string(tag));
    json_t *doc = json_pack("{s:o}", "commands", commands);
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    struct pending_account *p = calloc(1, sizeof *p);
    struct pending_account **grown =
        realloc(d->pending, (size_t)(d->n_pending + 1) * sizeof *grown);
    if (grown) d->pending = grown;
    int rc = text && p && grown &&
                     mosquitto_publish(d->mosq, NULL, CONTROL_TOPIC, (int)strlen(text), text, 1,
                                       false) == MOSQ_ERR_SUCCESS
                 ? 0
                 : -1;
    free(text);
    if (rc != 0) {
        free(p);
        json_decref(result);
        return -1;
    }
    *p = (struct pending_account){id, now_ms() + ANSWER_TIMEOUT_MS, done, arg, result};
    d->pending[d->n_pending++] = p;
    return 0;
}

int devices_issue(struct devices *d, const struct competition *comp, const char *station,
                  account_done_fn done, void *arg)
{
    char username[140], role[140], topic[200], password[25];
    account_username(comp->contest.scheme.id, station, username);
    snprintf(role, sizeof role, "%s", username);
    snprintf(topic, sizeof topic, "jiangxing/%s/%s/#", comp->contest.scheme.id, station);
    random_password(password);
    json_t *commands = json_pack(
        "[{s:s, s:s}, {s:s, s:s}, {s:s, s:s, s:[{s:s, s:s, s:b, s:i}]},"
        " {s:s, s:s, s:s, s:[{s:s}]}]",
        "command", "deleteClient", "username", username, "command", "deleteRole", "rolename", role,
        "command", "createRole", "rolename", role, "acls", "acltype", "publishClientSend", "topic",
        topic, "allow", 1, "priority", 0, "command", "createClient", "username", username,
        "password", password, "roles", "rolename", role);
    json_t *result = json_pack("{s:s, s:s, s:s, s:i, s:s}", "username", username, "password",
                               password, "host", d->cfg.host, "port", d->cfg.port, "topic", topic);
    sodium_memzero(password, sizeof password);
    return send_commands(d, commands, result, done, arg);
}

int devices_revoke(struct devices *d, const struct competition *comp, const char *station,
                   account_done_fn done, void *arg)
{
    char username[140];
    account_username(comp->contest.scheme.id, station, username);
    json_t *commands = json_pack("[{s:s, s:s}, {s:s, s:s}]", "command", "deleteClient", "username",
                                 username, "command", "deleteRole", "rolename", username);
    return send_commands(d, commands, json_pack("{s:s, s:b}", "username", username, "revoked", 1),
                         done, arg);
}

static void finish(struct devices *d, int index, const char *error)
{
    struct pending_account *p = d->pending[index];
    d->pending[index] = d->pending[--d->n_pending];
    if (error) {
        json_decref(p->result);
        p->done(NULL, error, p->arg);
    } else {
        p->done(p->result, NULL, p->arg);
    }
    free(p);
}

/* The broker's answer: every response carries our correlation id; the create (last
 * command) decides. Deleting what does not exist is fine. */
void account_answer(struct devices *d, const char *payload, size_t len)
{
    json_t *doc = json_loadb(payload, len, 0, NULL);
    size_t i;
    json_t *response;
    const char *tag = NULL, *error = NULL;
    json_array_foreach(json_object_get(doc, "responses"), i, response) {
        tag = json_string_value(json_object_get(response, "correlationData"));
        const char *command = json_string_value(json_object_get(response, "command"));
        const char *failed = json_string_value(json_object_get(response, "error"));
        if (failed && command && strncmp(command, "delete", 6) != 0) error = failed;
    }
    long long id = tag && strncmp(tag, "jx-", 3) == 0 ? atoll(tag + 3) : -1;
    for (int k = 0; k < d->n_pending; k++)
        if (d->pending[k]->id == id) {
            finish(d, k, error);
            break;
        }
    json_decref(doc);
}

void accounts_expire(struct devices *d, int64_t now)
{
    for (int k = d->n_pending - 1; k >= 0; k--)
        if (now > d->pending[k]->deadline_ms) finish(d, k, "the broker did not answer");
}

void accounts_release(struct devices *d)
{
    while (d->n_pending > 0) finish(d, d->n_pending - 1, "the server is stopping");
    free(d->pending);
}
