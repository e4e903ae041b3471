/* Must not compile: modules reach the hardware only through <anx/...>, so
 * anx gives them no -Iarch/ARCH (platform and arch sources only). */
#include <anx/module.h>

#include "fake_arch.h"

static int archpeek_init(void)
{
    fake_board_init();
    return 0;
}
ANX_MODULE(archpeek, .init = archpeek_init);
