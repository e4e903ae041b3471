/* The module runtime: init every module of the generated table in order. */
#include <anx/lib.h>
#include <anx/log.h>
#include <anx/module.h>
#include <anx/printf.h>
#include <anx/time.h>

int anx_modules_init(void)
{
    for (size_t i = 0; i < anx_module_count; i++) {
        const struct anx_module *m = &anx_module_table[i];
        char tag[48];
        snprintf(tag, sizeof tag, "module %s", m->name);
        if (!m->ops || !m->ops->init) {
            anx_log(ANX_LOG_INFO, tag, "ok (no init)");
            continue;
        }
        uint64_t t0 = anx_time_ns();
        int rc = m->ops->init();
        uint64_t us = (anx_time_ns() - t0) / ANX_NS_PER_US;
        if (rc != 0) {
            anx_log(ANX_LOG_ERROR, tag, "init failed with error %d (%llu us)", rc,
                    (unsigned long long)us);
            return rc < 0 ? rc : -rc;
        }
        anx_log(ANX_LOG_INFO, tag, "ok (%llu us)", (unsigned long long)us);
    }
    for (size_t i = 0; i < anx_module_count; i++) {
        const struct anx_module *m = &anx_module_table[i];
        if (m->ops && m->ops->start)
            m->ops->start();
    }
    return 0;
}

int anx_module_present(const char *name)
{
    for (size_t i = 0; i < anx_module_count; i++)
        if (strcmp(anx_module_table[i].name, name) == 0)
            return 1;
    return 0;
}
