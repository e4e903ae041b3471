/* base.c - the base layer over the image's files archive. */
#include <anx/content_type.h>
#include <anx/files.h>
#include <anx/lib.h>
#include <anx/mem.h>
#include <anx/sha256.h>
#include "base.h"
#include "format.h"

size_t os_base_count(void)
{
    return anx_file_count();
}

int os_base_at(size_t i, struct anx_file *f, char name[201])
{
    if (anx_file_at(i, f) || f->path_len < 2 || f->path_len - 1 > OS_NAME_MAX || f->path[0] != '/')
        return -1;
    memcpy(name, f->path + 1, f->path_len - 1);
    name[f->path_len - 1] = 0;
    return os_name_valid(name) ? 0 : -1;
}

int os_base_find_name(const char *name, struct anx_file *f)
{
    char n[201];
    for (size_t i = 0; i < os_base_count(); i++)
        if (!os_base_at(i, f, n) && !strcmp(n, name))
            return 0;
    return -1;
}

int os_base_find_id(const uint8_t id[32], struct anx_file *f)
{
    char n[201];
    for (size_t i = 0; i < os_base_count(); i++)
        if (!os_base_at(i, f, n) && !memcmp(f->sha256, id, 32))
            return 0;
    return -1;
}

void os_base_describe(const struct anx_file *f, const char *name, struct objstore_version *v)
{
    memset(v, 0, sizeof(*v));
    strlcpy(v->name, name, sizeof(v->name));
    v->no = 1;
    anx_sha256_hex(f->sha256, v->id);
    v->size = f->size;
    strlcpy(v->writer, "image", sizeof(v->writer));
    strlcpy(v->manifest, CONFIG_MANIFEST_SHA256, sizeof(v->manifest));
    v->nmeta = 1;
    strlcpy(v->key[0], "type", sizeof(v->key[0]));
    strlcpy(v->value[0], anx_content_type(name, false), sizeof(v->value[0]));
    v->base = true;
}

int os_base_read(const struct anx_file *f, void **data, size_t *len)
{
    if (anx_file_verify(f))
        return ANX_ECORRUPT;
    void *p = anx_malloc(f->size ? f->size : 1);
    if (!p)
        return ANX_ENOMEM;
    memcpy(p, f->data, f->size);
    *data = p;
    *len = f->size;
    return 0;
}
