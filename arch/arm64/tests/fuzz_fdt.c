/* libFuzzer harness for the device tree reader:
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -o fuzz_fdt fuzz_fdt.c ../fdt.c
 *   ./fuzz_fdt -max_total_time=30 corpus/     (seed corpus: DTBs dumped by QEMU)
 * The input is copied to an exactly-sized buffer so ASan sees overreads. */
#include <stdlib.h>
#include <string.h>
#include "fdt_exercise.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *copy = malloc(size ? size : 1);
    if (!copy)
        return 0;
    memcpy(copy, data, size);
    volatile unsigned long s = fdt_exercise(copy, size);
    (void)s;
    free(copy);
    return 0;
}
