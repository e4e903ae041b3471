/* Named read-only data: image files, then the registered providers. */
#include <anx/data.h>
#include <anx/errno.h>
#include <anx/files.h>
#include <anx/lib.h>

static struct anx_data_provider *providers, **last = &providers;

void anx_data_provider_register(struct anx_data_provider *p)
{
    p->next = 0;
    *last = p;
    last = &p->next;
}

static int from_files(const char *name, struct anx_data *out)
{
    struct anx_file f;
    if (anx_file_lookup(name, &f) < 0)
        return ANX_ENOENT;
    out->data = f.data;
    out->size = f.size;
    out->owned = false;
    out->from = "files";
    out->has_sha256 = true;
    memcpy(out->sha256, f.sha256, sizeof out->sha256);
    return 0;
}

int anx_data_get(const char *module, const char *name, struct anx_data *out)
{
    memset(out, 0, sizeof *out);
    if (name[0] == '/')
        return from_files(name, out);
    int result = ANX_ENOENT;
    for (struct anx_data_provider *p = providers; p; p = p->next) {
        int rc = p->get(module, name, out);
        if (rc == 0) {
            out->from = p->name;
            return 0;
        }
        memset(out, 0, sizeof *out);
        if (rc != ANX_ENOENT)
            result = rc;    /* remember "not ready" or an error over "absent" */
    }
    return result;
}

int anx_data_read(const char *module, const char *name, const void **data, size_t *size, bool *owned,
                  const char **from)
{
    struct anx_data d;
    int rc = anx_data_get(module, name, &d);
    if (rc != 0)
        return rc;
    *data = d.data;
    *size = d.size;
    *owned = d.owned;
    if (from)
        *from = d.from;
    return 0;
}
