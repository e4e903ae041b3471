#!/usr/bin/env bash
# Interim kernel build used while gen/anx is being written: compiles core +
# arch + platform + the console and shell modules into build/dev-PLATFORM/.
# Usage: scripts/devbuild.sh x86_64-pc|x86_64-microvm|arm64-virt [module ...]
# Replaced by `gen/anx build`; kept only until that works.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
plat=${1:?platform}; shift || true
mods=("${@:-console shell}")
read -r -a mods <<<"${mods[*]}"
case $plat in
  x86_64-*) arch=x86_64; cc=gcc; ld=ld; objcopy=objcopy
            aflags="-m64 -march=x86-64 -mno-red-zone -mcmodel=small" ;;
  arm64-*)  arch=arm64; cc=aarch64-linux-gnu-gcc; ld=aarch64-linux-gnu-ld; objcopy=aarch64-linux-gnu-objcopy
            aflags="-march=armv8-a -mstrict-align" ;;
  *) echo "unknown platform $plat" >&2; exit 2 ;;
esac
out=$root/build/dev-$plat
mkdir -p "$out/gen" "$out/obj"
{
  echo "#define CONFIG_IMAGE_NAME \"dev\""
  echo "#define CONFIG_PLATFORM \"$plat\""
  echo "#define CONFIG_ARCH \"$arch\""
  echo "#define CONFIG_ARCH_${arch^^} 1"
  echo "#define CONFIG_MEMORY 67108864ULL"
  echo "#define CONFIG_CPUS 1"
  echo "#define CONFIG_CMDLINE \"\""
  echo "#define CONFIG_MANIFEST_SHA256 \"0000\""
  for m in "${mods[@]}"; do u=${m^^}; echo "#define CONFIG_MODULE_${u//-/_} 1"; done
  echo "#define CONFIG_SHELL_HISTORY 16"
  echo "#define CONFIG_SHELL_PROMPT \"anx> \""
  echo "#define CONFIG_CONSOLE_ECHO 1"
} >"$out/gen/config.h"
{
  echo "#include <anx/module.h>"
  for m in "${mods[@]}"; do echo "extern const struct anx_module_ops anx_module_${m//-/_};"; done
  echo "const struct anx_module anx_module_table[] = {"
  for m in "${mods[@]}"; do echo "  { \"$m\", \"$m\", &anx_module_${m//-/_} },"; done
  echo "};"
  echo "const size_t anx_module_count = ${#mods[@]};"
} >"$out/gen/modules.c"
printf 'ANXFILES\x01\x00\x00\x00\x00\x00\x00\x00' >"$out/gen/files.bin"
cat >"$out/gen/files.S" <<EOF
.section .rodata.anx_files,"a"
.balign 16
.global anx_files_start
anx_files_start:
.incbin "$out/gen/files.bin"
.global anx_files_end
anx_files_end:
EOF
inc=$($cc -print-file-name=include)
cflags="-std=c11 -ffreestanding -nostdinc -isystem $inc -O2 -fno-omit-frame-pointer -fno-stack-protector
 -fno-pic -ffunction-sections -fdata-sections -Wall -Wextra -Werror=implicit-function-declaration
 -I$root/core/include -I$out/gen -include config.h $aflags"
srcs=( "$root"/core/*.c "$root"/core/lib/*.c "$root"/arch/$arch/*.[cS] "$root"/platforms/$plat/*.[cS] "$out/gen/modules.c" "$out/gen/files.S" )
for m in "${mods[@]}"; do srcs+=( "$root"/modules/$m/*.c ); done
objs=()
for s in "${srcs[@]}"; do
  [ -e "$s" ] || continue
  o=$out/obj/$(echo "${s#$root/}" | tr '/' '_').o
  extra=""
  case $s in "$root"/modules/*) extra="-I$(dirname "$s")";; esac
  $cc $cflags $extra -c "$s" -o "$o"
  objs+=("$o")
done
$ld -nostdlib -static -T "$root/arch/$arch/kernel.ld" --gc-sections -z max-page-size=0x1000 --build-id=none \
  -o "$out/anunix.elf" "${objs[@]}"
$objcopy --strip-all "$out/anunix.elf" "$out/image.elf"
if [ "$arch" = arm64 ]; then
  # arm64: QEMU's -kernel wants the raw Linux-style Image (header in entry.S)
  $objcopy -O binary "$out/anunix.elf" "$out/image.arm64"
  echo "$out/image.arm64 $(stat -c %s "$out/image.arm64") bytes"
fi
echo "$out/image.elf $(stat -c %s "$out/image.elf") bytes"
