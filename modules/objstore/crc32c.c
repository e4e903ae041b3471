/* crc32c.c - CRC32C (Castagnoli), bitwise-table, for superblock, journal
 * and checkpoint checksums. */
#include "format.h"

static uint32_t table[256];
static bool table_ready;

static void make_table(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? (c >> 1) ^ 0x82f63b78u : c >> 1;
        table[i] = c;
    }
    table_ready = true;
}

uint32_t os_crc32c(uint32_t crc, const void *data, size_t n)
{
    const uint8_t *p = data;
    if (!table_ready)
        make_table();
    crc = ~crc;
    while (n--)
        crc = table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
    return ~crc;
}
