#!/usr/bin/env bash
# The host tests of one module, as the tests: key of its module.yaml
# describes them (docs/modules.md, "Tests"), then the module's sources
# compiled for an image on every architecture (the flags of arch/ARCH/
# arch.yaml, -Werror). Prints "ok ..." and "FAIL ..." lines, "skip  NAME:
# REASON" for a test whose ../shared/testdata is absent, and ends with
# "N passed, N failed"; exits non-zero when anything failed.
#
#   tests/modules.sh MODULE               every test; fuzz targets as module.yaml says
#   tests/modules.sh MODULE --fuzz SECS   fuzz targets for SECS seconds each instead
#
# gen/anx module-tests MODULE reads the key (every file checked, paths made
# relative to the repository); each test program is built by host/host.mk,
# the one host build mode, into build/test/modules/MODULE.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
usage() { echo "usage: tests/modules.sh MODULE [--fuzz SECONDS]" >&2; exit 2; }
[ $# -ge 1 ] || usage
mod=$1
shift
fuzz_secs=""
if [ "${1:-}" = "--fuzz" ]; then fuzz_secs=${2:-60}; [[ $fuzz_secs =~ ^[1-9][0-9]*$ ]] || usage; fi
out=$root/build/test/modules/$mod
# ANX_TESTDATA: another folder instead (an empty one shows what a clone without it runs)
data_root=${ANX_TESTDATA:-$(cd "$root/.." && pwd)/shared/testdata}
mkdir -p "$out"
pass=0 fail=0
finish() { echo "$pass passed, $fail failed"; [ "$fail" -eq 0 ]; exit; }

if ! make -s -C gen anx >"$out/gen.log" 2>&1; then
  cat "$out/gen.log"; echo "FAIL $mod: make -C gen"; fail=1; finish
fi
if ! desc=$(gen/anx module-tests "$mod" 2>"$out/describe.err"); then
  cat "$out/describe.err"; echo "FAIL $mod: gen/anx module-tests $mod (the message above)"; fail=1; finish
fi
eval "$desc"
eval "modules=($mod_modules) includes=($mod_includes) missing=($mod_missing)"

# {data}: ../shared/testdata; {out}: this suite's build folder; {dir}: the module's folder
subst() { local s=$1; s=${s//\{data\}/$data_root}; s=${s//\{out\}/$out}; printf '%s' "${s//\{dir\}/$mod_dir}"; }

closing='^[0-9]+ passed, [0-9]+ failed$'
# count LABEL LOG ERR RC: the results of one program. It either ends with
# "N passed, N failed" or prints "ok"/"FAIL" lines; one that prints neither
# is one check, passed when it exits 0. A non-zero exit with no failure
# reported is a failure of its own.
count() {
  local label=$1 log=$2 err=$3 rc=$4 line p f
  grep -avE "$closing" "$log"
  line=$(grep -aE "$closing" "$log" | tail -n 1)
  if [ -n "$line" ]; then
    p=${line%% passed*}; f=${line#*passed, }; f=${f%% failed*}
  else
    p=$(grep -ac '^ok ' "$log"); f=$(grep -ac '^FAIL ' "$log")
    if [ "$p" -eq 0 ] && [ "$f" -eq 0 ] && [ "$rc" -eq 0 ]; then echo "ok   $label"; p=1; fi
  fi
  pass=$((pass + p)); fail=$((fail + f))
  if [ "$rc" -ne 0 ]; then
    sed 's/^/    | /' "$err" | tail -n 40
    [ "$f" -eq 0 ] && { echo "FAIL $label: exited with status $rc"; fail=$((fail + 1)); }
  fi
}

# build LABEL FLAVOUR NAME: the program of test $i, by host/host.mk, into $built
build() {
  local label=$1 flavour=$2 name=$3 cflags tp_srcs tp_flags tp=() g
  eval "cflags=(${test_cflags[$i]}) tp_srcs=(${test_tp_srcs[$i]}) tp_flags=(${test_tp_flags[$i]})"
  # link: third_party/ENTRY...: one group of sources and flags per entry
  for g in "${!tp_srcs[@]}"; do
    tp+=(PROG_TP_SRCS_$((g + 1))="${tp_srcs[$g]}" PROG_TP_FLAGS_$((g + 1))="${tp_flags[$g]}")
  done
  tp+=(PROG_TP_GROUPS="$(seq -s ' ' 1 ${#tp_srcs[@]})")
  if ! make -s -f host/host.mk ROOT="$root" OUT="$out" LIBOUT="$root/build/host" FLAVOUR="$flavour" PROG="$name" "${tp[@]}" \
      PROG_SRCS="${srcs[*]}" PROG_LINK="${link[*]}" PROG_MODULES="${modules[*]}" \
      PROG_PLATFORM="${test_platform[$i]}" PROG_INCLUDES="${includes[*]}" \
      PROG_CFLAGS="$(for c in "${cflags[@]}"; do subst "$c"; echo -n " "; done)" program >"$out/$name.build" 2>&1; then
    sed 's/^/    | /' "$out/$name.build" | tail -n 40
    [ ${#missing[@]} -gt 0 ] && echo "    (not fetched: ${missing[*]}: run scripts/setup.sh)"
    echo "FAIL $label: build"; fail=$((fail + 1)); return 1
  fi
  if [ "$flavour" = opt ]; then built=$out/$name; else built=$out/$flavour/$name; fi
}

fuzz() {   # fuzz LABEL NAME: build the target with libFuzzer and run it on its corpus
  local label=$1 name=$2 dir=$out/fuzz-$2 args corpus
  build "$label" fuzz "$name" || return
  rm -rf "$dir"; mkdir -p "$dir/corpus" "$dir/artifacts"
  eval "corpus=(${test_corpus[$i]})"
  for c in "${corpus[@]}"; do
    if [ -d "$c" ]; then cp -r "$c"/. "$dir/corpus/"; else cp "$c" "$dir/corpus/"; fi
  done
  [ -n "$data" ] && [ -d "$data_root/$data" ] && cp -r "$data_root/$data"/. "$dir/corpus/"
  if [ -n "$fuzz_secs" ]; then args=(-max_total_time="$fuzz_secs")
  elif [ "${test_seconds[$i]}" -gt 0 ]; then args=(-max_total_time="${test_seconds[$i]}")
  else args=(-runs="${test_runs[$i]}"); fi
  # an input that runs 10 s is a hang (libFuzzer's default waits 20 minutes)
  args+=(-timeout=10)
  [ "${test_max_len[$i]}" -gt 0 ] && args+=(-max_len="${test_max_len[$i]}")
  [ -n "${test_dict[$i]}" ] && args+=(-dict="$root/${test_dict[$i]}")
  if (cd "$dir" && env "${envs[@]}" "$built" "${args[@]}" -artifact_prefix="$dir/artifacts/" "$dir/corpus" \
        >"$dir/run.log" 2>&1); then
    echo "ok   $label: libFuzzer, ${args[0]#-}: $(grep -ao 'Done [0-9]* runs' "$dir/run.log" | tail -n 1)," \
      "$(grep -ao 'cov: [0-9]*' "$dir/run.log" | tail -n 1)"
    pass=$((pass + 1))
  else
    tail -n 30 "$dir/run.log" | sed 's/^/    | /'
    echo "FAIL $label: libFuzzer found a crash: the input is in $dir/artifacts"; fail=$((fail + 1))
  fi
}

# A test run without its data that does not say what it skipped: say it.
without() {   # without LABEL LOG
  [ "$have_data" = 0 ] && ! grep -aq '^skip  ' "$2" &&
    echo "skip  $1: ../shared/testdata/$data is absent (the test material beside the repository); ran without it"
}

for ((i = 0; i < ntests; i++)); do
  name=${test_name[$i]} label=$mod/${test_name[$i]} data=${test_data[$i]}
  eval "srcs=(${test_sources[$i]}) link=(${test_link[$i]}) needs=(${test_needs[$i]}) emulate=(${test_emulate[$i]})"
  have_data=1
  if [ -n "$data" ] && [ ! -e "$data_root/$data" ]; then
    have_data=0
    if [ "${test_without_data[$i]}" = skip ]; then
      echo "skip  $label: ../shared/testdata/$data is absent (the test material beside the repository)"
      continue
    fi
  fi
  # what the test needs installed; make setup installs all of it
  [ "${test_fuzz[$i]}" = 1 ] && needs+=(clang)
  for a in "${emulate[@]}"; do
    [ "$a" = arm64 ] && needs+=(aarch64-linux-gnu-gcc qemu-aarch64)
  done
  lacking=""
  for c in "${needs[@]}"; do command -v "$c" >/dev/null || lacking="$lacking $c"; done
  if [ -n "$lacking" ]; then
    echo "FAIL $label: needs${lacking}, not installed (make setup installs it)"; fail=$((fail + 1)); continue
  fi
  # arguments and environment; without the data, those that name it are left out
  args=() envs=(UBSAN_OPTIONS=print_stacktrace=1)
  if [ "${test_platform[$i]}" = unit ]; then envs+=(ASAN_OPTIONS=detect_leaks=0); else envs+=(ASAN_OPTIONS=detect_leaks=1); fi
  eval "raw_args=(${test_args[$i]}) raw_env=(${test_env[$i]})"
  for a in "${raw_args[@]}"; do [[ $have_data = 0 && $a == *"{data}"* ]] || args+=("$(subst "$a")"); done
  for e in "${raw_env[@]}"; do [[ $have_data = 0 && $e == *"{data}"* ]] || envs+=("$(subst "$e")"); done

  if [ -n "${test_run[$i]}" ]; then
    eval "cmd=(${test_run[$i]})"
    for k in "${!cmd[@]}"; do cmd[$k]=$(subst "${cmd[$k]}"); done
    env "${envs[@]}" "${cmd[@]}" >"$out/$name.out" 2>"$out/$name.err"
    count "$label" "$out/$name.out" "$out/$name.err" $?
    without "$label" "$out/$name.out"
    continue
  fi
  if [ "${test_fuzz[$i]}" = 1 ]; then
    fuzz "$label" "$name"
    [ "$have_data" = 0 ] && echo "skip  $label (its ../shared/testdata/$data seeds): absent; fuzzed without them"
    continue
  fi
  if [ "${test_sanitize[$i]}" = 1 ]; then flavour=asan; else flavour=opt; fi
  if build "$label" "$flavour" "$name"; then
    env "${envs[@]}" "$built" "${args[@]}" >"$out/$name.out" 2>"$out/$name.err"
    count "$label" "$out/$name.out" "$out/$name.err" $?
    without "$label" "$out/$name.out"
  fi
  # the same program on other architectures, under QEMU's user mode
  for a in "${emulate[@]}"; do
    if build "$label ($a)" "$a" "$name"; then
      "qemu-${a/arm64/aarch64}" "$built" "${args[@]}" >"$out/$name.$a.raw" 2>"$out/$name.$a.err"
      rc=$?
      sed -E "s/^(ok|FAIL)( +)/\1\2($a) /" "$out/$name.$a.raw" >"$out/$name.$a.out"
      count "$label ($a)" "$out/$name.$a.out" "$out/$name.$a.err" $rc
    fi
  done
done

# the module's sources, compiled as an image build compiles them
gen/anx module-tests "$mod" --image "$out/image" >"$out/image.out" 2>&1
rc=$?
cat "$out/image.out"
p=$(grep -c '^ok ' "$out/image.out"); f=$(grep -c '^FAIL ' "$out/image.out")
pass=$((pass + p)); fail=$((fail + f))
[ $rc -ne 0 ] && [ "$f" -eq 0 ] && { echo "FAIL $mod: anx module-tests --image exited with status $rc"; fail=$((fail + 1)); }
finish
