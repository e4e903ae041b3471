/*
 * <sys/select.h>: fd_set and its macros (FD_SETSIZE 1024, Linux's
 * layout), for code that fills sets for a caller to wait on. select and
 * pselect are not here: an image has no descriptors to wait for (the
 * console and archive never block; the network is the net module's), so
 * calling them is a compile error rather than a wrong answer.
 */
#ifndef LIBC_SYS_SELECT_H
#define LIBC_SYS_SELECT_H

#include "time.h"

#define FD_SETSIZE 1024

typedef struct {
    unsigned long fds_bits[FD_SETSIZE / (8 * sizeof(unsigned long))];
} fd_set;

#define LIBC_FD_WORD(fd) ((fd) / (8 * (int)sizeof(unsigned long)))
#define LIBC_FD_BIT(fd) (1UL << ((fd) % (8 * (int)sizeof(unsigned long))))
#define FD_ZERO(s) __builtin_memset((s), 0, sizeof(fd_set))
#define FD_SET(fd, s) ((s)->fds_bits[LIBC_FD_WORD(fd)] |= LIBC_FD_BIT(fd))
#define FD_CLR(fd, s) ((s)->fds_bits[LIBC_FD_WORD(fd)] &= ~LIBC_FD_BIT(fd))
#define FD_ISSET(fd, s) (((s)->fds_bits[LIBC_FD_WORD(fd)] & LIBC_FD_BIT(fd)) != 0)

#endif
