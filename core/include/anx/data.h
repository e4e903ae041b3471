/*
 * Named read-only data, for modules that consume bytes by name (infer
 * loading a model) without depending on the module that stores them.
 *
 * A name starting with '/' is a file built into the image (the manifest's
 * files:). Any other name goes to the providers storage modules register:
 * the object store answers object names such as "models/tiny" with the
 * current version's content. Providers are asked in registration order.
 */
#ifndef ANX_DATA_H
#define ANX_DATA_H

#include <stdbool.h>
#include <stddef.h>

#define ANX_DATA_NOT_FOUND (-1)     /* no provider has the name */
#define ANX_DATA_NOT_READY (-2)     /* a provider may have it but is not open yet */

struct anx_data_provider {
    const char *name;               /* "objstore", for messages */
    /* 0 with *data (freed by the caller with anx_free) and *size, or
     * ANX_DATA_NOT_FOUND / ANX_DATA_NOT_READY / another negative error. */
    int (*read)(const char *name, void **data, size_t *size);
    struct anx_data_provider *next; /* private */
};

void anx_data_provider_register(struct anx_data_provider *p);

/* Read a named piece of data. On success *data is valid for the life of the
 * image when *owned is false (image files), else the caller owns it (free
 * with anx_free). *from (optional) names where it came from ("files",
 * "objstore"). Returns 0 or one of the errors above. */
int anx_data_read(const char *name, const void **data, size_t *size, bool *owned, const char **from);

#endif
