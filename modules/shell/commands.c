/* The shell's built-in commands: help, modules, mem, uptime, log,
 * threads, files, cat, echo, clear, sleep, poweroff. */
#include <anx/command.h>
#include <anx/console.h>
#include <anx/errno.h>
#include <anx/files.h>
#include <anx/kernel.h>
#include <anx/lib.h>
#include <anx/log.h>
#include <anx/mem.h>
#include <anx/module.h>
#include <anx/printf.h>
#include <anx/smp.h>
#include <anx/thread.h>
#include <anx/time.h>

void shell_register_builtins(void);

static int cmd_help(int argc, char **argv)
{
    if (argc > 1) {
        const struct anx_command *c = anx_command_find(argv[1]);
        if (!c) {
            anx_printf("unknown command '%s' (try help)\n", argv[1]);
            return 1;
        }
        anx_printf("%s - %s\nusage: %s\n", c->name, c->summary ? c->summary : "",
                   c->usage ? c->usage : c->name);
        return 0;
    }
    for (const struct anx_command *c = anx_command_first(); c; c = anx_command_next(c))
        anx_printf("  %-10s %s\n", c->name, c->summary ? c->summary : "");
    return 0;
}

static int cmd_modules(int argc, char **argv)
{
    (void)argc, (void)argv;
    for (size_t i = 0; i < anx_module_count; i++) {
        struct anx_module_status st = anx_module_status(i);
        anx_printf("  %-14s %-7s %s\n", anx_module_table[i].name, anx_module_state_name(st.state),
                   anx_module_table[i].summary);
        if (st.state == ANX_MODULE_FAILED)   /* why, on its own line */
            anx_printf("  %-14s %s (error %d): %s\n", "", anx_strerror(st.error), st.error,
                       st.reason[0] ? st.reason : "(no reason logged)");
    }
    return 0;
}

static int cmd_mem(int argc, char **argv)
{
    if (argc > 1) {
        /* mem add|query|rm|ls ...: vector memory, the vecstore module's vmem
         * command, under the same scope check anx_command_run makes. */
        const struct anx_command *v = anx_command_find("vmem");
        const struct anx_term *t = anx_term_current();
        if (!v) {
            anx_printf("mem: no vector memory in this image (module vecstore); "
                       "bare mem prints memory statistics\n");
            return 1;
        }
        if (t && !anx_scopes_allow(t->scopes, v->scope ? v->scope : "console")) {
            anx_printf("mem %s: not allowed here: it needs the scope '%s'\n", argv[1],
                       v->scope ? v->scope : "console");
            return ANX_COMMAND_DENIED;
        }
        return v->fn(argc, argv);
    }
    struct anx_pmem_stats p;
    struct anx_heap_stats h;
    anx_pmem_stats(&p);
    anx_heap_stats(&h);
    anx_printf("pages: %zu total (%zu KiB), %zu free (%zu KiB), largest free run %zu, %zu region%s\n",
               p.total_pages, p.total_pages * (ANX_PAGE_SIZE / 1024), p.free_pages,
               p.free_pages * (ANX_PAGE_SIZE / 1024), p.largest_free, p.regions,
               p.regions == 1 ? "" : "s");
    anx_printf("heap: %zu bytes in use (peak %zu), %zu allocs, %zu frees, %zu failed; "
               "%zu small-block pages, %zu large-block pages\n",
               h.in_use, h.peak, h.allocs, h.frees, h.failures, h.small_pages, h.large_pages);
    return 0;
}

static int cmd_uptime(int argc, char **argv)
{
    (void)argc, (void)argv;
    uint64_t t = anx_uptime_ns();
    anx_printf("up %llu.%06llu s (ready after %llu us)\n",
               (unsigned long long)(t / ANX_NS_PER_S),
               (unsigned long long)(t % ANX_NS_PER_S / ANX_NS_PER_US),
               (unsigned long long)(anx_boot_ready_ns() / ANX_NS_PER_US));
    return 0;
}

static void log_out(const char *s, size_t n, void *ctx)
{
    (void)ctx;
    anx_console_write(s, n);
}

static int cmd_log(int argc, char **argv)
{
    (void)argc, (void)argv;
    anx_log_dump(log_out, NULL);
    return 0;
}

static int thread_line(const struct anx_thread_info *t, void *ctx)
{
    (void)ctx;
    char size[16], used[16];
    if (t->stack_size) {
        snprintf(size, sizeof size, "%zu", t->stack_size);
        snprintf(used, sizeof used, "%zu", t->stack_used);
    } else {
        snprintf(size, sizeof size, "boot");
        snprintf(used, sizeof used, "-");
    }
    anx_printf("%4u %-16s %-8s %3u%s %6s %6s %8llu\n", t->id, t->name,
               anx_thread_state_name(t->state), t->cpu, t->detached ? "d" : " ", size, used,
               (unsigned long long)t->switches);
    return 0;
}

/* The CPUs and what each did: the kernel CPU (0) runs threads, the others
 * detached threads and parallel-loop chunks (<anx/smp.h>). */
static int cmd_cpus(int argc, char **argv)
{
    (void)argc, (void)argv;
    uint64_t up = anx_time_ns();
    anx_printf("%3s %-7s %8s %8s %10s %8s %8s %5s\n", "CPU", "STATE", "SWITCHES", "DETACHED",
               "CHUNKS", "IPIS", "TICKS", "BUSY%");
    for (unsigned i = 0; i < ANX_CPUS_MAX; i++) {
        struct anx_cpu_info c;
        anx_cpu_info(i, &c);
        if (!c.online)
            continue;
        anx_printf("%3u %-7s %8llu %8llu %10llu %8llu %8llu %5llu\n", i,
                   i == 0 ? "kernel" : c.idle ? "idle" : "compute",
                   (unsigned long long)c.switches, (unsigned long long)c.detached_runs,
                   (unsigned long long)c.chunks, (unsigned long long)c.ipis,
                   (unsigned long long)c.ticks,
                   (unsigned long long)(up ? c.busy_ns * 100 / up : 0));
    }
    anx_printf("%u CPU%s online\n", anx_cpu_count(), anx_cpu_count() == 1 ? "" : "s");
    return 0;
}

