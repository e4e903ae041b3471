/*
 * The browser's object: fetcher (fetch_object.c): pages and their
 * resources served from the object store by name (object_url.h).
 */
#ifndef BROWSER_FETCH_OBJECT_H
#define BROWSER_FETCH_OBJECT_H

#include "utils/errors.h" /* NetSurf's nserror */

/* Registers the fetcher for the object scheme with NetSurf's fetch layer;
 * called from browser_core_ready(), after netsurf_init(). */
nserror browser_object_register(void);

#endif
