/*
 * disk_lock.c - the lock on a disk image that anx run, anx test and anx
 * store take, and how it meets QEMU's own image locking.
 *
 * QEMU (block/file-posix.c, on by default) keeps OFD read locks on single
 * bytes of an image it opens: byte 100+i while it holds block permission i
 * (0 consistent read, 1 write, 2 write-unchanged, 3 resize, 4 graph-mod in
 * older versions) and byte 200+i while it refuses to share permission i.
 * It locks its own bytes first and then test-locks the bytes that would
 * conflict, so two programs playing by these rules cannot both get in. A
 * QEMU with a writable raw drive holds bytes 100, 101 and 201.
 *
 * anx adds byte 300: anx run/test lock it exclusively while their QEMU
 * runs. They cannot take QEMU's bytes themselves, as their own QEMU would
 * then find the image taken; they check instead that no one else holds
 * any of them. anx store locks byte 300 shared for reading commands and
 * exclusively for writing ones, and also takes QEMU's bytes as a QEMU
 * would (a reader: consistent read, unsharing write and resize; a writer:
 * everything, sharing nothing), so a QEMU started by hand refuses the disk
 * while anx store works on it, and anx store refuses a disk a bare QEMU has.
 *
 * OFD locks belong to the open file description, not the process: they
 * are released when the last descriptor of it is closed, and the kernel
 * shows them in /proc/PID/fdinfo/FD, which is how the holder is named
 * (F_OFD_GETLK and /proc/locks report no pid for them).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE   /* F_OFD_SETLK */
#endif
#include "disk_lock.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define QEMU_PERM_BASE 100
#define QEMU_SHARED_BASE 200
#define QEMU_NPERMS 5
#define ANX_LOCK_BYTE 300

enum { P_READ = 1, P_WRITE = 2, P_RESIZE = 8, P_ALL = (1 << QEMU_NPERMS) - 1 };

static int set_lock(int fd, short type, off_t start, off_t len)
{
    struct flock fl = {.l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len};
    return fcntl(fd, F_OFD_SETLK, &fl);
}

/* 1 when another open file description holds a lock that overlaps the
 * range (our own locks never conflict with us), 0 when none, -1 on error. */
static int foreign_lock(int fd, off_t start, off_t len)
{
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = start, .l_len = len};
    if (fcntl(fd, F_OFD_GETLK, &fl) < 0)
        return -1;
    return fl.l_type != F_UNLCK;
}

static int in_use(int fd, char *why, size_t whylen)
{
    struct stat st;
    char who[256] = "another process";
    if (fstat(fd, &st) == 0)
        disk_holders(st.st_dev, st.st_ino, who, sizeof who);
    snprintf(why, whylen, "disk in use by %s", who);
    return 1;
}

static int sys_error(const char *what, char *why, size_t whylen)
{
    snprintf(why, whylen, "cannot %s: %s", what, strerror(errno));
    return -1;
}

int disk_lock(int fd, enum disk_use use, char *why, size_t whylen)
{
    /* What this use holds and refuses to share, in QEMU's terms. */
    int hold = 0, unshare = 0;
    if (use == DISK_READ) {
        hold = P_READ;
        unshare = P_WRITE | P_RESIZE;
    } else if (use == DISK_WRITE) {
        hold = P_READ | P_WRITE | P_RESIZE;
        unshare = P_ALL;
    }
    if (set_lock(fd, use == DISK_READ ? F_RDLCK : F_WRLCK, ANX_LOCK_BYTE, 1) < 0) {
        if (errno == EAGAIN || errno == EACCES)
            return in_use(fd, why, whylen);
        return sys_error("lock the disk", why, whylen);
    }
    for (int i = 0; i < QEMU_NPERMS; i++) {
        int r = 0;
        if (hold & (1 << i))
            r = set_lock(fd, F_RDLCK, QEMU_PERM_BASE + i, 1);
        if (r == 0 && (unshare & (1 << i)))
            r = set_lock(fd, F_RDLCK, QEMU_SHARED_BASE + i, 1);
        if (r < 0 && (errno == EAGAIN || errno == EACCES))
            return in_use(fd, why, whylen);
        if (r < 0)
            return sys_error("lock the disk", why, whylen);
    }
    /* Then look for what conflicts, as QEMU does. A reader conflicts with
     * whoever refuses to share reading or holds write or resize; anything
     * else conflicts with any lock at all in QEMU's two ranges. */
    int c;
    if (use == DISK_READ) {
        c = foreign_lock(fd, QEMU_SHARED_BASE, 1);
        if (c == 0)
            c = foreign_lock(fd, QEMU_PERM_BASE + 1, 1);
        if (c == 0)
            c = foreign_lock(fd, QEMU_PERM_BASE + 3, 1);
    } else {
        c = foreign_lock(fd, QEMU_PERM_BASE, QEMU_NPERMS);
        if (c == 0)
            c = foreign_lock(fd, QEMU_SHARED_BASE, QEMU_NPERMS);
    }
    if (c < 0)
        return sys_error("test the disk's locks", why, whylen);
    return c ? in_use(fd, why, whylen) : 0;
}

