#include <anx/module.h>

/* 3 MiB of zeros: in the image's loaded size, not in its files */
static volatile char big[3 << 20];

static int bigbss_init(void)
{
    big[0] = 1;
    return big[sizeof big - 1];
}
ANX_MODULE(bigbss, .init = bigbss_init);
