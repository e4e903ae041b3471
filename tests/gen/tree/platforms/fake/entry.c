void kmain(void);

__attribute__((section(".text.boot"))) void _start(void)
{
    kmain();
    for (;;)
        ;
}
