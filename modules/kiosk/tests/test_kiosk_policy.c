/* Host tests of the kiosk's decisions (kiosk_policy.c): the default
 * allow prefix, prefix matching at host boundaries, '*', the backoff, and
 * the escaping of the offline and refusal pages. */
#include <stdbool.h>
#include <stdio.h>
#define UNIT_FILE "kiosk/policy"
#include "unit.h"        /* from here on the core's string and heap functions, as kiosk_policy.c's */

#include "kiosk_policy.h"

static bool prefix_is(const char *start, const char *want)
{
    char out[128];
    return kiosk_default_prefix(start, out, sizeof out) && !strcmp(out, want);
}

TEST(default_prefix)
{
    CHECK(prefix_is("http://10.0.2.2:8080/app/index.html?x=1", "http://10.0.2.2:8080/"));
    CHECK(prefix_is("https://example.org", "https://example.org/"));
    CHECK(prefix_is("http://example.org?q#f", "http://example.org/"));
    CHECK(prefix_is("file:///kiosk/index.html", "file:///kiosk/"));
    CHECK(prefix_is("file:///kiosk/a.html?x=/y", "file:///kiosk/"));
    CHECK(prefix_is("about:welcome", "about:welcome"));
    CHECK(prefix_is("object:///www/index.html", "object:///www/"));
    CHECK(prefix_is("object:///www/sub/a.html?x=/y#z", "object:///www/sub/"));
    CHECK(prefix_is("object:www/index.html", "object:www/"));
    CHECK(prefix_is("object:index.html", "object:"));
    CHECK(prefix_is("object:///index.html", "object:///"));
    char small[8];
    CHECK(!kiosk_default_prefix("http://example.org/", small, sizeof small));
}

TEST(allowed)
{
    const char *start = "http://10.0.2.2:8080/index.html";
    const char *p[] = {"http://10.0.2.2:8080/", "file:///kiosk/", "http://news.example"};
    CHECK(kiosk_allowed(start, start, NULL, 0));                   /* the start page always */
    CHECK(!kiosk_allowed("http://10.0.2.2:8080/other.html", start, NULL, 0));
    CHECK(kiosk_allowed("http://10.0.2.2:8080/other.html", start, p, 3));
    CHECK(kiosk_allowed("file:///kiosk/about.html", start, p, 3));
    CHECK(!kiosk_allowed("file:///etc/passwd", start, p, 3));
    CHECK(!kiosk_allowed("http://10.0.2.2:80800/", start, p, 1));  /* not the same port */
    /* a prefix ending at a host name matches that host only */
    CHECK(kiosk_allowed("http://news.example", start, p, 3));
    CHECK(kiosk_allowed("http://news.example/today", start, p, 3));
    CHECK(kiosk_allowed("http://news.example:8000/", start, p, 3));
    CHECK(!kiosk_allowed("http://news.example.evil/", start, p, 3));
    CHECK(!kiosk_allowed("http://news.examplex/", start, p, 3));
    const char *obj[] = {"object:///www/"};
    CHECK(kiosk_allowed("object:///www/about.html", "object:///www/index.html", obj, 1));
    CHECK(!kiosk_allowed("object:///sys/revoked-tokens", "object:///www/index.html", obj, 1));
    CHECK(!kiosk_allowed("object:///www-other/a.html", "object:///www/index.html", obj, 1));
    const char *any[] = {"*"};
    CHECK(kiosk_allowed("https://anywhere.example/", start, any, 1));
}

TEST(backoff)
{
    const unsigned long long s = 1000000000ull;
    CHECK(kiosk_backoff_ns(1, 60 * s) == 1 * s);
    CHECK(kiosk_backoff_ns(2, 60 * s) == 2 * s);
    CHECK(kiosk_backoff_ns(6, 60 * s) == 32 * s);
    CHECK(kiosk_backoff_ns(7, 60 * s) == 60 * s);
    CHECK(kiosk_backoff_ns(1000000, 60 * s) == 60 * s);           /* no overflow */
    CHECK(kiosk_backoff_ns(3, s / 2) == s / 2);                    /* never above the limit */
}

TEST(pages_escape)
{
    char *h = kiosk_offline_html("http://x/<script>", "refused & \"gone\"", 4000000001ull, 3);
    CHECK(h && strstr(h, "http://x/&lt;script&gt;"));
    CHECK(h && !strstr(h, "<script>"));
    CHECK(h && strstr(h, "refused &amp; &quot;gone&quot;"));
    CHECK(h && strstr(h, "Trying again in 5 s (attempt 3)"));     /* rounded up */
    free(h);
    h = kiosk_refused_html("http://evil.example/\"><b>", "file:///kiosk/index.html");
    CHECK(h && strstr(h, "http://evil.example/&quot;&gt;&lt;b&gt;"));
    CHECK(h && strstr(h, "<a href=\"file:///kiosk/index.html\">Back</a>"));
    free(h);
    /* a long reason survives whole */
    char big[5000];
    memset(big, 'r', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    h = kiosk_offline_html("u", big, 0, 1);
    CHECK(h && strstr(h, big));
    free(h);
}

int main(void)
{
    unit_heap_init(4u << 20);
    RUN(default_prefix);
    RUN(allowed);
    RUN(backoff);
    RUN(pages_escape);
    return unit_done();
}
