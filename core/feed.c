/* Change feeds (<anx/feed.h>): a bounded ring of events per subscriber,
 * filled by publishers without ever waiting, drained by its reader. */
#include <anx/errno.h>
#include <anx/feed.h>
#include <anx/lib.h>
#include <anx/mem.h>
#include <anx/module.h>
#include <anx/thread.h>

struct anx_feed_sub {
    char module[33];
    char prefix[ANX_FEED_NAME_MAX + 1];
    size_t plen;
    struct anx_feed_event *ring;
    size_t depth, head, count;          /* the oldest kept event is ring[head] */
    uint64_t lost;                      /* dropped since the reader last heard */
    struct anx_waitq wq;
    struct anx_feed_sub *next;
};

static struct anx_feed_sub *subs;
static uint64_t seq, dropped;
static size_t nsubs;

int anx_feed_subscribe(const char *module, const char *prefix, size_t depth, struct anx_feed_sub **out)
{
    size_t plen = strlen(prefix);
    if (plen > ANX_FEED_NAME_MAX || strlen(module) >= sizeof ((struct anx_feed_sub *)0)->module)
        return ANX_EINVAL;
    if (!depth)
        depth = ANX_FEED_DEPTH_DEFAULT;
    struct anx_feed_sub *s = anx_malloc(sizeof *s);
    struct anx_feed_event *ring = anx_malloc(depth * sizeof *ring);
    if (!s || !ring) {
        anx_free(s);
        anx_free(ring);
        return ANX_ENOMEM;
    }
    memset(s, 0, sizeof *s);
    strlcpy(s->module, module, sizeof s->module);
    memcpy(s->prefix, prefix, plen + 1);
    s->plen = plen;
    s->ring = ring;
    s->depth = depth;
    anx_waitq_init(&s->wq);
    s->next = subs;
    subs = s;
    nsubs++;
    *out = s;
    return 0;
}

void anx_feed_unsubscribe(struct anx_feed_sub *s)
{
    for (struct anx_feed_sub **p = &subs; *p; p = &(*p)->next)
        if (*p == s) {
            *p = s->next;
            nsubs--;
            break;
        }
    anx_free(s->ring);
    anx_free(s);
}

/* Into s's ring; a full ring drops its oldest event. */
static void push(struct anx_feed_sub *s, const struct anx_feed_event *ev)
{
    if (s->count == s->depth) {
        s->head = (s->head + 1) % s->depth;
        s->count--;
        s->lost++;
        dropped++;
    }
    s->ring[(s->head + s->count) % s->depth] = *ev;
    s->count++;
    anx_waitq_wake_all(&s->wq);
}

uint64_t anx_feed_publish(enum anx_feed_kind kind, const char *name, uint32_t version, const char *id)
{
    struct anx_feed_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = kind;
    ev.seq = ++seq;
    strlcpy(ev.name, name, sizeof ev.name);
    ev.version = version;
    if (id)
        strlcpy(ev.id, id, sizeof ev.id);
    for (struct anx_feed_sub *s = subs; s; s = s->next)
        if (!strncmp(name, s->prefix, s->plen) && anx_object_grant_test(s->module, name, ANX_ACCESS_READ))
            push(s, &ev);
    return ev.seq;
}

int anx_feed_next(struct anx_feed_sub *s, struct anx_feed_event *ev, uint64_t timeout_ns)
{
    /* cooperative: nothing publishes between the check and the wait */
    if (!s->count && !s->lost && (!timeout_ns || anx_wait_timeout(&s->wq, timeout_ns) < 0 || !s->count))
        return ANX_EAGAIN;
    if (s->lost) {
        memset(ev, 0, sizeof *ev);
        ev->kind = ANX_FEED_LOST;
        ev->lost = s->lost;
        ev->seq = s->count ? s->ring[s->head].seq - 1 : seq;
        s->lost = 0;
        return 0;
    }
    *ev = s->ring[s->head];
    s->head = (s->head + 1) % s->depth;
    s->count--;
    return 0;
}

size_t anx_feed_subscribers(void)
{
    return nsubs;
}

uint64_t anx_feed_dropped(void)
{
    return dropped;
}
