/*
 * Test-only module: `libctest` runs the libc module's functions in the
 * image, each printing one line a boot test checks (tests/boot/libc.yaml):
 * a constructor ran before module init (.init_array), a bundled file read
 * with fopen/fgets, a folder listed, float formatting and parsing,
 * sscanf, strftime, setjmp/longjmp. Ends with "libctest: ok" or
 * "libctest: FAILED (N)". `libctest exit N` and `libctest abort` end the
 * image through exit() and abort().
 * It includes the libc module's standard headers only (with <anx/...>
 * for the command and module tables), as ported code does.
 */
#include <anx/command.h>
#include <anx/module.h>
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static int ctor_runs, ctor_runs_at_init;

/* Runs from .init_array, before any module's init (core/kmain.c). */
__attribute__((constructor)) static void libc_test_ctor(void)
{
    ctor_runs++;
}

static jmp_buf jump;
static int failures;

static void check(int ok, const char *what)
{
    if (!ok) {
        failures++;
        printf("libctest: FAIL %s\n", what);
    }
}

__attribute__((noinline)) static void jump_from_depth(int n)
{
    char pad[128];                     /* frames with something in them */
    memset(pad, n, sizeof pad);
    if (n == 0)
        longjmp(jump, 42);
    void (*volatile next)(int) = jump_from_depth;
    next(n - 1);
    check(pad[100] == n, "never reached: longjmp skips this");
}

static void at_exit(void)
{
    printf("libctest: atexit handler ran\n");
}

static int cmd_libctest(int argc, char **argv)
{
    /* `libctest exit N`: exit() runs the atexit handlers and powers off
     * with N; `libctest abort`: abort() panics (exit status 3) */
    if (argc == 3 && !strcmp(argv[1], "exit")) {
        atexit(at_exit);
        exit(atoi(argv[2]));
    }
    if (argc == 2 && !strcmp(argv[1], "abort"))
        abort();
    if (argc != 1) {
        printf("usage: libctest [exit STATUS | abort]\n");
        return 1;
    }
    failures = 0;
    printf("libctest: constructor ran %d time(s), %d before module init\n", ctor_runs, ctor_runs_at_init);
    check(ctor_runs == 1 && ctor_runs_at_init == 1, "constructor");

    FILE *f = fopen("/share/libc-test/sample.txt", "r");
    char line[80] = "";
    check(f && fgets(line, sizeof line, f), "fopen/fgets");
    line[strcspn(line, "\n")] = 0;
    printf("libctest: fgets \"%s\"\n", line);
    if (f) {
        struct stat st;
        check(fstat(fileno(f), &st) == 0 && st.st_size == 37, "fstat");
        fclose(f);
    }
    errno = 0;
    check(!fopen("/share/libc-test/sample.txt", "w") && errno == EROFS, "fopen w: EROFS");
    printf("libctest: fopen for writing: %s\n", strerror(errno));

    DIR *d = opendir("/share/libc-test");
    char names[128] = "";
    struct dirent *e;
    while (d && (e = readdir(d))) {
        strcat(names, e->d_name);
        strcat(names, e->d_type == DT_DIR ? "/ " : " ");
    }
    if (d)
        closedir(d);
    printf("libctest: readdir %s\n", names);
    check(!strcmp(names, "more/ sample.txt "), "readdir");

    char buf[64];
    snprintf(buf, sizeof buf, "%.3f %.17g %e", 3.14159, 0.1, 6.02214076e23);
    printf("libctest: snprintf %s\n", buf);
    check(!strcmp(buf, "3.142 0.10000000000000001 6.022141e+23"), "snprintf");

    char *end;
    double v = strtod("2.5e-3px", &end);
    printf("libctest: strtod %g rest \"%s\"\n", v, end);
    check(v == 0.0025 && !strcmp(end, "px"), "strtod");

    int a = 0, b = 0;
    char word[16] = "";
    int n = sscanf("rgb(12, 34) name", "rgb(%d ,%d) %15s", &a, &b, word);
    printf("libctest: sscanf %d %d %d %s\n", n, a, b, word);
    check(n == 3 && a == 12 && b == 34 && !strcmp(word, "name"), "sscanf");

    time_t t = 1700000000;
    struct tm tm;
    strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S %a %j", gmtime_r(&t, &tm));
    printf("libctest: strftime %s\n", buf);
    check(!strcmp(buf, "2023-11-14 22:13:20 Tue 318"), "strftime");
    struct timespec ts;
    check(clock_gettime(CLOCK_MONOTONIC, &ts) == 0, "clock_gettime");

    volatile int jumps = 0;
    int r = setjmp(jump);
    if (r == 0) {
        jumps++;
        jump_from_depth(10);
    }
    printf("libctest: longjmp returned %d after %d setjmp\n", r, jumps);
    check(r == 42 && jumps == 1, "setjmp/longjmp");

    if (failures)
        printf("libctest: FAILED (%d)\n", failures);
    else
        printf("libctest: ok\n");
    return failures ? 1 : 0;
}

static struct anx_command libctest_cmd = {
    .name = "libctest",
    .summary = "Exercise the libc module (test only)",
    .usage = "libctest [exit STATUS | abort]",
    .fn = cmd_libctest,
};

static int libc_test_init(void)
{
    ctor_runs_at_init = ctor_runs;
    return anx_command_register(&libctest_cmd);
}

ANX_MODULE(libc_test, .init = libc_test_init);
