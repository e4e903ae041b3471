/* Host tests of object: URLs (object_url.c): the object name a URL's path
 * names (the store's name rule, folders to index.html) and the content type
 * it is served with. */
#include <stdbool.h>
#include <stdio.h>
#define UNIT_FILE "browser/object_url"
#include "unit.h"        /* from here on the core's string functions, as object_url.c's */

#include <anx/errno.h>

#include "object_url.h"

static bool name_is(const char *path, const char *want)
{
    char out[256];
    const char *why = "unset";
    return browser_object_name(path, out, sizeof out, &why) == 0 && !strcmp(out, want) && !why;
}

static int name_rc(const char *path)
{
    char out[256];
    const char *why = NULL;
    int rc = browser_object_name(path, out, sizeof out, &why);
    return rc && why ? rc : rc ? 1 : 0;    /* an error always says why */
}

TEST(names)
{
    CHECK(name_is("/www/index.html", "www/index.html"));
    CHECK(name_is("www/index.html", "www/index.html"));
    CHECK(name_is("///www/a-b_c.1.css", "www/a-b_c.1.css"));
    CHECK(name_is("/www/", "www/index.html"));
    CHECK(name_is("/", "index.html"));
    CHECK(name_is("", "index.html"));
    CHECK(name_is(NULL, "index.html"));
    CHECK(name_is("/a/b/c/d", "a/b/c/d"));
    CHECK(name_is("/x..y/.z", "x..y/.z"));      /* dots inside a segment are letters */
}

TEST(bad_names)
{
    CHECK(name_rc("/www//index.html") == ANX_EINVAL);
    CHECK(name_rc("/www/../sys/revoked-tokens") == ANX_EINVAL);
    CHECK(name_rc("/www/./a") == ANX_EINVAL);
    CHECK(name_rc("/..") == ANX_EINVAL);
    CHECK(name_rc("/www/a%20b.html") == ANX_EINVAL);
    CHECK(name_rc("/www/a b") == ANX_EINVAL);
    CHECK(name_rc("/www/a\\b") == ANX_EINVAL);
    CHECK(name_rc("/www/\xc3\xa9.html") == ANX_EINVAL);
    char long_path[260];
    memset(long_path, 'a', 201);
    long_path[201] = 0;
    CHECK(name_rc(long_path) == ANX_ERANGE);
    long_path[200] = 0;
    CHECK(name_rc(long_path) == 0);                 /* 200 bytes: the longest name */
    memset(long_path, 'a', 195);
    strcpy(long_path + 195, "/");                   /* + index.html: 206 bytes */
    CHECK(name_rc(long_path) == ANX_ERANGE);
    char small[8];
    CHECK(browser_object_name("/www/index.html", small, sizeof small, NULL) == ANX_ERANGE);
    CHECK(browser_object_name("/abcdefg", small, sizeof small, NULL) == 0);
    CHECK(!strcmp(small, "abcdefg"));
}

TEST(types)
{
    CHECK(!strcmp(browser_object_type("www/index.html", "text/plain"), "text/html"));
    CHECK(!strcmp(browser_object_type("www/INDEX.HTM", NULL), "text/html"));
    CHECK(!strcmp(browser_object_type("www/style.css", ""), "text/css"));
    CHECK(!strcmp(browser_object_type("www/logo.png", "application/x-www-form-urlencoded"),
                  "image/png"));
    /* no known extension: the writer's type, else bytes */
    CHECK(!strcmp(browser_object_type("www/board", "text/html"), "text/html"));
    CHECK(!strcmp(browser_object_type("www/board", ""), "application/octet-stream"));
    CHECK(!strcmp(browser_object_type("www/board", NULL), "application/octet-stream"));
}

int main(void)
{
    RUN(names);
    RUN(bad_names);
    RUN(types);
    return unit_done();
}
