/* Devices: each station's health, what the gateway applied and refused (by reason) and the
 * latest refusals, for the organiser and chief judges; issuing and revoking a station's
 * broker account (with a QR code of it for the workstation), for the organiser. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "devices/devices.h"
#include "format/competition_json.h"
#include "format/qr_svg.h"
#include "http/server.h"

void handle_devices(struct ctx *c)
{
    struct competition *comp = ctx_competition(c);
    if (comp && ctx_assigned(c, comp, -1, -1))
        reply_json(c, 200, devices_status(c->server->devices, comp));
}

/* The broker answered: 201/200 with the account (and, when issued, a QR code of it). */
static void account_done(json_t *result, const char *error, void *arg)
{
    struct later *p = arg;
    if (!result) {
        char message[300];
        snprintf(message, sizeof message, "设备服务器未完成操作：%.100s / the broker refused: %.100s",
                 error, error);
        reply_fail(&p->ctx, 502, "broker_error", NULL, message);
        later_drop(p);
        return;
    }
    if (json_object_get(result, "password")) {
        char *text = json_dumps(result, JSON_COMPACT | JSON_SORT_KEYS);
        char *svg = text ? qr_svg(text) : NULL;
        if (svg) json_object_set_new(result, "qr_svg", json_string(svg));
        free(svg);
        free(text);
    }
    p->body = result;
    later_reply(p);
}

/* The competition and a station a contestant holds, or answered and false. */
static bool account_target(struct ctx *c, struct competition **comp, const char **station,
                           json_t **doc)
{
    *doc = NULL;
    if (!(*comp = ctx_competition(c))) return false;
    if (!c->server->devices) {
        reply_fail(c, 503, "devices_disabled", NULL,
                   "未连接设备服务器（serve --mqtt）/ no device broker: start serve with --mqtt");
        return false;
    }
    if (c->params[1][0]) {
        *station = c->params[1];
    } else {
        if (!(*doc = body_json(c))) return false;
        *station = json_string_value(json_object_get(*doc, "station"));
    }
    int who = *station ? scheme_station(&(*comp)->contest.scheme, *station) : -1;
    /* A device addresses its station in topics: it must be an id, and one contestant's. */
    if (who >= 0 && id_is_valid(*station)) return true;
    if (who == -1)
        reply_fail(c, 404, "unknown_station", "station", "没有选手在该工位 / no contestant at that station");
    else
        reply_fail(c, 409, "station_not_addressable", "station",
                   "该工位名不唯一或含有 A–Z a–z 0–9 _ . - 以外的字符，设备无法寻址 / devices cannot "
                   "address this station: it is shared or has characters other than A-Z a-z 0-9 _ . -");
    json_decref(*doc);
    *doc = NULL;
    return false;
}

static void change_account(struct ctx *c, bool issue)
{
    struct competition *comp;
    const char *station;
    json_t *doc;
    if (!account_target(c, &comp, &station, &doc)) return;
    struct later *p = later_new(c, issue ? 201 : 200, NULL);
    int rc = -1;
    if (p) {
        rc = issue ? devices_issue(c->server->devices, comp, station, account_done, p)
                   : devices_revoke(c->server->devices, comp, station, account_done, p);
    }
    if (rc != 0) {
        if (p) later_drop(p);
        reply_fail(c, 503, "broker_unreachable", NULL,
                   "无法联系设备服务器，请稍后再试 / cannot reach the broker: try again shortly");
    }
    json_decref(doc);
}

void handle_issue_device(struct ctx *c) { change_account(c, true); }
void handle_revoke_device(struct ctx *c) { change_account(c, false); }
