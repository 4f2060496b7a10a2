/* The route table: every API endpoint with its method, the least role allowed, its body
 * cap and its handler. A path not listed here is refused (default deny). Below organiser,
 * handlers also check the caller's assignment in the competition (ctx_assigned). */
#include "api/api.h"
#include "http/auth.h"

#define KB 1024
#define MB (1024 * 1024)

const struct route routes[] = {
    {"POST", "/api/v1/login", ROLE_PUBLIC, 4 * KB, handle_login},
    {"POST", "/api/v1/logout", ROLE_JUDGE, 1 * KB, handle_logout},
    {"GET", "/api/v1/me", ROLE_JUDGE, 0, handle_me},
    {"GET", "/api/v1/competitions", ROLE_JUDGE, 0, handle_list_competitions},
    {"POST", "/api/v1/competitions", ROLE_ORGANISER, 8 * MB, handle_create_competition},
    {"GET", "/api/v1/competitions/{}", ROLE_CHIEF, 0, handle_get_competition},
    {"GET", "/api/v1/competitions/{}/judge-view", ROLE_JUDGE, 0, handle_judge_view},
    {"POST", "/api/v1/competitions/{}/assignments", ROLE_ORGANISER, 16 * KB, handle_assign},
    {"GET", "/api/v1/competitions/{}/assignments", ROLE_ORGANISER, 0, handle_list_assignments},
    {"POST", "/api/v1/competitions/{}/publish", ROLE_ORGANISER, 1 * KB, handle_publish},
    {"POST", "/api/v1/competitions/{}/contestants/import", ROLE_ORGANISER, 8 * MB,
     handle_import_contestants},
    {"GET", "/api/v1/competitions/{}/export/competition.json", ROLE_ORGANISER, 0,
     handle_export_competition},
    {"GET", "/api/v1/competitions/{}/export/marks.jsonl", ROLE_ORGANISER, 0, handle_export_marks},
    {"GET", "/api/v1/competitions/{}/export/standings.csv", ROLE_ORGANISER, 0,
     handle_export_standings},
    {"GET", "/api/v1/competitions/{}/export/sheets.csv", ROLE_ORGANISER, 0, handle_export_sheets},
    {"GET", "/api/v1/users", ROLE_ORGANISER, 0, handle_list_users},
    {"POST", "/api/v1/users/bulk", ROLE_ORGANISER, 1 * KB, handle_bulk_users},
    {"POST", "/api/v1/competitions/{}/marks", ROLE_JUDGE, 1 * MB, handle_post_marks},
    {"GET", "/api/v1/competitions/{}/standings", ROLE_CHIEF, 0, handle_standings},
    {"GET", "/api/v1/public/competitions/{}/standings", ROLE_PUBLIC, 0, handle_public_standings},
    {"GET", "/api/v1/competitions/{}/sheets/{}", ROLE_CHIEF, 0, handle_sheet},
    {"GET", "/api/v1/competitions/{}/review", ROLE_CHIEF, 0, handle_review},
    {"POST", "/api/v1/competitions/{}/rejudge", ROLE_CHIEF, 4 * KB, handle_rejudge},
    {"POST", "/api/v1/competitions/{}/modules/{}/lock", ROLE_CHIEF, 4 * KB, handle_lock},
    {"POST", "/api/v1/competitions/{}/modules/{}/unlock", ROLE_CHIEF, 4 * KB, handle_unlock},
    /* Live display: public while published (handlers check), staff always. */
    {"GET", "/api/v1/competitions/{}/live", ROLE_PUBLIC, 0, handle_live},
    {"GET", "/api/v1/public/competitions/{}/board", ROLE_PUBLIC, 0, handle_board},
    {"GET", "/api/v1/public/competitions/{}/feed", ROLE_PUBLIC, 0, handle_feed},
    {"GET", "/api/v1/public/competitions/{}/qr.svg", ROLE_PUBLIC, 0, handle_qr},
    {"GET", "/api/v1/public/competitions/{}/contestants/{}", ROLE_PUBLIC, 0, handle_profile},
    {"GET", "/api/v1/public/competitions/{}/contestants/{}/photo", ROLE_PUBLIC, 0, handle_photo},
    {"POST", "/api/v1/public/competitions/{}/contestants/{}/like", ROLE_PUBLIC, 1 * KB, handle_like},
    {"POST", "/api/v1/public/competitions/{}/contestants/{}/cheer", ROLE_PUBLIC, 1 * KB,
     handle_cheer},
    {"POST", "/api/v1/public/competitions/{}/comments", ROLE_PUBLIC, 4 * KB, handle_comment},
    {"GET", "/api/v1/competitions/{}/display", ROLE_ORGANISER, 0, handle_get_display},
    {"POST", "/api/v1/competitions/{}/display", ROLE_ORGANISER, 64 * KB, handle_set_display},
    {"GET", "/api/v1/competitions/{}/comments", ROLE_ORGANISER, 0, handle_list_comments},
    {"POST", "/api/v1/competitions/{}/comments/{}/moderate", ROLE_ORGANISER, 1 * KB,
     handle_moderate},
    {"POST", "/api/v1/competitions/{}/commentary", ROLE_ORGANISER, 8 * KB, handle_commentary},
    {"POST", "/api/v1/competitions/{}/contestants/{}/profile", ROLE_ORGANISER, 4 * KB,
     handle_set_profile},
    {"POST", "/api/v1/competitions/{}/contestants/{}/photo", ROLE_ORGANISER, 8 * MB,
     handle_set_photo},
    /* Devices: health and the gateway's counts. */
    {"GET", "/api/v1/competitions/{}/devices", ROLE_CHIEF, 0, handle_devices},
    {"POST", "/api/v1/competitions/{}/devices", ROLE_ORGANISER, 1 * KB, handle_issue_device},
    {"POST", "/api/v1/competitions/{}/devices/{}/revoke", ROLE_ORGANISER, 1 * KB,
     handle_revoke_device},
};

const size_t n_routes = sizeof routes / sizeof routes[0];
