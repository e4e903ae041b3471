/*
 * The audit trail (core/audit.c): security events - a login over SSH, a
 * refused or accepted API key, an authenticated write over HTTP, a command
 * run over SSH - each recorded as who did what to which target, with
 * what result, from where and when. Never a secret: "who" is a key's or
 * credential's name, a user name, an address.
 *
 *     anx_audit("ssh:anx", "login publickey", "ssh", "ok", "10.0.2.2:51234");
 *     anx_audit("key:ci", "PUT", "/api/v1/objects/notes/a", "201", peer);
 *
 * The core keeps the last ANX_AUDIT_RING events (the shell's `audit`
 * command prints them) and hands each to the sink a module registers: the
 * `audit` module stores them as versions of a state object, so the trail
 * outlives the ring and, on a disk store, the boot. Call from threads, not
 * interrupt handlers: a sink may block on the disk.
 */
#ifndef ANX_AUDIT_H
#define ANX_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#define ANX_AUDIT_RING 32
#define ANX_AUDIT_LINE 320

struct anx_audit_event {
    uint64_t seq;            /* 1, 2, ... since boot */
    uint64_t unix_ns;        /* wall-clock time, 0 without a wall clock */
    uint64_t uptime_ns;
    const char *who, *action, *target, *result, *peer;
};

/* Record one event (NULL fields are written as "-"). */
void anx_audit(const char *who, const char *action, const char *target, const char *result, const char *peer);

/* The event as one JSON object and a newline, cut to fit n bytes: the
 * text the ring keeps and the audit module stores. Returns its length. */
size_t anx_audit_json(const struct anx_audit_event *e, char *out, size_t n);

/* The one sink (NULL removes it); called after the event is in the ring. */
void anx_audit_sink_set(void (*sink)(const struct anx_audit_event *e, const char *json, size_t len));

/* The ring, oldest first: fn gets each stored line. */
void anx_audit_foreach(void (*fn)(const char *json, void *arg), void *arg);
/* Events recorded since boot (the ring may hold fewer). */
uint64_t anx_audit_count(void);

/* Core only (kmain): registers the `audit` command. */
void anx_audit_init(void);

#endif
