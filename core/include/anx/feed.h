/*
 * Change feeds: publish/subscribe over named state objects (core/feed.c).
 *
 * A storage module (the object store) publishes every new version and
 * every deletion of a name; any module subscribes to the names under a
 * prefix and reacts - the kiosk reloading a page (its watch:), infer
 * swapping in a model when models/x gets a new version (its reload:),
 * objstore-http streaming them
 * as server-sent events (GET /api/v1/objects/PREFIX?watch).
 *
 *     struct anx_feed_sub *s;
 *     if (anx_feed_subscribe("kiosk", "www/", 0, &s) == 0) {
 *         struct anx_feed_event ev;
 *         for (;;)
 *             if (anx_feed_next(s, &ev, 15 * ANX_NS_PER_S) == 0)
 *                 ... ev.kind, ev.name, ev.version
 *             // else ANX_EAGAIN: 15 s without an event
 *     }
 *     }
 *
 * Slow subscribers never block writers: publishing copies the event into
 * each matching subscriber's bounded queue (depth events) and wakes it,
 * whatever the subscriber is doing. A full queue drops its OLDEST event,
 * keeping the newest (what a reader reacting to changes wants), and
 * counts the drop: the subscriber's next anx_feed_next answers one
 * ANX_FEED_LOST event saying how many were dropped before the events that
 * were kept, so it knows to list the prefix again rather than trust the
 * feed.
 *
 * A subscriber sees only the names its module may read (the object grants
 * of <anx/module.h>); others are skipped silently. Events carry no content:
 * read the version if you need it. Cooperative threads: publish from a
 * thread, never from an interrupt handler.
 */
#ifndef ANX_FEED_H
#define ANX_FEED_H

#include <stddef.h>
#include <stdint.h>

#define ANX_FEED_NAME_MAX 200
#define ANX_FEED_DEPTH_DEFAULT 64

enum anx_feed_kind {
    ANX_FEED_VERSION = 1,   /* a new version of name (version, id) */
    ANX_FEED_DELETE,        /* name and its history were deleted */
    ANX_FEED_LOST,          /* lost events were dropped before the next ones */
};

struct anx_feed_event {
    enum anx_feed_kind kind;
    uint64_t seq;           /* 1, 2, ... in publication order, over all names */
    char name[ANX_FEED_NAME_MAX + 1];
    uint32_t version;       /* ANX_FEED_VERSION */
    char id[65];            /* ANX_FEED_VERSION: the object id, hex */
    uint64_t lost;          /* ANX_FEED_LOST */
};

struct anx_feed_sub;

/* Subscribe module to the names starting with prefix ("" = all) with a
 * queue of depth events (0 = ANX_FEED_DEPTH_DEFAULT). 0, ANX_EINVAL (a
 * prefix longer than a name) or ANX_ENOMEM. */
int anx_feed_subscribe(const char *module, const char *prefix, size_t depth, struct anx_feed_sub **out);
/* The next event, waiting at most timeout_ns (0: do not wait): 0, or
 * ANX_EAGAIN when none came within the timeout. */
int anx_feed_next(struct anx_feed_sub *s, struct anx_feed_event *ev, uint64_t timeout_ns);
void anx_feed_unsubscribe(struct anx_feed_sub *s);

/* For storage modules: a new version of name, or its deletion (version 0,
 * id NULL). Never blocks; returns the event's seq. */
uint64_t anx_feed_publish(enum anx_feed_kind kind, const char *name, uint32_t version, const char *id);

/* Subscribers and events dropped so far, for /metrics. */
size_t anx_feed_subscribers(void);
uint64_t anx_feed_dropped(void);

#endif
