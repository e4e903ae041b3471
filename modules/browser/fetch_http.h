/*
 * The browser's http: fetcher (fetch_http.c): NetSurf fetches over lwIP.
 */
#ifndef BROWSER_FETCH_HTTP_H
#define BROWSER_FETCH_HTTP_H

#include "utils/errors.h" /* NetSurf's nserror */

/* Registers the fetcher for the http scheme with NetSurf's fetch layer;
 * called from browser_core_ready(), after netsurf_init(). https has no
 * fetcher yet, so NetSurf shows its own "cannot fetch" page for it. */
nserror browser_http_register(void);

#endif
