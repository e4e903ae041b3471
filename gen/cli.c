/*
 * The command line: global options, the command table, and the build and
 * check commands (run and test live in run.c and test_runner.c).
 */
#define _GNU_SOURCE
#include "anx.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char main_usage[] =
    "usage: anx [--root DIR] COMMAND [ARGS]\n"
    "\n"
    "Anunix builds one bootable unikernel image per workload from a YAML manifest.\n"
    "\n"
    "Commands:\n"
    "  build MANIFEST      resolve, compile and link the image; write images, report.json, sbom.cdx.json\n"
    "  run MANIFEST        build if needed and boot it in QEMU on this terminal\n"
    "  test MANIFEST...    build, boot headless and run the manifest's test: checks\n"
    "  matrix [FILE]       build and boot-test manifests x platforms x boot modes in parallel (CI)\n"
    "  check MANIFEST      parse, resolve and validate only\n"
    "  modules             list the modules with their config keys\n"
    "  platforms           list the platforms with their images and boot modes\n"
    "  schema              print the manifest's JSON Schema (for editors and CI)\n"
    "  config-h MODULE...  the config.h of a host build of modules (tests, tools): defaults\n"
    "  module-tests MODULE what tests/modules.sh runs for a module (its module.yaml tests:)\n"
    "  model CMD ...       run a model on the host: generate, convert (to GGUF), info\n"
    "  store CMD ...       prepare and inspect object-store disks: create, ls, put, get, log, check\n"
    "  token CMD ...       capability tokens for an image's HTTP doors: mint, attenuate, inspect\n"
    "  export libvirt MANIFEST\n"
    "                      a libvirt domain XML that boots the image (virsh define, start)\n"
    "  sign -s KEY M...    sign an image's files (report.json's outputs, report.json) as minisign does\n"
    "  verify -p PUB M...  check their FILE.minisig signatures (also: anx run --verify PUB)\n"
    "\n"
    "Options:\n"
    "  --root DIR          the tree of modules, platforms and core (default: ANX_ROOT, else the\n"
    "                      repository above gen/anx, or PREFIX/share/anunix for PREFIX/bin/anx)\n"
    "  --help, --version\n"
    "\n"
    "'anx COMMAND --help' describes one command. Exit codes: 0 ok, 1 build or test failure,\n"
    "2 usage or manifest error. Documentation: docs/anx.md and docs/manifest.md.\n";

static const char build_usage[] =
    "usage: anx build MANIFEST [-p PLATFORM] [-o DIR] [--format KIND[,KIND]] [--json] [-j JOBS]\n"
    "Parses and resolves the manifest, generates config.h, modules.c and the files archive,\n"
    "compiles (in parallel, through the object cache), links, and writes the platform's\n"
    "images, report.json and sbom.cdx.json (CycloneDX 1.5) into DIR (default\n"
    "build/NAME-PLATFORM: in the repository, or beside the manifest for an installed anx;\n"
    "docs/anx.md, 'Where things are').\n"
    "  -p, --platform NAME  target platform (default: the manifest's platform:)\n"
    "  -o, --out DIR        output folder\n"
    "  -f, --format KINDS   the images to write, comma-separated or repeated: elf (image.elf),\n"
    "                       iso (anunix.iso), raw (anunix.raw: a GPT disk booting under BIOS and\n"
    "                       UEFI, arm64 UEFI only, for -drive format=raw or dd to a USB stick),\n"
    "                       qcow2 (anunix.qcow2); any the platform's images: list names (anx\n"
    "                       platforms). Default: its images except raw and qcow2\n"
    "  --json               print report.json on stdout instead of the step lines\n"
    "  -j, --jobs N         parallel compilations (default: the number of CPUs)\n";

static const char check_usage[] =
    "usage: anx check MANIFEST [-p PLATFORM] [--print-config]\n"
    "Parses the manifest, resolves its modules for the platform and validates every config\n"
    "value, without building. Prints the platform and the modules in init order.\n"
    "  --print-config       also print the config.h and modules.c a build would generate\n";

