# Anunix: the two commands a newcomer runs are `make demo` and `make test`.
# Both start with `make setup`, which installs missing Debian packages.

.PHONY: all setup anx demo test unit gen-test boot-test fuzz bench clean help model fresh-check soak soak-smp

all: anx

help:
	@echo "make demo    install what is missing, build the default image and boot it"
	@echo "make test    install what is missing and run every test suite"
	@echo "make         build the generator gen/anx"
	@echo "make bench   run the benchmarks in tests/bench"
	@echo "make css-reftests   the CSS 2.1 reftests and Acid1 on the browser image (needs ../shared/testdata)"
	@echo "make boot-test-long   the boot runs make test leaves out (tests/boot/matrix-long.yaml, ~7 min)"
	@echo "make crash-test   kill the store appliance 200 times per platform, check every acknowledged write (~25 min)"
	@echo "make soak [SOAK_MINUTES=10]   web, store, inference and SSH images under mixed load: no errors, memory flat"
	@echo "make soak-smp [SOAK_MINUTES=10]   the SMP stress (4 CPUs, lock-order checks) on x86_64-pc and arm64-virt"
	@echo "make fuzz [FUZZ_SECONDS=60]   every module's fuzz targets (and the core's archive parser) for longer than make test does"
	@echo "make clean   remove build/ and the generator's objects"
	@echo "make install [PREFIX=/usr/local]   install anx to use from any folder (README); make uninstall"
	@echo "make fresh-check   run the README's commands in a fresh Debian 12 root (~20-30 min; scripts/fresh-check.sh --help)"

setup:
	@scripts/setup.sh

anx:
	@$(MAKE) --no-print-directory -C gen

demo: setup anx
	@scripts/demo.sh

test: setup anx
	@tests/run.sh

unit: anx
	@tests/run.sh tests/unit/run.sh

gen-test: anx
	@tests/run.sh tests/gen/run.sh

boot-test: anx
	@tests/run.sh tests/boot/run.sh

# make test boots tests/boot/matrix.yaml; this the rest of the matrix (matrix-long.yaml: about
# 18 runs, 7 minutes, of scenarios make test runs on one platform, on the others)
.PHONY: boot-test-long
boot-test-long: anx
	@tests/boot/run.sh --long

# The CSS 2.1 reftests of ../shared/testdata and Acid1 on the browser image (docs/browser.md,
# "Conformance"): about 12 minutes under TCG; make test runs the tests/css/sample.txt share
.PHONY: css-reftests
css-reftests: anx
	@tests/css/run.sh --all --acid1

# make test kills the store appliance 20 times on each platform; this 200 (about 25 minutes)
.PHONY: crash-test
crash-test: anx
	@tests/boot/store-crash.sh x86_64-pc 200 && tests/boot/store-crash.sh x86_64-microvm 200

# make test runs a 1-minute soak (tests/soak/run.sh); this one runs SOAK_MINUTES (about 1.5
# minutes more for the boots and the report)
SOAK_MINUTES ?= 10
soak: setup anx
	@tests/soak/run.sh $(SOAK_MINUTES)

# the SMP stress of tests/boot/smp.yaml for SOAK_MINUTES (10) on x86_64-pc and arm64-virt
soak-smp: setup anx
	@tests/soak/smp.sh $(or $(SOAK_MINUTES),10)

# make test fuzzes each parser briefly; this runs the same targets for FUZZ_SECONDS each
# (ANX_FUZZ_SECONDS tells a module test that fuzzes in a script of its own, such as
# tls's tests/host.sh, to run that long too)
FUZZ_SECONDS ?= 60
fuzz: setup anx
	@tests/unit/run.sh --fuzz $(FUZZ_SECONDS)
	@set -e; for m in $$(ls modules); do ANX_FUZZ_SECONDS=$(FUZZ_SECONDS) tests/modules.sh $$m --fuzz $(FUZZ_SECONDS); done

bench: anx
	@scripts/setup.sh --bench
	@tests/bench/run.sh

# the bundled model: examples/model/{model.bin,tokenizer.bin}, bit for bit from the seed (docs/training.md)
model: setup
	@$(MAKE) --no-print-directory -C tools/train
	build/host/anx-train --out examples/model --seed 1 --vocab 1024 --dim 128 --hidden 384 --layers 4 --heads 4 --kv-heads 4 --seq-len 128 --batch 16 --steps 1000 --warmup 100 --lr 2e-3 --min-lr 2e-4 --wd 0.1 --clip 1 --shards 2 --threads 2

clean:
	rm -rf build
	@$(MAKE) --no-print-directory -C gen clean

# the README's fresh-machine commands, verbatim, in a new minimal Debian 12 root (README, Contributing)
fresh-check:
	@scripts/fresh-check.sh

# make install [PREFIX=/usr/local] [DESTDIR=]: the generator as PREFIX/bin/anx and, under
# PREFIX/share/anunix, all a build reads (core, arch, platforms, modules without their tests),
# the sources `anx model` and `anx store` build from on first use, the setup scripts, docs,
# manifests and examples. installed.txt marks the tree as installed: anx then builds beside
# each manifest and keeps its objects and host tools in ~/.cache/anunix, never writing under
# PREFIX (docs/anx.md, "Where things are"). Nothing absolute is compiled in: PREFIX/bin/anx
# finds ../share/anunix, so DESTDIR staging and a moved prefix work.
# make uninstall [PREFIX=...] removes both (the user's ~/.cache/anunix stays).
PREFIX ?= /usr/local
INSTALL_SHARE = $(DESTDIR)$(PREFIX)/share/anunix
INSTALL_FROM = core arch platforms modules host tools/model tools/store docs manifests examples \
               README.md LICENSE scripts/setup.sh scripts/third_party.sh scripts/third_party \
               scripts/packages.txt scripts/packages-bench.txt

.PHONY: install uninstall
install: anx
	@test -n "$(PREFIX)" || { echo "make install: PREFIX is empty (default /usr/local)" >&2; exit 2; }
	@# A reinstall starts from an empty tree, so a module removed since is not left behind.
	rm -rf "$(INSTALL_SHARE)"
	install -D -m 755 gen/anx "$(DESTDIR)$(PREFIX)/bin/anx"
	@find $(INSTALL_FROM) \( -name tests -o -name '.*' -o -name __pycache__ \) -prune -o \
	    -type f ! -name '*.o' -print | LC_ALL=C sort | while read -r f; do \
	  if [ -x "$$f" ]; then m=755; else m=644; fi; \
	  install -D -m $$m "$$f" "$(INSTALL_SHARE)/$$f" || exit 1; \
	done
	@printf '%s\n' "$$(gen/anx --version), installed by 'make install' from $(CURDIR)." \
	  "This file marks the folder as an installed Anunix tree: PREFIX/bin/anx builds from it," \
	  "writes each build beside its manifest and keeps objects in ~/.cache/anunix." \
	  "'make uninstall PREFIX=$(PREFIX)' removes it." >"$(INSTALL_SHARE)/installed.txt"
	@echo "installed $(DESTDIR)$(PREFIX)/bin/anx and $(INSTALL_SHARE)/ ($$(find "$(INSTALL_SHARE)" -type f | wc -l) files)"

uninstall:
	rm -f "$(DESTDIR)$(PREFIX)/bin/anx"
	rm -rf "$(INSTALL_SHARE)"
