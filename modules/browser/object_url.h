/*
 * object: URLs (fetch_object.c): which object of the object store a URL
 * names and what content type it is served with. Apart from NetSurf so
 * host tests can run them (tests/test_object_url.c).
 *
 * The form is object:///NAME, like file:///PATH: a path from the root, so
 * NetSurf resolves relative links inside such a page (style.css, ../a/b,
 * /other.html) to other objects as it does for file: and http: pages.
 * object:NAME (no slashes) names the same object.
 */
#ifndef BROWSER_OBJECT_URL_H
#define BROWSER_OBJECT_URL_H

#include <stddef.h>

/* The object name of an object: URL's path ("/www/index.html" or
 * "www/index.html" -> "www/index.html"; a path ending in '/', or empty,
 * names that folder's index.html, as the router's static pages do). The
 * name follows the object store's rule (docs/objstore.md, "Names"):
 * segments of [A-Za-z0-9._-] joined by '/', no empty, "." or ".." segment,
 * at most 200 bytes. Written into out (size bytes); 0, or ANX_EINVAL when
 * the path names no object (its reason in *why), ANX_ERANGE. */
int browser_object_name(const char *path, char *out, size_t size, const char **why);

/* The content type an object is served with: by its name's extension
 * (<anx/content_type.h>, the table the router's static pages use); for an
 * unknown extension the type its writer gave (stored, may be "" or NULL),
 * else application/octet-stream. */
const char *browser_object_type(const char *name, const char *stored);

#endif
