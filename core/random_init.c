/*
 * The generator at boot (anx_random_init, from kmain) and the shell's
 * `random [N]`. Apart from core/random.c so that host programs, which use
 * the generator but have no boot and no module table, do not link these.
 */
#define LOG_TAG "random"
#include <anx/chacha20.h>
#include <anx/command.h>
#include <anx/lib.h>
#include <anx/log.h>
#include <anx/module.h>
#include <anx/platform.h>
#include <anx/printf.h>
#include <anx/random.h>

#define CMD_MAX 4096

static const char no_source[] = "no hardware random source: keys cannot be made "
                                "(add virtio-rng to modules:, or boot a CPU with RDRAND/RNDR: -cpu max)";

static int cmd_random(int argc, char **argv)
{
    unsigned long n = 32;
    if (argc > 2) {
        anx_printf("usage: random [N]\n");
        return 1;
    }
    if (argc == 2) {
        char *end;
        n = strtoul(argv[1], &end, 10);
        if (*end || !argv[1][0] || argv[1][0] == '-' || n < 1 || n > CMD_MAX) {
            anx_printf("random: '%s' is not a byte count from 1 to %d\n", argv[1], CMD_MAX);
            return 1;
        }
    }
    if (!anx_random_ready()) {
        anx_printf("random: %s\n", no_source);
        return 1;
    }
    uint8_t chunk[64];
    for (unsigned long done = 0; done < n; done += sizeof chunk) {
        size_t k = ANX_MIN(sizeof chunk, n - done);
        anx_random(chunk, k);
        for (size_t i = 0; i < k; i++)
            anx_printf("%02x", chunk[i]);
    }
    anx_printf("\n");
    anx_chacha20_wipe(chunk, sizeof chunk);
    return 0;
}

static struct anx_command random_cmd = {
    .name = "random", .summary = "Print N random bytes (default 32) as hex, from the key generator",
    .usage = "random [N]", .fn = cmd_random,
};

/* The first reseed (the CPU's instruction and jitter), then one line that
 * names the sources, or says why keys cannot be made. A virtio-rng device
 * probes later, with the modules: its first bytes print "random: seeded
 * from virtio-rng, jitter" (core/random.c) when the CPU gave none. */
void anx_random_init(void)
{
    static bool done;
    if (done)
        return;
    done = true;
    anx_command_register(&random_cmd);
    (void)anx_random_u32();             /* the first request seeds */
    const char *cpu = plat_random_hw_name();
    if (anx_random_ready())
        log_info("seeded from %s, jitter", cpu);
    else if (anx_module_present("virtio-rng"))
        log_info("%s: keys wait for virtio-rng", cpu ? "the CPU's instruction failed" : "no CPU source");
    else if (cpu)
        log_warn("%s keeps failing: keys cannot be made (add virtio-rng)", cpu);
    else
        log_warn("no hardware source: keys cannot be made (add virtio-rng or use -cpu max)");
}
