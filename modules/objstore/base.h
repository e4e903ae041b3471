/* base.h - the read-only base layer: the image's files archive seen as
 * objects (name = path without '/', version 1, id = the recorded SHA-256). */
#ifndef OBJSTORE_BASE_H
#define OBJSTORE_BASE_H

#include <anx/files.h>
#include "objstore.h"

size_t os_base_count(void);
/* Entry i as a name; -1 when its path is not a valid store name. */
int os_base_at(size_t i, struct anx_file *f, char name[201]);
int os_base_find_name(const char *name, struct anx_file *f);
int os_base_find_id(const uint8_t id[32], struct anx_file *f);
void os_base_describe(const struct anx_file *f, const char *name, struct objstore_version *v);
/* Verified copy of the file's content (anx_free). */
int os_base_read(const struct anx_file *f, void **data, size_t *len);

#endif
