/*
 * The net module's API for other modules (httpd, router ...), which get
 * this folder and lwIP's include folders on their include path by
 * depending on `net`.
 *
 * lwIP rules in an Anunix image (see docs/modules.md):
 *   - netconn calls (lwip/api.h) may be made from any thread; they take the
 *     core lock themselves. Blocking netconn calls block only the caller.
 *   - raw/core calls (tcp_*, udp_*, raw_*, netif_*, dhcp_*, dns_*) must be
 *     wrapped in LOCK_TCPIP_CORE() / UNLOCK_TCPIP_CORE() (lwip/tcpip.h)
 *     unless they run in an lwIP callback, which already holds the lock.
 *   - Never sleep or wait while holding the lock; never call lwIP from an
 *     interrupt handler or a timer callback.
 */
#ifndef ANX_NET_H
#define ANX_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Waits until some interface has an IPv4 address (DHCP bound, or the
 * static address set) for at most timeout_ns (0 = do not wait). Returns
 * the address in network byte order (as lwIP's ip4_addr_t.addr), or 0 on
 * timeout or when the image has no interface. */
uint32_t net_wait_up(uint64_t timeout_ns);

/* Whether the stack is initialized (the tcpip thread exists). */
bool net_ready(void);

struct netconn;
/* Send all n bytes on a TCP netconn (copied), looping over partial writes:
 * netconn_write() refuses a connection that has a send timeout set.
 * Returns 0, or -1 when the connection fails before any byte of a piece
 * was accepted. */
int net_write_all(struct netconn *nc, const void *data, size_t n);

/* A TCP netconn listening on port (every address, SO_REUSEADDR) with a
 * backlog of at most 255 connections, or NULL with *why saying what
 * failed ("out of memory", lwIP's words for the bind or listen error). */
struct netconn *net_listen_tcp(uint16_t port, int backlog, const char **why);

/* For an accepted connection: its peer's address into out ("10.0.2.2",
 * with ":PORT" when with_port; "-" when lwIP cannot tell), and Nagle's
 * algorithm off, so small answers (keystrokes, echoes, short replies)
 * leave at once. */
void net_accepted(struct netconn *nc, char *out, size_t n, bool with_port);

#endif
