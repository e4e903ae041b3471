/* Named data (core/data.c): image paths go to the files archive, other
 * names to the providers in registration order; "not ready" from one
 * provider outranks "not found" from the others. */
#include <stdint.h>
#include <stdlib.h>
#define UNIT_FILE "data"
#include "unit.h"
#include <anx/data.h>
#include <anx/errno.h>
#include <anx/files.h>
#include <anx/lib.h>
#include <anx/mem.h>
#include <anx/platform.h>

static int ready_provider_calls;

static int empty_get(const char *module, const char *name, struct anx_data *out)
{
    CHECK_STR(module, "infer");            /* the caller's name reaches the provider */
    (void)name;
    out->size = 99;          /* a provider that says "not found" leaves nothing behind */
    return ANX_ENOENT;
}

static int opening_get(const char *module, const char *name, struct anx_data *out)
{
    CHECK_STR(module, "infer");            /* the caller's name reaches the provider */
    (void)out;
    if (strcmp(name, "damaged/x") == 0)
        return ANX_ECORRUPT;                        /* it has the name but cannot read it */
    return strcmp(name, "later/x") == 0 ? ANX_EAGAIN : ANX_ENOENT;
}

static int models_get(const char *module, const char *name, struct anx_data *out)
{
    CHECK_STR(module, "infer");            /* the caller's name reaches the provider */
    ready_provider_calls++;
    if (strcmp(name, "www/index.html") == 0) {       /* an object with its id and type */
        out->data = "<p>hi</p>";
        out->size = 9;
        out->has_sha256 = true;
        memset(out->sha256, 0xab, sizeof out->sha256);
        strlcpy(out->type, "text/html", sizeof out->type);
        return 0;
    }
    if (strcmp(name, "models/tiny") != 0)
        return ANX_ENOENT;
    char *d = anx_malloc(4);
    memcpy(d, "tiny", 4);
    out->data = d;
    out->size = 4;
    out->owned = true;
    return 0;
}

static struct anx_data_provider empty = { .name = "empty", .get = empty_get };
static struct anx_data_provider opening = { .name = "opening", .get = opening_get };
static struct anx_data_provider models = { .name = "models", .get = models_get };

TEST(image_paths_go_to_the_files_archive)
{
    const void *d;
    size_t s;
    bool owned;
    anx_files_init();
    /* the host platform links an empty archive: an image path is simply absent */
    CHECK_EQ(anx_data_read("infer", "/models/x.bin", &d, &s, &owned, NULL), ANX_ENOENT);
    CHECK_EQ(ready_provider_calls, 0);      /* providers are not asked for image paths */
}

TEST(providers_in_order)
{
    const void *d;
    size_t s;
    bool owned = false;
    const char *from = NULL;
    CHECK_EQ(anx_data_read("infer", "models/tiny", &d, &s, &owned, &from), ANX_ENOENT);   /* none yet */
    anx_data_provider_register(&empty);
    anx_data_provider_register(&opening);
    anx_data_provider_register(&models);
    CHECK_EQ(anx_data_read("infer", "models/tiny", &d, &s, &owned, &from), 0);
    CHECK_EQ(s, 4);
    CHECK(owned);
    CHECK(memcmp(d, "tiny", 4) == 0);
    CHECK(strcmp(from, "models") == 0);
    anx_free((void *)d);
    CHECK_EQ(anx_data_read("infer", "models/none", &d, &s, &owned, &from), ANX_ENOENT);
    CHECK_EQ(anx_data_read("infer", "later/x", &d, &s, &owned, &from), ANX_EAGAIN);
    /* a provider's own error reaches the caller over the others' ENOENT */
    CHECK_EQ(anx_data_read("infer", "damaged/x", &d, &s, &owned, &from), ANX_ECORRUPT);
}

/* anx_data_get also gives the content's hash and type when the provider
 * knows them (the router's static files use them for ETag and type). */
TEST(get_gives_hash_and_type)
{
    struct anx_data d;
    CHECK_EQ(anx_data_get("infer", "www/index.html", &d), 0);
    CHECK_EQ(d.size, 9);
    CHECK(!d.owned && d.has_sha256 && d.sha256[31] == 0xab);
    CHECK_STR(d.type, "text/html");
    CHECK_STR(d.from, "models");
    CHECK_EQ(anx_data_get("infer", "nothing/here", &d), ANX_ENOENT);
    CHECK(d.size == 0 && d.data == NULL);           /* cleared, not the empty provider's 99 */
}

int main(void)
{
    unit_heap_init(1u << 20);
    RUN(image_paths_go_to_the_files_archive);
    RUN(providers_in_order);
    RUN(get_gives_hash_and_type);
    return unit_done();
}
