/*
 * uname (<sys/utsname.h>): fixed names, the machine from the compiler's
 * target (the image runs on what it was compiled for).
 */
#include <string.h>
#include <sys/utsname.h>

#if defined(__x86_64__)
#define MACHINE "x86_64"
#elif defined(__aarch64__)
#define MACHINE "aarch64"
#else
#error "utsname.c: an architecture Anunix does not build for"
#endif

int uname(struct utsname *u)
{
    memset(u, 0, sizeof *u);
    strcpy(u->sysname, "Anunix");
    strcpy(u->nodename, "anunix");
    strcpy(u->release, "1");
    strcpy(u->version, "1");
    strcpy(u->machine, MACHINE);
    strcpy(u->domainname, "(none)");
    return 0;
}
