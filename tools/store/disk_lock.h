/*
 * disk_lock.h - who may use a disk image at a time: the lock that `anx run`,
 * `anx test` and `anx store` take on a disk file, made to work together with
 * QEMU's own image locking. Shared by the generator (gen/, compiled in as
 * disk_lock.o) and the anx-store tool; host only (Linux OFD locks).
 */
#ifndef ANX_DISK_LOCK_H
#define ANX_DISK_LOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

enum disk_use {
    DISK_READ,    /* anx store ls/get/log/df/check: shared with other readers */
    DISK_WRITE,   /* anx store put/rm/gc/create: nobody else at all */
    DISK_QEMU,    /* anx run/test while their QEMU runs: nobody else at all,
                   * but leaves QEMU's own lock bytes to that QEMU */
};

/* Locks the open file fd for use (the locks live as long as fd's open file
 * description: close it, or exit, to release them). Returns 0; 1 when
 * another program uses the disk, with "disk in use by NAME (pid N)" in why;
 * -1 on a system error, with the reason in why. */
int disk_lock(int fd, enum disk_use use, char *why, size_t whylen);

/* The processes other than this one that hold a lock on the file with this
 * device and inode, as "qemu-system-x86_64 (pid 12)" ("A (pid 1) and B (pid
 * 2)" for two or more); "another process" when none can be seen. */
void disk_holders(dev_t dev, ino_t ino, char *out, size_t n);

/* A process's program name: /proc/PID/comm, completed from its argv[0]
 * when the kernel cut it to 15 characters ("qemu-system-x86_64"). */
void process_name(pid_t pid, char *out, size_t n);

/* Calls fn for each open file descriptor of each process this one can
 * see (not itself), with its /proc/PID/fd/N path, until fn returns
 * nonzero; returns that value or 0. */
int each_process_fd(int (*fn)(pid_t pid, int fd, const char *fdpath, void *arg), void *arg);

#endif
