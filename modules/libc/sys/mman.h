/*
 * <sys/mman.h> (mman.c). An image has one address space and no pager, so
 * a mapping is a heap copy: mmap of a descriptor from open() copies the
 * archive file's bytes (from off, zeros past its end) into page-aligned
 * memory (the archive is already in memory; the copy costs its size
 * once), MAP_ANONYMOUS gives zeroed memory. MAP_PRIVATE and MAP_SHARED
 * behave alike for files (the archive never changes), writable only with
 * MAP_PRIVATE. munmap frees a whole mapping (the address mmap returned;
 * unmapping part of one fails with EINVAL). Errors: PROT_EXEC and
 * MAP_FIXED fail with ENOTSUP; a length of 0, an offset not a multiple of
 * the page size (4096) or neither MAP_PRIVATE nor MAP_SHARED with EINVAL;
 * a descriptor that is not an archive file with ENODEV (EBADF if not
 * open); PROT_WRITE with MAP_SHARED of a file with EACCES.
 * Missing versus POSIX: mprotect, msync, madvise, mlock, shm_open.
 */
#ifndef LIBC_SYS_MMAN_H
#define LIBC_SYS_MMAN_H

#include "../libc_defs.h"
#include "types.h"

#define PROT_NONE 0
#define PROT_READ 1
#define PROT_WRITE 2
#define PROT_EXEC 4
#define MAP_SHARED 0x01
#define MAP_PRIVATE 0x02
#define MAP_FIXED 0x10
#define MAP_ANONYMOUS 0x20
#define MAP_ANON MAP_ANONYMOUS
#define MAP_FAILED ((void *)-1)

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off) LIBC_SYM(mmap);
int munmap(void *addr, size_t len) LIBC_SYM(munmap);

#endif
