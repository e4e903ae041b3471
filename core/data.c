/* Named read-only data: image files, then the registered providers. */
#include <anx/data.h>
#include <anx/files.h>

static struct anx_data_provider *providers, **last = &providers;

void anx_data_provider_register(struct anx_data_provider *p)
{
    p->next = 0;
    *last = p;
    last = &p->next;
}

int anx_data_read(const char *name, const void **data, size_t *size, bool *owned, const char **from)
{
    if (name[0] == '/') {
        if (anx_file_find(name, data, size) < 0)
            return ANX_DATA_NOT_FOUND;
        *owned = false;
        if (from)
            *from = "files";
        return 0;
    }
    int result = ANX_DATA_NOT_FOUND;
    for (struct anx_data_provider *p = providers; p; p = p->next) {
        void *d;
        int rc = p->read(name, &d, size);
        if (rc == 0) {
            *data = d;
            *owned = true;
            if (from)
                *from = p->name;
            return 0;
        }
        if (rc != ANX_DATA_NOT_FOUND)
            result = rc;    /* remember "not ready" or an error over "absent" */
    }
    return result;
}
