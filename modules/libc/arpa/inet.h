/*
 * <arpa/inet.h> (inet.c): address text conversions with glibc's exact
 * acceptance rules. inet_aton takes the classic forms a, a.b, a.b.c,
 * a.b.c.d (each part decimal, 0 octal or 0x hex; the last fills the
 * remaining bytes) and allows trailing whitespace and anything after it;
 * inet_pton takes only dotted-quad decimal for AF_INET (no leading
 * zeros) and RFC 4291 text for AF_INET6 (one "::", an embedded IPv4 tail;
 * no zone "%eth0"). inet_ntop writes RFC 5952 text as glibc does (the
 * longest zero run as "::", IPv4-mapped/compatible tails dotted).
 * Unknown families fail with EAFNOSUPPORT, short buffers with ENOSPC.
 * Missing versus POSIX: inet_network, inet_makeaddr, inet_lnaof.
 */
#ifndef LIBC_ARPA_INET_H
#define LIBC_ARPA_INET_H

#include "../libc_defs.h"
#include "../netinet/in.h"

int inet_aton(const char *s, struct in_addr *out) LIBC_SYM(inet_aton);
in_addr_t inet_addr(const char *s) LIBC_SYM(inet_addr);
char *inet_ntoa(struct in_addr a) LIBC_SYM(inet_ntoa);
int inet_pton(int af, const char *restrict src, void *restrict dst) LIBC_SYM(inet_pton);
const char *inet_ntop(int af, const void *restrict src, char *restrict dst, socklen_t size) LIBC_SYM(inet_ntop);

#endif
