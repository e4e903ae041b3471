# host/host.mk - the one way core and module code is built for the host
# (docs/architecture.md, "Host builds"): for tests (tests/modules.sh), the
# host tools (tools/model, tools/store, tools/train) and gen/anx (infer's
# model loaders, the router's route parser).
#
# Core and module code compile as for an image - freestanding, only
# <anx/...> and module headers, `-include config.h` - plus
# `-include host/rename.h`, which renames the core's C-library functions
# (memcpy, snprintf, malloc ...) to anx_t_* so they cannot collide with the
# host's libc. They link with the core compiled the same way (libanx.a:
# core/*.c and core/lib/*.c but kmain.c and panic.c, the boot entry and the
# image's fatal-error path) and with the glue of a host platform:
#   host   host/: the real clock, the host CPU's features, stderr as console,
#          the heap on libc malloc (so ASan sees every block), panic = abort
#   unit   tests/unit's simulated platform (a clock the test advances, a
#          captured console, a fake PCI bus) with the core's own heap
#   none   no platform: the code may use only what of the core's library
#          needs none (string, ctype, strtol, qsort, sha256, math ...); the
#          link fails if it reaches for more
# Host code - a program's own files (a tool's main, a test) - is compiled
# natively with the host's libc headers and calls the host's libc; it
# reaches module code through the module headers (-iquote), which are
# valid host C.
#
# Flavours (the same sources, each in its own folder: programs under OUT,
# libanx.a and the glue under LIBOUT, which is OUT unless set):
#   opt    $(OUT)/        -O2 -g                        the tools, gen/anx
#   asan   $(OUT)/asan/   ASan + UBSan, -Werror          tests, gen/anx-asan
#   fuzz   $(OUT)/fuzz/   clang, libFuzzer coverage      fuzz targets
#   arm64  $(OUT)/arm64/  aarch64-linux-gnu-gcc, static  tests run under qemu-aarch64
#
# A Makefile sets ROOT (and may set OUT, LIBOUT, ANX), includes this file and
# declares its programs:
#   $(eval $(call host_program,NAME,FLAVOUR,HOST_SRCS,MODULE_SRCS,MODULES,PLATFORM,LIBS))
# builds $(call host_dir,FLAVOUR)/NAME from host sources HOST_SRCS and
# module sources MODULE_SRCS, compiled with -I for each folder of MODULES
# (module names: the code's module and the ones it depends on) and the
# config.h `$(ANX) config-h MODULES` writes; PLATFORM is host, unit or
# none; LIBS are extra link flags. Optional per-program variables, set
# before the call: NAME_CFLAGS (host sources only), NAME_INCLUDES (more
# include folders, e.g. a third-party tree's). Or run it alone:
#   make -f host/host.mk ROOT=. [OUT=...] [FLAVOUR=asan] lib
#   make -f host/host.mk ROOT=. FLAVOUR=asan PROG=NAME PROG_SRCS=... PROG_LINK=... \
#        PROG_MODULES=... [PROG_PLATFORM=unit] [PROG_CFLAGS=...] [PROG_INCLUDES=...] \
#        [PROG_LIBS=...] [PROG_TP_GROUPS="1 ..." PROG_TP_SRCS_1=... PROG_TP_FLAGS_1=...] program
# (tests/modules.sh does the latter for each test of a module.yaml tests: key).

HOST_MK := $(lastword $(MAKEFILE_LIST))
ROOT ?= $(abspath $(dir $(HOST_MK))..)
OUT ?= $(ROOT)/build/host
# where libanx.a and the glue go (default OUT): tests/modules.sh keeps its
# programs per module but shares one core per flavour in build/host
LIBOUT ?= $(OUT)
ANX ?= $(ROOT)/gen/anx
FLAVOUR ?= opt

host_dir = $(if $(filter opt,$(1)),$(OUT),$(OUT)/$(1))
host_libdir = $(if $(filter opt,$(1)),$(LIBOUT),$(LIBOUT)/$(1))

