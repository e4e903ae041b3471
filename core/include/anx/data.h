/*
 * Named read-only data, for modules that consume bytes by name (infer
 * loading a model) without depending on the module that stores them.
 *
 * A name starting with '/' is a file built into the image (the manifest's
 * files:). Any other name goes to the providers storage modules register:
 * the object store answers object names such as "models/tiny" with the
 * current version's content. Providers are asked in registration order.
 *
 * Errors are <anx/errno.h> codes: ANX_ENOENT (no provider has the name),
 * ANX_EAGAIN (a provider may have it but is not open yet: ask again after
 * the boot), or the error of a provider that has the name but cannot read
 * it (ANX_EIO, ANX_ECORRUPT, ANX_ENOMEM ...; it logs why).
 */
#ifndef ANX_DATA_H
#define ANX_DATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One piece of named data, as anx_data_get returns it. */
struct anx_data {
    const void *data;
    size_t size;
    bool owned;                     /* the caller frees data with anx_free; else
                                       it lives as long as the image (image files) */
    const char *from;               /* "files", "objstore" */
    bool has_sha256;
    uint8_t sha256[32];             /* of the content (an object's id), when has_sha256 */
    char type[64];                  /* the content type its writer gave, or "" */
};

struct anx_data_provider {
    const char *name;               /* "objstore", for messages */
    /* Fill *out (data, size, owned; sha256 and type when known; from is
     * set by the core) and return 0, or return ANX_ENOENT, ANX_EAGAIN or
     * the error that kept it from reading a name it has. */
    int (*get)(const char *module, const char *name, struct anx_data *out);
    struct anx_data_provider *next; /* private */
};

void anx_data_provider_register(struct anx_data_provider *p);

/* Get a named piece of data into *out for module (the caller's own name:
 * providers check it against the image's object grants, <anx/module.h>,
 * and answer ANX_EPERM, logged, to a module not granted the name). Returns 0
 * or one of the errors above: a provider's error or ANX_EAGAIN outranks
 * ANX_ENOENT from the others. An image path ('/...') comes from the files
 * archive (with its sha256), which every module may read; other names
 * from the first provider that has them. */
int anx_data_get(const char *module, const char *name, struct anx_data *out);

/* The same, for callers that want only the bytes. On success *data is valid
 * for the life of the image when *owned is false (image files), else the
 * caller owns it (free with anx_free). *from (optional) names where it came
 * from ("files", "objstore"). */
int anx_data_read(const char *module, const char *name, const void **data, size_t *size, bool *owned,
                  const char **from);

#endif
