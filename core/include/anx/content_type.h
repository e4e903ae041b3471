/*
 * Media types by file name, one table for everything that names content:
 * the image build's files in the object store's base layer, the router's
 * static pages, and the `anx store` host tool (which compiles
 * core/lib/content_type.c too), so a page has the same type however it got
 * into the image.
 */
#ifndef ANX_CONTENT_TYPE_H
#define ANX_CONTENT_TYPE_H

#include <stdbool.h>

/* The media type of name by its extension, compared without case:
 * "text/html", "image/png" ...; "application/octet-stream" when the
 * extension is unknown. With http, text types carry "; charset=utf-8", as
 * an HTTP Content-Type should (RFC 9110, 8.3). */
const char *anx_content_type(const char *name, bool http);

#endif