# ---- flavours ---------------------------------------------------------------
HOST_CC_opt := $(if $(filter default,$(origin CC)),gcc,$(CC))
HOST_CC_asan := $(HOST_CC_opt)
HOST_CC_fuzz := clang
HOST_CC_arm64 := aarch64-linux-gnu-gcc
HOST_OPT_opt := -O2 -g
HOST_OPT_asan := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all -Werror
HOST_OPT_fuzz := -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
HOST_OPT_arm64 := -O1 -g
HOST_LD_opt :=
HOST_LD_asan := -fsanitize=address,undefined
HOST_LD_fuzz := -fsanitize=fuzzer,address,undefined
HOST_LD_arm64 := -static

HOST_WARN := -Wall -Wextra -Werror=implicit-function-declaration
# Core and module code: the image's compile, for the host.
host_code_flags = -std=c11 -ffreestanding -nostdinc -isystem $(shell $(HOST_CC_$(1)) -print-file-name=include) \
	$(HOST_WARN) $(HOST_OPT_$(1)) -I$(ROOT)/core/include -include $(ROOT)/host/rename.h
# Host code: the host's libc. -fno-math-errno: sqrtf is the instruction, as
# core/lib/math.c's is, not a libm call for errno's sake (the trainer's
# own float code gives the same bits in every flavour).
host_prog_flags = -std=c11 -D_GNU_SOURCE $(HOST_WARN) -fno-math-errno $(HOST_OPT_$(1)) \
	-I$(ROOT)/core/include -I$(ROOT)/host