int each_process_fd(int (*fn)(pid_t pid, int fd, const char *fdpath, void *arg), void *arg)
{
    DIR *proc = opendir("/proc");
    if (!proc)
        return 0;
    pid_t self = getpid();
    int rc = 0;
    struct dirent *p;
    while (!rc && (p = readdir(proc))) {
        if (!isdigit((unsigned char)p->d_name[0]))
            continue;
        pid_t pid = (pid_t)atoi(p->d_name);
        if (pid == self)
            continue;
        char dir[64];
        snprintf(dir, sizeof dir, "/proc/%d/fd", (int)pid);
        DIR *fds = opendir(dir);
        if (!fds)
            continue;   /* gone, or another user's */
        struct dirent *f;
        while (!rc && (f = readdir(fds))) {
            if (!isdigit((unsigned char)f->d_name[0]))
                continue;
            char path[sizeof dir + sizeof f->d_name + 1];
            snprintf(path, sizeof path, "%s/%s", dir, f->d_name);
            rc = fn(pid, atoi(f->d_name), path, arg);
        }
        closedir(fds);
    }
    closedir(proc);
    return rc;
}

void process_name(pid_t pid, char *out, size_t n)
{
    char path[64], comm[64] = "", cmd[4096];
    snprintf(path, sizeof path, "/proc/%d/comm", (int)pid);
    FILE *f = fopen(path, "r");
    if (f) {
        if (!fgets(comm, sizeof comm, f))
            comm[0] = 0;
        fclose(f);
    }
    comm[strcspn(comm, "\n")] = 0;
    snprintf(out, n, "%s", comm[0] ? comm : "a process");
    if (strlen(comm) < 15)
        return;
    /* The kernel keeps 15 characters of the name: take argv[0]'s base
     * name when it starts the same way. */
    snprintf(path, sizeof path, "/proc/%d/cmdline", (int)pid);
    f = fopen(path, "r");
    if (!f)
        return;
    size_t len = fread(cmd, 1, sizeof cmd - 1, f);
    fclose(f);
    cmd[len] = 0;
    const char *base = strrchr(cmd, '/') ? strrchr(cmd, '/') + 1 : cmd;
    if (!strncmp(base, comm, strlen(comm)))
        snprintf(out, n, "%s", base);
}

struct holder_search {
    dev_t dev;
    ino_t ino;
    pid_t pids[4];
    int n;
};

/* True when /proc/PID/fdinfo/FD lists a lock held through that descriptor. */
static bool fd_holds_lock(pid_t pid, int fd)
{
    char path[64], info[4096];
    snprintf(path, sizeof path, "/proc/%d/fdinfo/%d", (int)pid, fd);
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    size_t len = fread(info, 1, sizeof info - 1, f);
    fclose(f);
    info[len] = 0;
    return !strncmp(info, "lock:", 5) || strstr(info, "\nlock:");
}

static int match_holder(pid_t pid, int fd, const char *fdpath, void *arg)
{
    struct holder_search *h = arg;
    struct stat st;
    if (stat(fdpath, &st) || st.st_dev != h->dev || st.st_ino != h->ino || !fd_holds_lock(pid, fd))
        return 0;
    for (int i = 0; i < h->n; i++)
        if (h->pids[i] == pid)
            return 0;
    h->pids[h->n++] = pid;
    return h->n == (int)(sizeof h->pids / sizeof h->pids[0]);
}

void disk_holders(dev_t dev, ino_t ino, char *out, size_t n)
{
    struct holder_search h = {.dev = dev, .ino = ino};
    each_process_fd(match_holder, &h);
    if (h.n == 0) {
        snprintf(out, n, "another process");
        return;
    }
    size_t used = 0;
    out[0] = 0;
    for (int i = 0; i < h.n && used < n; i++) {
        char name[256];
        process_name(h.pids[i], name, sizeof name);
        used += (size_t)snprintf(out + used, n - used, "%s%s (pid %d)", i == 0 ? "" : i == h.n - 1 ? " and " : ", ",
                                 name, (int)h.pids[i]);
    }
}
