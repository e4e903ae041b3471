/* Object grants: which module may read or write which object names
 * (module.h, "object grants"); the tables come from the generated modules.c. */
#include <anx/lib.h>
#include <anx/log.h>
#include <anx/module.h>

bool anx_grant_covers(const char *grant, const char *name)
{
    if (!strcmp(grant, "*"))
        return true;
    size_t n = strlen(grant);
    if (n == 0 || strncmp(grant, name, n) != 0)
        return false;
    /* "notes/" covers what follows it; "a/b" covers "a/b" and "a/b/..."
     * but not "a/bc" */
    return grant[n - 1] == '/' ? name[n] != 0 : name[n] == 0 || name[n] == '/';
}

static const struct anx_module *find(const char *module)
{
    for (size_t i = 0; module && i < anx_module_count; i++)
        if (!strcmp(anx_module_table[i].name, module))
            return &anx_module_table[i];
    return NULL;
}

bool anx_object_grant_test(const char *module, const char *name, enum anx_access how)
{
    const struct anx_module *m = find(module);
    const char *const *g = !m ? NULL : how == ANX_ACCESS_WRITE ? m->writes : m->reads;
    for (; g && *g; g++)
        if (anx_grant_covers(*g, name))
            return true;
    return false;
}

bool anx_object_granted(const char *module, const char *name, enum anx_access how)
{
    if (anx_object_grant_test(module, name, how))
        return true;
    anx_log(ANX_LOG_WARN, "grants", "module %s may not %s object '%s': not granted (module.yaml objects:, "
            "the manifest's grants:)", module ? module : "(none)", how == ANX_ACCESS_WRITE ? "write" : "read", name);
    return false;
}