HOST_CORE_SRCS := $(filter-out $(ROOT)/core/kmain.c $(ROOT)/core/panic.c, \
	$(sort $(wildcard $(ROOT)/core/*.c)) $(sort $(wildcard $(ROOT)/core/lib/*.c)))
HOST_YAMLS := $(wildcard $(ROOT)/modules/*/module.yaml)

# An object is written under a name of this process and renamed in place:
# two builds side by side (tests/run.sh runs suites in parallel) may make
# the same shared object at once.
host_compile = $(1) -MMD -MP -MF $$@.$$$$$$$$.d -MT $$@ -c $$< -o $$@.$$$$$$$$.tmp && \
	mv -f $$@.$$$$$$$$.d $$(@:.o=.d) && mv -f $$@.$$$$$$$$.tmp $$@

# ---- per flavour: libanx.a and the glue of each platform --------------------
define host_flavour
HOST_LIB_$(1) := $(call host_libdir,$(1))/libanx.a
HOST_CORE_OBJS_$(1) := $$(patsubst $(ROOT)/%.c,$(call host_libdir,$(1))/core.d/%.o,$(HOST_CORE_SRCS))
HOST_GLUE_host_$(1) := $$(addprefix $(call host_libdir,$(1))/glue/,plat.o context.o mem.o panic.o libc.o workers.o)
HOST_GLUE_unit_$(1) := $$(addprefix $(call host_libdir,$(1))/glue/,unit_host_plat.o context.o unit_stubs.o libc.o)
HOST_GLUE_none_$(1) :=

$$(HOST_LIB_$(1)): $$(HOST_CORE_OBJS_$(1))
	$$(HOST_AR_$(1)) rcs $$@.$$$$$$$$.tmp $$^ && mv -f $$@.$$$$$$$$.tmp $$@
$$(HOST_CORE_OBJS_$(1)): $(call host_libdir,$(1))/core.d/%.o: $(ROOT)/%.c $(HOST_MK)
	@mkdir -p $$(@D)
	$(call host_compile,$$(HOST_CC_$(1)) $$(call host_code_flags,$(1)))
$(call host_libdir,$(1))/glue/%.o: $(ROOT)/host/%.c $(HOST_MK)
	@mkdir -p $$(@D)
	$(call host_compile,$$(HOST_CC_$(1)) $$(call host_prog_flags,$(1)))
$(call host_libdir,$(1))/glue/unit_%.o: $(ROOT)/tests/unit/%.c $(HOST_MK)
	@mkdir -p $$(@D)
	$(call host_compile,$$(HOST_CC_$(1)) $$(call host_prog_flags,$(1)) -I$(ROOT)/tests/unit)
-include $$(HOST_CORE_OBJS_$(1):.o=.d) $(call host_libdir,$(1))/glue/*.d
endef
HOST_AR_opt := ar
HOST_AR_asan := ar
HOST_AR_fuzz := ar
HOST_AR_arm64 := aarch64-linux-gnu-ar
$(foreach f,opt asan fuzz arm64,$(eval $(call host_flavour,$(f))))

# ---- programs ---------------------------------------------------------------
# Module and third-party code is compiled with a config.h that only the
# program's modules decide, so its objects are kept per configuration, not
# per program: LIBDIR/cfg/KEY, KEY a hash of the modules and include
# folders. Programs of the same modules (a module's tests, its fuzz targets)
# share them instead of compiling the same code once each, and never share
# an object built for another configuration.
host_hash = $(shell printf '%s' '$(strip $(1))' | sha256sum | cut -c1-12)
host_cfg_dir = $(call host_libdir,$(1))/cfg/$(call host_hash,$(2))
define host_program
$(1)_DIR := $(call host_dir,$(2))/$(1).d
$(1)_CFG := $(call host_cfg_dir,$(2),$(5) $($(1)_INCLUDES))
$(1)_HOST_OBJS := $$(patsubst $(ROOT)/%.c,$$($(1)_DIR)/host/%.o,$$(abspath $(3)))
$(1)_MOD_OBJS := $$(patsubst $(ROOT)/%.c,$$($(1)_CFG)/mod/%.o,$$(abspath $(4)))
$(1)_INC := $$(addprefix -I$(ROOT)/modules/,$(5)) $$(addprefix -I,$$($(1)_INCLUDES))
$(1)_QUOTE := $$(addprefix -iquote $(ROOT)/modules/,$(5)) $$(addprefix -I,$$($(1)_INCLUDES)) \
	$(if $(filter unit,$(6)),-I$(ROOT)/tests/unit)
$(1)_LINK := $$($(1)_HOST_OBJS) $$($(1)_MOD_OBJS) $$($(1)_TP_OBJS) $$(HOST_GLUE_$(6)_$(2)) $$(HOST_LIB_$(2))

$(call host_dir,$(2))/$(1): $$($(1)_LINK)
	$$(HOST_CC_$(2)) $$(HOST_OPT_$(2)) $$(HOST_LD_$(2)) $$($(1)_LINK) $(7) -lm -o $$@
$$($(1)_HOST_OBJS): $$($(1)_DIR)/host/%.o: $(ROOT)/%.c $(HOST_MK)
	@mkdir -p $$(@D)
	$$(HOST_CC_$(2)) $$(call host_prog_flags,$(2)) $$($(1)_QUOTE) $$($(1)_CFLAGS) -MMD -MP -c $$< -o $$@
# a module's source sees its own folder's headers first, as in an image
# build (libc/stdlib.c its <stdlib.h>, not net's shim of the same name)
$$($(1)_MOD_OBJS): $$($(1)_CFG)/mod/%.o: $(ROOT)/%.c $$($(1)_CFG)/config.h $(HOST_MK)
	@mkdir -p $$(@D)
	$(call host_compile,$$(HOST_CC_$(2)) $$(call host_code_flags,$(2)) -I$$(<D) $$($(1)_INC) -include $$($(1)_CFG)/config.h)
# config.h, the defaults of every key from module.yaml, is written while
# this is read: `anx config-h` rewrites it only when its text changes, so
# objects rebuild exactly when a default changes and `make -q` (which
# gen/host_tool.c asks) stays true.
$(if $(4)$($(1)_TP_OBJS),$(if $(filter-out clean,$(or $(MAKECMDGOALS),all)),$$(call host_config,$$($(1)_CFG)/config.h,$(5))))
-include $$($(1)_HOST_OBJS:.o=.d) $$($(1)_MOD_OBJS:.o=.d) $$($(1)_TP_OBJS:.o=.d)
endef

# $(call host_tp_group,NAME,FLAVOUR,G,SRCS,FLAGS,MODULES): third-party
# sources of a program (absolute paths in a fetched tree: a module test's
# `link: [third_party/ENTRY...]`), compiled as an image build compiles that
# third_party: entry - module code's flags, the entry's FLAGS (its private
# include folders and cflags), warnings off - into NAME_TP_OBJS, kept with
# the configuration's objects (host_cfg_dir) under a hash of FLAGS. Called
# once per entry (G numbers them), before host_program; MODULES and
# NAME_INCLUDES as host_program will be given them.
define host_tp_group
$(1)_CFG := $(call host_cfg_dir,$(2),$(6) $($(1)_INCLUDES))
$(1)_TP_DIR_$(3) := $$($(1)_CFG)/tp/$(call host_hash,$(5))
$(1)_TP_OBJS_$(3) := $$(patsubst /%.c,$$($(1)_TP_DIR_$(3))/%.o,$(4))
$$($(1)_TP_OBJS_$(3)): $$($(1)_TP_DIR_$(3))/%.o: /%.c $$($(1)_CFG)/config.h $(HOST_MK)
	@mkdir -p $$(@D)
	$(call host_compile,$$(HOST_CC_$(2)) $$(call host_code_flags,$(2)) $$($(1)_INC) $(5) -w -include $$($(1)_CFG)/config.h)
$(1)_TP_OBJS += $$($(1)_TP_OBJS_$(3))
endef

# $(call host_objects,NAME,FLAVOUR,MODULE_SRCS,MODULES): module code
# compiled without a config.h into $(NAME_OBJS), for gen/anx, which cannot
# run `anx config-h` before it exists (gen/Makefile says which code).
define host_objects
$(1)_DIR := $(call host_dir,$(2))/$(1).d
$(1)_OBJS := $$(patsubst $(ROOT)/%.c,$$($(1)_DIR)/%.o,$$(abspath $(3)))
$$($(1)_OBJS): $$($(1)_DIR)/%.o: $(ROOT)/%.c $(HOST_MK)
	@mkdir -p $$(@D)
	$$(HOST_CC_$(2)) $$(call host_code_flags,$(2)) $$(addprefix -I$(ROOT)/modules/,$(4)) -MMD -MP -c $$< -o $$@
-include $$($(1)_OBJS:.o=.d)
endef

# $(call host_config,FILE,MODULES): write FILE with `$(ANX) config-h`, now.
# In a repository the generator is built first when missing; an installed
# anx passes ANX=itself when it builds a tool (gen/host_tool.c).
define host_config
$(if $(wildcard $(ANX)),,$(if $(filter $(ROOT)/gen/anx,$(ANX)),$(shell $(MAKE) --no-print-directory -s -C $(ROOT)/gen anx >&2)))
$(eval host_config_err := $(shell mkdir -p $(dir $(1)) && $(ANX) --root $(ROOT) config-h -o $(1) $(2) \
	>/dev/null 2>$(1).log || { cat $(1).log; echo failed; }))
$(if $(host_config_err),$(error $(ANX) config-h -o $(1) $(2): $(host_config_err)))
endef

# ---- standalone use -----------------------------------------------------------
.PHONY: lib program
lib: $(HOST_LIB_$(FLAVOUR)) $(HOST_GLUE_host_$(FLAVOUR))
ifdef PROG
$(PROG)_CFLAGS := $(PROG_CFLAGS)
$(PROG)_INCLUDES := $(PROG_INCLUDES)
# PROG_TP_GROUPS="1 2 ...": PROG_TP_SRCS_N and PROG_TP_FLAGS_N of each (host_tp_group)
$(foreach g,$(PROG_TP_GROUPS),$(eval $(call host_tp_group,$(PROG),$(FLAVOUR),$(g),$(PROG_TP_SRCS_$(g)),$(PROG_TP_FLAGS_$(g)),$(PROG_MODULES))))
$(eval $(call host_program,$(PROG),$(FLAVOUR),$(PROG_SRCS),$(PROG_LINK),$(PROG_MODULES),$(or $(PROG_PLATFORM),host),$(PROG_LIBS)))
program: $(call host_dir,$(FLAVOUR))/$(PROG)
endif
