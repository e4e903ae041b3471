/* core/fw_cfg.c: the fw_cfg file directory, untrusted bytes from the host
 * (counts larger than the buffer, names without their NUL, lookups of
 * names too long for an entry). The host platform has no fw_cfg: the DMA
 * functions say so. */
#include <stdint.h>
#define UNIT_FILE "fw_cfg"
#include "unit.h"
#include <anx/errno.h>
#include <anx/fw_cfg.h>

static uint8_t dir[4 + 3 * ANX_FW_CFG_ENTRY];

static void entry(int i, uint32_t size, uint16_t sel, const char *name)
{
    uint8_t *e = dir + 4 + i * ANX_FW_CFG_ENTRY;
    memset(e, 0, ANX_FW_CFG_ENTRY);
    e[0] = (uint8_t)(size >> 24), e[1] = (uint8_t)(size >> 16), e[2] = (uint8_t)(size >> 8), e[3] = (uint8_t)size;
    e[4] = (uint8_t)(sel >> 8), e[5] = (uint8_t)sel;
    memcpy(e + 8, name, strlen(name));
}

static void setup(void)
{
    memset(dir, 0, sizeof dir);
    dir[3] = 3;
    entry(0, 6, 0x20, "etc/ramfb");
    entry(1, 17, 0x21, "opt/anunix/secret/admin-password");
    entry(2, 0, 0x22, "opt/anunix/secret/empty");
}

TEST(finds_and_lists_entries)
{
    setup();
    struct anx_fw_cfg_file f;
    uint32_t n;
    CHECK(anx_fw_cfg_dir_count(dir, sizeof dir, &n) == 0 && n == 3);
    CHECK(anx_fw_cfg_dir_find(dir, sizeof dir, "opt/anunix/secret/admin-password", &f) == 0);
    CHECK_EQ(f.select, 0x21);
    CHECK_EQ(f.size, 17);
    CHECK_STR(f.name, "opt/anunix/secret/admin-password");
    CHECK(anx_fw_cfg_dir_entry(dir, sizeof dir, 2, &f) == 0 && f.size == 0 && f.select == 0x22);
    CHECK_EQ(anx_fw_cfg_dir_entry(dir, sizeof dir, 3, &f), ANX_ERANGE);
    /* a prefix or an extension of a name is another name */
    CHECK_EQ(anx_fw_cfg_dir_find(dir, sizeof dir, "etc/ram", &f), ANX_ENOENT);
    CHECK_EQ(anx_fw_cfg_dir_find(dir, sizeof dir, "etc/ramfb2", &f), ANX_ENOENT);
}

TEST(rejects_damaged_directories)
{
    setup();
    struct anx_fw_cfg_file f;
    uint32_t n;
    CHECK_EQ(anx_fw_cfg_dir_count(dir, 3, &n), ANX_ECORRUPT);            /* no room for the count */
    CHECK_EQ(anx_fw_cfg_dir_count(dir, sizeof dir - 1, &n), ANX_ECORRUPT); /* last entry cut short */
    CHECK_EQ(anx_fw_cfg_dir_count(NULL, 0, &n), ANX_ECORRUPT);
    dir[0] = 0xff;                                                       /* a count far past the buffer */
    CHECK_EQ(anx_fw_cfg_dir_find(dir, sizeof dir, "etc/ramfb", &f), ANX_ECORRUPT);
    setup();
    memset(dir + 4 + 8, 'a', ANX_FW_CFG_NAME_MAX);                       /* a name with no NUL */
    CHECK_EQ(anx_fw_cfg_dir_entry(dir, sizeof dir, 0, &f), ANX_ECORRUPT);
    /* the other entries are still found */
    CHECK(anx_fw_cfg_dir_find(dir, sizeof dir, "opt/anunix/secret/empty", &f) == 0);
}

TEST(long_names_are_never_found)
{
    setup();
    struct anx_fw_cfg_file f;
    char name[80];
    memset(name, 'a', sizeof name - 1);
    name[sizeof name - 1] = 0;
    CHECK_EQ(anx_fw_cfg_dir_find(dir, sizeof dir, name, &f), ANX_ENOENT);
}

TEST(no_device_on_the_host)
{
    uint8_t *d;
    size_t n;
    struct anx_fw_cfg_file f;
    CHECK(!anx_fw_cfg_present());
    CHECK_EQ(anx_fw_cfg_read_dir(&d, &n), ANX_ENOTSUP);
    CHECK_EQ(anx_fw_cfg_find("etc/ramfb", &f), ANX_ENOTSUP);
}

int main(void)
{
    RUN(finds_and_lists_entries);
    RUN(rejects_damaged_directories);
    RUN(long_names_are_never_found);
    RUN(no_device_on_the_host);
    return unit_done();
}
