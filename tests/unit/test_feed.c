/* core/feed.c: change feeds. Events reach the subscribers whose prefix
 * matches and whose module may read the name, in order; a full queue
 * drops its oldest events and says how many with one LOST event; a
 * subscriber that reads nothing never holds a publisher up; a wait times
 * out with ANX_EAGAIN. */
#include <stdint.h>
#include <string.h>
#define UNIT_FILE "feed"
#include "unit.h"
#include <anx/errno.h>
#include <anx/feed.h>
#include <anx/module.h>
#include <anx/thread.h>
#include <anx/time.h>

static const char *all[] = { "*", NULL };
static const char *notes_only[] = { "notes/", NULL };
const struct anx_module anx_module_table[] = {
    { .name = "objstore-http", .summary = "HTTP", .reads = all },
    { .name = "kiosk", .summary = "notes only", .reads = notes_only },
};
const size_t anx_module_count = 2;

TEST(prefix_grant_and_order)
{
    struct anx_feed_sub *a, *b;
    CHECK_EQ(anx_feed_subscribe("objstore-http", "", 0, &a), 0);
    CHECK_EQ(anx_feed_subscribe("kiosk", "", 4, &b), 0);
    CHECK_EQ(anx_feed_subscribers(), 2);
    uint64_t s1 = anx_feed_publish(ANX_FEED_VERSION, "notes/a", 1, "ab");
    anx_feed_publish(ANX_FEED_VERSION, "www/index.html", 3, "cd");
    anx_feed_publish(ANX_FEED_DELETE, "notes/a", 0, NULL);
    struct anx_feed_event ev;
    CHECK_EQ(anx_feed_next(a, &ev, 0), 0);
    CHECK(ev.kind == ANX_FEED_VERSION && !strcmp(ev.name, "notes/a") && ev.version == 1 && !strcmp(ev.id, "ab"));
    CHECK_EQ(ev.seq, s1);
    CHECK_EQ(anx_feed_next(a, &ev, 0), 0);
    CHECK(!strcmp(ev.name, "www/index.html") && ev.version == 3 && ev.seq == s1 + 1);
    CHECK_EQ(anx_feed_next(a, &ev, 0), 0);
    CHECK(ev.kind == ANX_FEED_DELETE && !strcmp(ev.name, "notes/a"));
    CHECK_EQ(anx_feed_next(a, &ev, 0), ANX_EAGAIN);
    /* kiosk may read notes/ only: www/index.html is not its to see */
    CHECK_EQ(anx_feed_next(b, &ev, 0), 0);
    CHECK(ev.kind == ANX_FEED_VERSION && !strcmp(ev.name, "notes/a"));
    CHECK_EQ(anx_feed_next(b, &ev, 0), 0);
    CHECK(ev.kind == ANX_FEED_DELETE);
    CHECK_EQ(anx_feed_next(b, &ev, 0), ANX_EAGAIN);
    anx_feed_unsubscribe(a);
    anx_feed_unsubscribe(b);
    CHECK_EQ(anx_feed_subscribers(), 0);
}

TEST(a_prefix_selects)
{
    struct anx_feed_sub *s;
    CHECK_EQ(anx_feed_subscribe("objstore-http", "models/", 0, &s), 0);
    anx_feed_publish(ANX_FEED_VERSION, "models", 1, "x");
    anx_feed_publish(ANX_FEED_VERSION, "models/tiny", 2, "y");
    struct anx_feed_event ev;
    CHECK_EQ(anx_feed_next(s, &ev, 0), 0);
    CHECK_STR(ev.name, "models/tiny");
    CHECK_EQ(anx_feed_next(s, &ev, 0), ANX_EAGAIN);
    anx_feed_unsubscribe(s);
}

/* A slow reader: 1000 publications into a queue of 8 return at once; the
 * reader hears "lost 992" and then the newest 8, in order. */
TEST(full_queue_drops_oldest_and_says_so)
{
    struct anx_feed_sub *s;
    CHECK_EQ(anx_feed_subscribe("objstore-http", "", 8, &s), 0);
    uint64_t dropped0 = anx_feed_dropped(), last = 0;
    for (uint32_t i = 1; i <= 1000; i++)
        last = anx_feed_publish(ANX_FEED_VERSION, "notes/x", i, "id");
    CHECK_EQ(anx_feed_dropped() - dropped0, 992);
    struct anx_feed_event ev;
    CHECK_EQ(anx_feed_next(s, &ev, 0), 0);
    CHECK(ev.kind == ANX_FEED_LOST && ev.lost == 992);
    for (uint32_t v = 993; v <= 1000; v++) {
        CHECK_EQ(anx_feed_next(s, &ev, 0), 0);
        CHECK(ev.kind == ANX_FEED_VERSION && ev.version == v);
    }
    CHECK_EQ(ev.seq, last);
    CHECK_EQ(anx_feed_next(s, &ev, 0), ANX_EAGAIN);
    anx_feed_unsubscribe(s);
}

static struct anx_feed_sub *waiting_sub;
static int waiter_rc = 1;
static struct anx_feed_event waiter_ev;

static void waiter(void *arg)
{
    (void)arg;
    waiter_rc = anx_feed_next(waiting_sub, &waiter_ev, 10 * ANX_NS_PER_S);
}

/* A reader waiting in anx_feed_next wakes at the publication; a wait
 * with nothing published ends with ANX_EAGAIN after its timeout. */
TEST(waiting_readers)
{
    CHECK_EQ(anx_feed_subscribe("objstore-http", "", 0, &waiting_sub), 0);
    CHECK(anx_thread_create("reader", waiter, NULL, 65536) != NULL);
    anx_yield();                                   /* the reader blocks */
    CHECK_EQ(waiter_rc, 1);
    anx_feed_publish(ANX_FEED_VERSION, "notes/w", 7, "id");
    for (int i = 0; i < 10 && waiter_rc == 1; i++)
        anx_yield();
    CHECK_EQ(waiter_rc, 0);
    CHECK(!strcmp(waiter_ev.name, "notes/w") && waiter_ev.version == 7);
    struct anx_feed_event ev;
    uint64_t t0 = anx_time_ns();
    CHECK_EQ(anx_feed_next(waiting_sub, &ev, 20 * ANX_NS_PER_MS), ANX_EAGAIN);
    CHECK(anx_time_ns() - t0 >= 20 * ANX_NS_PER_MS);
    anx_feed_unsubscribe(waiting_sub);
    char longp[300];
    memset(longp, 'a', sizeof longp - 1);
    longp[sizeof longp - 1] = 0;
    struct anx_feed_sub *s;
    CHECK_EQ(anx_feed_subscribe("objstore-http", longp, 0, &s), ANX_EINVAL);
}

int main(void)
{
    unit_threads_init(8u << 20);
    RUN(prefix_grant_and_order);
    RUN(a_prefix_selects);
    RUN(full_queue_drops_oldest_and_says_so);
    RUN(waiting_readers);
    return unit_done();
}
