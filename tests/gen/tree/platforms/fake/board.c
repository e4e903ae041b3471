/* The fake board: the hook the arch's entry calls first. It finds the arch's
 * header by bare name only because anx passes -Iarch/x86_64 to platform
 * sources. */
#include "fake_arch.h"

volatile int fake_board_ready;

void fake_board_init(void)
{
    fake_board_ready = 1;
}
