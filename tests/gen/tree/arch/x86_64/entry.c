/* The fake arch's entry (arch.yaml sources): the board first, then the core. */
#include "fake_arch.h"

void kmain(void);

__attribute__((section(".text.boot"))) void _start(void)
{
    fake_board_init();
    kmain();
    for (;;)
        ;
}
