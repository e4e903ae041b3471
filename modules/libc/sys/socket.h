/*
 * <sys/socket.h>: the types and constants that code handling addresses
 * needs (socklen_t, sa_family_t, struct sockaddr, sockaddr_storage, the
 * AF_/PF_ and SOCK_ numbers, Linux's values). There are no sockets in
 * this library: networking in an image is the net module's (<anx/...>),
 * so socket/connect/bind/send/recv ... are not declared (a compile
 * error in code that calls them, rather than a wrong answer).
 */
#ifndef LIBC_SYS_SOCKET_H
#define LIBC_SYS_SOCKET_H

#include "types.h"

typedef unsigned int socklen_t;
typedef unsigned short sa_family_t;

#define AF_UNSPEC 0
#define AF_UNIX 1
#define AF_LOCAL AF_UNIX
#define AF_INET 2
#define AF_INET6 10
#define PF_UNSPEC AF_UNSPEC
#define PF_UNIX AF_UNIX
#define PF_INET AF_INET
#define PF_INET6 AF_INET6
#define SOCK_STREAM 1
#define SOCK_DGRAM 2
#define SOCK_RAW 3

struct sockaddr {
    sa_family_t sa_family;
    char sa_data[14];
};

struct sockaddr_storage {
    sa_family_t ss_family;
    char ss_pad[118];
    unsigned long ss_align;
};

#endif
