/* bench/io_timer.c: an LD_PRELOAD library that times the server's fsync-family and
 * pwrite calls (SQLite's WAL writes and syncs) without touching src/, and prints the
 * totals to stderr when the process exits. Used by bench/ingest_stages.sh.
 *
 *   cc -shared -fPIC -O2 bench/io_timer.c -o io_timer.so -ldl
 *   LD_PRELOAD=./io_timer.so build/jiangxing serve ... */
#include <dlfcn.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

struct counter {
    _Atomic uint64_t calls, ns, max_ns, bytes;
};
static struct counter c_fdatasync, c_fsync, c_pwrite;

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void count(struct counter *c, uint64_t t0, uint64_t bytes)
{
    uint64_t d = now_ns() - t0, max = atomic_load(&c->max_ns);
    atomic_fetch_add(&c->calls, 1);
    atomic_fetch_add(&c->ns, d);
    atomic_fetch_add(&c->bytes, bytes);
    while (d > max && !atomic_compare_exchange_weak(&c->max_ns, &max, d)) {
    }
}

int fdatasync(int fd)
{
    static int (*real)(int);
    if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
    uint64_t t0 = now_ns();
    int rc = real(fd);
    count(&c_fdatasync, t0, 0);
    return rc;
}

int fsync(int fd)
{
    static int (*real)(int);
    if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
    uint64_t t0 = now_ns();
    int rc = real(fd);
    count(&c_fsync, t0, 0);
    return rc;
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off)
{
    static ssize_t (*real)(int, const void *, size_t, off_t);
    if (!real) real = (ssize_t (*)(int, const void *, size_t, off_t))dlsym(RTLD_NEXT, "pwrite64");
    uint64_t t0 = now_ns();
    ssize_t rc = real(fd, buf, n, off);
    count(&c_pwrite, t0, rc > 0 ? (uint64_t)rc : 0);
    return rc;
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off) { return pwrite64(fd, buf, n, off); }

static void report(const char *name, struct counter *c)
{
    uint64_t calls = atomic_load(&c->calls);
    if (!calls) return;
    fprintf(stderr, "IO %s calls=%llu total_s=%.3f mean_ms=%.3f max_ms=%.3f bytes=%llu\n", name,
            (unsigned long long)calls, (double)atomic_load(&c->ns) / 1e9,
            (double)atomic_load(&c->ns) / 1e6 / (double)calls,
            (double)atomic_load(&c->max_ns) / 1e6, (unsigned long long)atomic_load(&c->bytes));
}

__attribute__((destructor)) static void at_exit_report(void)
{
    report("fdatasync", &c_fdatasync);
    report("fsync", &c_fsync);
    report("pwrite", &c_pwrite);
}
