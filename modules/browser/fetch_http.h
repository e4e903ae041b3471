/*
 * The browser's http: and https: fetcher (fetch_http.c): NetSurf fetches
 * over lwIP, https: through the tls module's client sessions.
 */
#ifndef BROWSER_FETCH_HTTP_H
#define BROWSER_FETCH_HTTP_H

#include "utils/errors.h" /* NetSurf's nserror */

/* Registers the fetcher for the http and https schemes with NetSurf's
 * fetch layer; called from browser_core_ready(), after netsurf_init(). */
nserror browser_http_register(void);

#endif
