/* A "kernel" that only calls each module's init: enough to link and size. */
#include <anx/module.h>

extern const char anx_files_start[], anx_files_end[];
extern unsigned long fake_strlen(const char *s);
volatile unsigned long anx_sink;

void kmain(void)
{
    for (size_t i = 0; i < anx_module_count; i++)
        anx_module_table[i].ops->init();
    anx_sink = (unsigned long)(anx_files_end - anx_files_start) + fake_strlen(CONFIG_IMAGE_NAME);
}