static int cmd_threads(int argc, char **argv)
{
    (void)argc, (void)argv;
    anx_printf("%4s %-16s %-8s %4s %6s %6s %8s\n", "ID", "NAME", "STATE", "CPU", "STACK", "USED",
               "SWITCHES");
    anx_threads_foreach(thread_line, NULL);
    return 0;
}

static int cmd_files(int argc, char **argv)
{
    (void)argc, (void)argv;
    struct anx_file f;
    for (size_t i = 0; anx_file_at(i, &f) == 0; i++)
        anx_printf("%10zu  %.*s\n", f.size, (int)f.path_len, f.path);
    if (!anx_file_count())
        anx_printf("(no files in this image)\n");
    return 0;
}

static int cmd_cat(int argc, char **argv)
{
    int rc = 0;
    for (int i = 1; i < argc; i++) {
        const void *data;
        size_t size;
        if (anx_file_find(argv[i], &data, &size) < 0) {
            anx_printf("cat: %s: no such file\n", argv[i]);
            rc = 1;
            continue;
        }
        anx_console_write(data, size);
    }
    return rc;
}

static int cmd_echo(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        anx_printf("%s%s", argv[i], i + 1 < argc ? " " : "");
    anx_printf("\n");
    return 0;
}

/* ECMA-48 ED 2 (erase the display) and CUP (cursor home): a terminal on the
 * serial line and the framebuffer console both start over at the top. */
static int cmd_clear(int argc, char **argv)
{
    (void)argv;
    if (argc != 1) {
        anx_printf("usage: clear\n");
        return 1;
    }
    anx_printf("\033[2J\033[H");
    return 0;
}

static int cmd_sleep(int argc, char **argv)
{
    uint64_t ms;
    if (argc != 2 || anx_parse_u64(argv[1], &ms, false) < 0 || ms > 3600000) {
        anx_printf("usage: sleep MILLISECONDS\n");
        return 1;
    }
    anx_sleep_ms(ms);
    return 0;
}

static int cmd_poweroff(int argc, char **argv)
{
    int64_t status = 0;
    if (argc > 2 || (argc == 2 && (anx_parse_i64(argv[1], &status) < 0 ||
                                   status < 0 || status > 255))) {
        anx_printf("usage: poweroff [STATUS]   (STATUS 0..255)\n");
        return 1;
    }
    anx_printf("powering off (status %d)\n", (int)status);
    anx_poweroff((int)status);
}

/* Ends the shell of a terminal (an SSH session) with a status; the
 * machine's console has no one to hand back to. */
static int cmd_exit(int argc, char **argv)
{
    int64_t status = 0;
    struct anx_term *t = anx_term_current();
    if (argc > 2 || (argc == 2 && (anx_parse_i64(argv[1], &status) < 0 || status < 0 || status > 255))) {
        anx_printf("usage: exit [STATUS]   (STATUS 0..255)\n");
        return 1;
    }
    if (!t) {
        anx_printf("exit: this is the machine's console, which has no session to end "
                   "(poweroff stops the image)\n");
        return 1;
    }
    t->exit_requested = true;
    t->exit_status = (int)status;
    return 0;
}

static struct anx_command builtins[] = {
    { .name = "help", .summary = "List commands, or show one's usage", .usage = "help [COMMAND]", .fn = cmd_help },
    { .name = "modules", .summary = "Modules in this image, in init order, with their state", .usage = "modules", .fn = cmd_modules },
    { .name = "mem", .summary = "Physical memory and heap statistics; mem add|query|ls: vmem",
      .usage = "mem [add|query|rm|ls ...]", .fn = cmd_mem },
    { .name = "uptime", .summary = "Time since boot", .usage = "uptime", .fn = cmd_uptime },
    { .name = "log", .summary = "Recent log lines", .usage = "log", .fn = cmd_log },
    { .name = "threads", .summary = "Threads, their state and CPU (d: detached)", .usage = "threads",
      .fn = cmd_threads },
    { .name = "cpus", .summary = "CPUs and the work each did", .usage = "cpus", .fn = cmd_cpus },
    { .name = "files", .summary = "Files built into the image", .usage = "files", .fn = cmd_files },
    { .name = "cat", .summary = "Print files built into the image", .usage = "cat PATH...", .fn = cmd_cat },
    { .name = "echo", .summary = "Print the arguments", .usage = "echo [ARG...]", .fn = cmd_echo },
    { .name = "clear", .summary = "Clear the screen (the terminal's or the framebuffer console's)", .usage = "clear", .fn = cmd_clear },
    { .name = "sleep", .summary = "Wait (exercises the timer)", .usage = "sleep MILLISECONDS", .fn = cmd_sleep },
    { .name = "exit", .summary = "End this session (SSH), with an exit status", .usage = "exit [STATUS]", .fn = cmd_exit },
    { .name = "poweroff", .summary = "Power off with an exit status", .usage = "poweroff [STATUS]", .fn = cmd_poweroff,
      .scope = "admin" },
};

void shell_register_builtins(void)
{
    for (size_t i = 0; i < ANX_ARRAY_SIZE(builtins); i++)
        anx_command_register(&builtins[i]);
}
