/*
 * <sys/utsname.h> (utsname.c): sysname "Anunix", nodename "anunix" (an
 * image has no host name), release and version "1" (the core exposes no
 * version number), machine "x86_64" or "aarch64" (the architecture the
 * image is compiled for). Field sizes are Linux's (65 bytes).
 */
#ifndef LIBC_SYS_UTSNAME_H
#define LIBC_SYS_UTSNAME_H

#include "../libc_defs.h"

struct utsname {
    char sysname[65], nodename[65], release[65], version[65], machine[65], domainname[65];
};

int uname(struct utsname *u) LIBC_SYM(uname);

#endif
