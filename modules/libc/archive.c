/*
 * The files archive as stdio and dirent see it: the image's
 * (<anx/files.h>). A separate file so that host tests can link these
 * three functions over an archive of their own instead.
 */
#include <anx/files.h>

#include "stdio_impl.h"

int libc_file_lookup(const char *path, struct anx_file *out) { return anx_file_lookup(path, out); }
size_t libc_file_count(void) { return anx_file_count(); }
int libc_file_at(size_t i, struct anx_file *out) { return anx_file_at(i, out); }
