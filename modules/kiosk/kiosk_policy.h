/*
 * The kiosk's decisions, apart from the browser so host tests can run
 * them (kiosk_policy.c): which URLs the window may show, how long to wait
 * before retrying a failed page, and the pages the kiosk shows itself.
 */
#ifndef KIOSK_POLICY_H
#define KIOSK_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The prefix a kiosk with an empty allow: list stays under: the start
 * URL's origin for http: and https: ("http://host:port/"), its folder for
 * file: and object: ("file:///kiosk/", "object:///www/"), the URL itself
 * otherwise. Written into out
 * (size bytes, always terminated); false when it does not fit. */
bool kiosk_default_prefix(const char *start, char *out, size_t size);

/* Whether url may be shown: it is the start URL, or starts with one of the
 * n prefixes ("*" allows everything). A prefix ending in a host name only
 * matches that host ("http://a.example" does not let "http://a.example.evil"
 * through): a prefix that ends inside the authority must be followed by
 * '/', ':', '?', '#' or the end of url. */
bool kiosk_allowed(const char *url, const char *start, const char *const *prefixes, size_t n);

/* The wait before retry number attempt (1, 2, ...) of a failed page: 1 s,
 * doubling, at most max_ns. */
uint64_t kiosk_backoff_ns(unsigned attempt, uint64_t max_ns);

/* The kiosk's own pages, as HTML (malloc'd; NULL when out of memory), with
 * every text escaped: the offline page (what failed, why, when the next try
 * is) and the refusal of a URL outside allow:. */
char *kiosk_offline_html(const char *url, const char *reason, uint64_t retry_in_ns, unsigned attempt);
char *kiosk_refused_html(const char *url, const char *back);

#endif
