/* Named data (core/data.c): image paths go to the files archive, other
 * names to the providers in registration order; "not ready" from one
 * provider outranks "not found" from the others. */
#include <stdint.h>
#include <stdlib.h>
#define UNIT_FILE "data"
#include "unit.h"
#include <anx/data.h>
#include <anx/files.h>
#include <anx/lib.h>
#include <anx/mem.h>
#include <anx/platform.h>

static int ready_provider_calls;

static int empty_read(const char *name, void **data, size_t *size)
{
    (void)name, (void)data, (void)size;
    return ANX_DATA_NOT_FOUND;
}

static int opening_read(const char *name, void **data, size_t *size)
{
    (void)data, (void)size;
    return strcmp(name, "later/x") == 0 ? ANX_DATA_NOT_READY : ANX_DATA_NOT_FOUND;
}

static int models_read(const char *name, void **data, size_t *size)
{
    ready_provider_calls++;
    if (strcmp(name, "models/tiny") != 0)
        return ANX_DATA_NOT_FOUND;
    char *d = anx_malloc(4);
    memcpy(d, "tiny", 4);
    *data = d;
    *size = 4;
    return 0;
}

static struct anx_data_provider empty = { .name = "empty", .read = empty_read };
static struct anx_data_provider opening = { .name = "opening", .read = opening_read };
static struct anx_data_provider models = { .name = "models", .read = models_read };

TEST(image_paths_go_to_the_files_archive)
{
    const void *d;
    size_t s;
    bool owned;
    anx_files_init();
    /* the host platform links an empty archive: an image path is simply absent */
    CHECK_EQ(anx_data_read("/models/x.bin", &d, &s, &owned, NULL), ANX_DATA_NOT_FOUND);
    CHECK_EQ(ready_provider_calls, 0);      /* providers are not asked for image paths */
}

TEST(providers_in_order)
{
    const void *d;
    size_t s;
    bool owned = false;
    const char *from = NULL;
    CHECK_EQ(anx_data_read("models/tiny", &d, &s, &owned, &from), ANX_DATA_NOT_FOUND);   /* none yet */
    anx_data_provider_register(&empty);
    anx_data_provider_register(&opening);
    anx_data_provider_register(&models);
    CHECK_EQ(anx_data_read("models/tiny", &d, &s, &owned, &from), 0);
    CHECK_EQ(s, 4);
    CHECK(owned);
    CHECK(memcmp(d, "tiny", 4) == 0);
    CHECK(strcmp(from, "models") == 0);
    anx_free((void *)d);
    CHECK_EQ(anx_data_read("models/none", &d, &s, &owned, &from), ANX_DATA_NOT_FOUND);
    CHECK_EQ(anx_data_read("later/x", &d, &s, &owned, &from), ANX_DATA_NOT_READY);
}

int main(void)
{
    struct plat_mem_region r = { (uintptr_t)aligned_alloc_host(4096, 1u << 20), 1u << 20 };
    anx_pmem_init(&r, 1);
    anx_heap_init();
    RUN(image_paths_go_to_the_files_archive);
    RUN(providers_in_order);
    return unit_done();
}
