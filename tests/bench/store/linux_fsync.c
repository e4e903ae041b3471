/* The Linux baseline of tests/bench/store/run.sh, static, run by the
 * initramfs's init: N files of SIZE bytes written in DIR (open O_CREAT,
 * write, fsync, close; the directory fsync'd too, so the new name is as
 * durable as an acknowledged object version), then the page cache dropped
 * and every file read back. Prints, per phase:
 *   linux put SIZE x N: OPS ops/s, MIB MiB/s, p50 US us, p99 US us
 * Usage: linux_fsync DIR SIZE N */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void report(const char *what, uint64_t *lat, unsigned n, uint64_t total, size_t size)
{
    qsort(lat, n, sizeof(*lat), cmp);
    double s = total / 1e9;
    printf("linux %s %zu x %u: %.3f ops/s, %.3f MiB/s, p50 %llu us, p99 %llu us\n", what, size, n, n / s,
           n * (double)size / s / 1048576.0, (unsigned long long)(lat[n / 2] / 1000),
           (unsigned long long)(lat[(n * 99) / 100] / 1000));
    fflush(stdout);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: linux_fsync DIR SIZE N\n");
        return 2;
    }
    const char *dir = argv[1];
    size_t size = strtoull(argv[2], NULL, 10);
    unsigned n = (unsigned)atoi(argv[3]);
    uint8_t *buf = malloc(size + 16), *rb = malloc(size + 16);
    for (size_t i = 0; i < size; i++)
        buf[i] = (uint8_t)(i * 131 + 7);
    uint64_t *lat = malloc(n * sizeof(*lat)), salt = now_ns();
    int dfd = open(dir, O_RDONLY | O_DIRECTORY);
    char path[512];
    uint64_t t0 = now_ns();
    for (unsigned i = 0; i < n; i++) {
        uint64_t tag[2] = {salt, i};
        memcpy(buf, tag, size < 16 ? size : 16);
        snprintf(path, sizeof(path), "%s/%zu-%u", dir, size, i);
        uint64_t s = now_ns();
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0 || write(fd, buf, size) != (ssize_t)size || fsync(fd) || close(fd) || fsync(dfd)) {
            perror(path);
            return 1;
        }
        lat[i] = now_ns() - s;
    }
    report("put", lat, n, now_ns() - t0, size);
    sync();
    int dc = open("/proc/sys/vm/drop_caches", O_WRONLY);
    if (dc >= 0) {
        if (write(dc, "3\n", 2) != 2)
            perror("drop_caches");
        close(dc);
    }
    t0 = now_ns();
    for (unsigned i = 0; i < n; i++) {
        snprintf(path, sizeof(path), "%s/%zu-%u", dir, size, i);
        uint64_t s = now_ns();
        int fd = open(path, O_RDONLY);
        if (fd < 0 || read(fd, rb, size + 1) != (ssize_t)size || close(fd)) {
            perror(path);
            return 1;
        }
        lat[i] = now_ns() - s;
    }
    report("get", lat, n, now_ns() - t0, size);
    return 0;
}
