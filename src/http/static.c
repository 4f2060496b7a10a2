/* Static pages and assets from the web/ folder: /judge, /admin, /login, /screen/{id},
 * /watch/{id} and /static/…, with a strict Content-Security-Policy. Paths with ".." or odd
 * characters are refused. */
#include <event2/buffer.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "http/http.h"

static const struct {
    const char *path, *file;
} pages[] = {{"/", "login/index.html"},       {"/login", "login/index.html"},
             {"/judge", "judge/index.html"},  {"/admin", "admin/index.html"},
             {"/chief", "chief/index.html"},  {"/sheet", "sheet/index.html"},
             {"/api/v1/openapi.yaml", "openapi.yaml"}};

/* Pages whose last path segment names the competition; the page reads it from its URL. */
static const struct {
    const char *prefix, *file;
} competition_pages[] = {{"/screen/", "screen/index.html"}, {"/watch/", "watch/index.html"}};

static bool plain_segment(const char *p)
{
    if (!*p || strlen(p) > 64) return false;
    for (; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              strchr("_.-", *p)))
            return false;
    return true;
}

static const char *content_type(const char *file)
{
    static const struct {
        const char *ext, *type;
    } types[] = {{".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
                 {".mjs", "text/javascript; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
                 {".svg", "image/svg+xml"}, {".png", "image/png"}, {".json", "application/json"},
                 {".yaml", "application/yaml; charset=utf-8"}, {".ico", "image/x-icon"}};
    const char *dot = strrchr(file, '.');
    for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
        if (strcmp(dot, types[i].ext) == 0) return types[i].type;
    return "application/octet-stream";
}

static bool safe_relative(const char *p)
{
    if (!*p || strstr(p, "..") || strlen(p) > 200) return false;
    for (; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              strchr("/_.-", *p)))
            return false;
    return true;
}

static void not_found(struct evhttp_request *req)
{
    struct evbuffer *out = evbuffer_new();
    evbuffer_add_printf(out, "{\"error\":{\"code\":\"not_found\",\"message\":\"没有这个页面 / no such page\"}}\n");
    evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
                      "application/json; charset=utf-8");
    evhttp_send_reply(req, 404, NULL, out);
    evbuffer_free(out);
}

void serve_static(struct evhttp_request *req, const char *root)
{
    const char *path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
    const char *file = NULL;
    for (size_t i = 0; path && i < sizeof pages / sizeof pages[0]; i++)
        if (strcmp(path, pages[i].path) == 0) file = pages[i].file;
    for (size_t i = 0; !file && path && i < sizeof competition_pages / sizeof competition_pages[0];
         i++) {
        size_t len = strlen(competition_pages[i].prefix);
        if (strncmp(path, competition_pages[i].prefix, len) == 0 && plain_segment(path + len))
            file = competition_pages[i].file;
    }
    if (!file && path && strncmp(path, "/static/", 8) == 0 && safe_relative(path + 8))
        file = path + 8;
    char full[512];
    int fd = -1;
    struct stat st;
    if (file && snprintf(full, sizeof full, "%s/%s", root, file) < (int)sizeof full)
        fd = open(full, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        if (fd >= 0) close(fd);
        not_found(req);
        return;
    }
    struct evkeyvalq *h = evhttp_request_get_output_headers(req);
    evhttp_add_header(h, "Content-Type", content_type(file));
    evhttp_add_header(h, "Content-Security-Policy",
                      "default-src 'self'; img-src 'self' data:; object-src 'none'; "
                      "frame-ancestors 'none'; base-uri 'none'");
    evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
    evhttp_add_header(h, "Cache-Control", "no-cache");
    struct evbuffer *out = evbuffer_new();
    evbuffer_add_file(out, fd, 0, st.st_size); /* takes the descriptor */
    evhttp_send_reply(req, 200, NULL, out);
    evbuffer_free(out);
}
