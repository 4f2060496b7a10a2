/* One writer per database: `serve`, `demo` and the CLI commands that append events take
 * an exclusive lock on FILE.lock, so two processes never stamp the same sequence. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "app/app.h"

/* The lock this process holds (a second flock on the same file from the same process
 * would conflict with the first, as `serve` creating the demo would do). */
static char held_path[4096];
static int held_fd = -1;

int app_lock(const char *db_path, struct jx_error *e)
{
    char path[4096];
    snprintf(path, sizeof path, "%s.lock", db_path);
    if (held_fd >= 0 && strcmp(path, held_path) == 0) return held_fd;
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return jx_fail(e, 500, "lock_failed", "db", "无法创建锁文件 %s / cannot create %s", path, path);
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        close(fd);
        return jx_fail(e, 409, "db_busy", "db",
                       "数据库 %s 正被另一个进程（服务器？）写入；请停止它或改用 API / %s is in use by "
                       "another process (a running server?): stop it or use the API",
                       db_path, db_path);
    }
    snprintf(held_path, sizeof held_path, "%s", path);
    return held_fd = fd; /* held until the process exits */
}
