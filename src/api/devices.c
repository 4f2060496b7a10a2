/* GET /competitions/{id}/devices: each station's health, what the gateway applied and
 * refused (by reason), and the latest refusals — for the organiser and chief judges. */
#include "api/api.h"
#include "devices/devices.h"
#include "http/server.h"

void handle_devices(struct ctx *c)
{
    struct competition *comp = ctx_competition(c);
    if (comp && ctx_assigned(c, comp, -1, -1))
        reply_json(c, 200, devices_status(c->server->devices, comp));
}
