#include <anx/module.h>

/* reads one key (tests/gen/run.sh: a change of 'must' recompiles this file,
 * of 'count' nothing) */
static int cfg_init(void)
{
    return CONFIG_CFG_MUST > 0 ? 0 : -1;
}
ANX_MODULE(cfg, .init = cfg_init);