/* --format's kinds, comma-separated; whether the platform can make each
 * is checked by build() once the platform is known. */
static int add_formats(const char *arg, struct strlist *out)
{
    static const char *const kinds[] = {"elf", "iso", "raw", "qcow2"};
    char *copy = xstrdup(arg), *save = NULL;
    for (char *k = strtok_r(copy, ",", &save); k; k = strtok_r(NULL, ",", &save)) {
        bool known = false;
        for (size_t i = 0; i < 4; i++)
            known |= !strcmp(k, kinds[i]);
        if (!known) {
            diag_error(NULL, "--format: unknown image kind '%s' (kinds: elf, iso, raw, qcow2)%s", k,
                       suggest(k, kinds, 4));
            return -1;
        }
        if (!strlist_has(out, k))
            strlist_push(out, k);
    }
    if (!out->n) {
        diag_error(NULL, "--format expects image kinds, e.g. --format raw,qcow2 (kinds: elf, iso, raw, qcow2)");
        return -1;
    }
    return 0;
}

int cmd_build(int argc, char **argv)
{
    static const struct option opts[] = {
        {"platform", required_argument, 0, 'p'}, {"out", required_argument, 0, 'o'},
        {"json", no_argument, 0, 'J'},           {"jobs", required_argument, 0, 'j'},
        {"format", required_argument, 0, 'f'},   {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    struct build_opts o = {0};
    int c;
    optind = 0;
    while ((c = getopt_long(argc, argv, "p:o:j:f:h", opts, NULL)) != -1) {
        switch (c) {
        case 'f':
            if (add_formats(optarg, &o.formats))
                return EXIT_USAGE;
            break;
        case 'p':
            o.platform = optarg;
            break;
        case 'o':
            o.outdir = optarg;
            break;
        case 'J':
            o.json = true;
            break;
        case 'j': {
            int64_t j;
            if (parse_int(optarg, &j) || j < 1 || j > 256) {
                diag_error(NULL, "--jobs expects a number from 1 to 256, found '%s'", optarg);
                return EXIT_USAGE;
            }
            o.jobs = (int)j;
            break;
        }
        case 'h':
            fputs(build_usage, stdout);
            return EXIT_OK;
        default:
            fputs(build_usage, stderr);
            return EXIT_USAGE;
        }
    }
    if (argc - optind != 1) {
        fputs(build_usage, stderr);
        return EXIT_USAGE;
    }
    const char *path = argv[optind];
    struct build_result res = {0};
    double t = now_ms();
    struct manifest m;
    if (manifest_load(path, &m))
        return EXIT_USAGE;
    res.steps[res.nsteps++] = (struct step_time){"parse", now_ms() - t};
    if (!o.json)
        printf("  %-9s%s\n", "parse", path_display(path));
    t = now_ms();
    struct catalog cat;
    struct resolution r;
    catalog_open(&cat, anx_root());
    if (resolve(&cat, &m, o.platform, &r))
        return EXIT_USAGE;
    res.steps[res.nsteps++] = (struct step_time){"resolve", now_ms() - t};
    if (!o.json) {
        printf("  %-9s%s: %zu modules:", "resolve", r.plat->name, r.n);
        for (size_t i = 0; i < r.n; i++)
            printf(" %s", r.mods[i].mod->name);
        printf("\n");
    }
    fflush(stdout);
    int rc = build(&cat, &m, &r, &o, &res);
    if (rc)
        return rc;
    if (o.json) {
        char *data;
        size_t len;
        if (read_file(path_join(res.outdir, "report.json"), &data, &len, 1 << 26) == 0)
            fwrite(data, 1, len, stdout);
        return EXIT_OK;
    }
    uint64_t bytes = 0;
    for (size_t i = 0; i < res.noutputs; i++)
        if (!strcmp(res.outputs[i].path, res.main_image))
            bytes = res.outputs[i].bytes;
    printf("  %-9s%s\n", "sbom", path_display(path_join(res.outdir, "sbom.cdx.json")));
    printf("  %-9s%s\n", "report", path_display(path_join(res.outdir, "report.json")));
    printf("built %s (%llu bytes, %.1f KiB) in %.3f s\n", path_display(res.main_image), (unsigned long long)bytes,
           (double)bytes / 1024.0, res.total_ms / 1e3);
    return EXIT_OK;
}

int cmd_check(int argc, char **argv)
{
    static const struct option opts[] = {
        {"platform", required_argument, 0, 'p'}, {"print-config", no_argument, 0, 'C'},
        {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    const char *platform = NULL;
    bool print = false;
    int c;
    optind = 0;
    while ((c = getopt_long(argc, argv, "p:h", opts, NULL)) != -1) {
        switch (c) {
        case 'p':
            platform = optarg;
            break;
        case 'C':
            print = true;
            break;
        case 'h':
            fputs(check_usage, stdout);
            return EXIT_OK;
        default:
            fputs(check_usage, stderr);
            return EXIT_USAGE;
        }
    }
    if (argc - optind != 1) {
        fputs(check_usage, stderr);
        return EXIT_USAGE;
    }
    struct catalog cat;
    struct manifest m;
    struct resolution r;
    int rc = load_and_resolve(argv[optind], platform, &cat, &m, &r);
    if (rc)
        return rc;
    printf("%s: ok: %s:", path_display(argv[optind]), r.plat->name);
    for (size_t i = 0; i < r.n; i++)
        printf(" %s", r.mods[i].mod->name);
    printf("\n");
    if (print)
        printf("%s%s", config_h_text(&m, &r), modules_c_text(&m, &r));
    return EXIT_OK;
}

static const struct {
    const char *name;
    int (*fn)(int, char **);
} commands[] = {
    {"build", cmd_build},     {"run", cmd_run},         {"test", cmd_test},
    {"check", cmd_check},     {"modules", cmd_modules}, {"platforms", cmd_platforms},
    {"model", cmd_model},     {"store", cmd_store},     {"config-h", cmd_config_h},
    {"module-tests", cmd_module_tests}, {"matrix", cmd_matrix}, {"token", cmd_token},
    {"export", cmd_export},   {"sign", cmd_sign},       {"verify", cmd_verify},
    {"schema", cmd_schema},
};

int anx_main(int argc, char **argv)
{
    int i = 1;
    while (i < argc && argv[i][0] == '-') {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(main_usage, stdout);
            return EXIT_OK;
        }
        if (!strcmp(argv[i], "--version")) {
            printf("anx %s\n", ANX_VERSION);
            return EXIT_OK;
        }
        if (!strcmp(argv[i], "--root") && i + 1 < argc) {
            if (!is_dir(argv[i + 1])) {
                diag_error(NULL, "--root: '%s' is not a folder", argv[i + 1]);
                return EXIT_USAGE;
            }
            set_anx_root(argv[i + 1]);
            i += 2;
            continue;
        }
        if (!strncmp(argv[i], "--root=", 7)) {
            set_anx_root(argv[i] + 7);
            i++;
            continue;
        }
        diag_error(NULL, "unknown option '%s'", argv[i]);
        fputs(main_usage, stderr);
        return EXIT_USAGE;
    }
    if (i >= argc) {
        fputs(main_usage, stderr);
        return EXIT_USAGE;
    }
    const char *names[sizeof commands / sizeof commands[0]];
    size_t n = sizeof commands / sizeof commands[0];
    for (size_t k = 0; k < n; k++) {
        names[k] = commands[k].name;
        if (!strcmp(argv[i], commands[k].name))
            return commands[k].fn(argc - i, argv + i);
    }
    diag_error(NULL, "unknown command '%s'%s; see 'anx --help'", argv[i], suggest(argv[i], names, n));
    return EXIT_USAGE;
}
