#!/usr/bin/env bash
# The tls module's host test. Module tests cannot link a third-party
# tree's sources yet, so this compiles them itself: trust.c, tls_errors.c
# and tls.c with the BearSSL sources module.yaml lists (from the fetched
# tree, with module.yaml's BearSSL flags) and tests/test_tls.c (stand-ins
# for the core's random source and wall clock), then runs it on Debian's
# real CA bundle and against tests/tls_server.py with certificates made by
# tests/make_certs.sh; then tests/fuzz_tls.c, built the same way, fuzzes
# that glue (a smoke here; longer with ANX_FUZZ_SECONDS, which make fuzz
# sets). The last line is the total of all of it.
#   host.sh OUT
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
repo=$(cd "$here/../.." && pwd)
out=$1/host
tree=${ANX_THIRD_PARTY:-${XDG_CACHE_HOME:-$HOME/.cache}/anunix}/bearssl
bundle=/etc/ssl/certs/ca-certificates.crt
[ -d "$tree/src" ] || { echo "FAIL tls/host: bearssl not fetched ($tree): run scripts/setup.sh"; exit 1; }
[ -f "$bundle" ] || { echo "FAIL tls/host: $bundle is missing: run scripts/setup.sh (ca-certificates)"; exit 1; }
mkdir -p "$out/obj"
# module.yaml's bearssl sources and cflags (one list each, maybe over lines)
read -r -a srcs < <(python3 - "$here/module.yaml" <<'PY'
import re, sys
y = open(sys.argv[1]).read().split("  bearssl:", 1)[1]
print(" ".join(x.strip() for x in re.search(r"sources: \[([^\]]*)\]", y).group(1).split(",")))
PY
)
read -r -a defs < <(python3 - "$here/module.yaml" <<'PY'
import re, sys
y = open(sys.argv[1]).read().split("  bearssl:", 1)[1]
print(" ".join(x.strip() for x in re.search(r"cflags: \[([^\]]*)\]", y).group(1).split(",")))
PY
)
objs=() bsrcs=()
for pat in "${srcs[@]}"; do
    for f in "$tree"/$pat; do
        [ -f "$f" ] || { echo "FAIL tls/host: module.yaml names $pat, not in $tree"; exit 1; }
        o=$out/obj/$(echo "${f#$tree/}" | tr / _).o
        [ "$o" -nt "$f" ] || cc -O1 -w "${defs[@]}" -I"$tree/inc" -I"$tree/src" -c "$f" -o "$o"
        objs+=("$o") bsrcs+=("$f")
    done
done
flags=(-O1 -g -Wall -Wextra -Werror -fsanitize=address,undefined -I"$here" -I"$tree/inc")
for f in trust.c tls_errors.c; do
    cc "${flags[@]}" -I"$repo/core/include" -c "$here/$f" -o "$out/$f.o"
done
cc "${flags[@]}" -I"$repo/core/include" -c "$repo/core/lib/base64.c" -o "$out/base64.c.o"   # trust.c's PEM
# tls.c is image code: the core's headers, with the test's stand-ins
cc "${flags[@]}" -I"$repo/core/include" -include stdio.h -c "$here/tls.c" -o "$out/tls.c.o"
cc "${flags[@]}" -I"$repo/core/include" -include stdio.h -c "$here/cert.c" -o "$out/cert.c.o"
cc "${flags[@]}" -I"$repo/core/include" -c "$repo/core/lib/civil.c" -o "$out/civil.c.o"   # its dates
cc "${flags[@]}" -I"$repo/core/include" -c "$here/tests/test_tls.c" -o "$out/test_tls.o"
cc -fsanitize=address,undefined -o "$out/test_tls" "$out/test_tls.o" "$out"/*.c.o "${objs[@]}"
# the fuzzer of the same glue (tests/fuzz_tls.c), with the same flags
cc "${flags[@]}" -I"$repo/core/include" -c "$here/tests/fuzz_tls.c" -o "$out/fuzz_tls.o"
cc -fsanitize=address,undefined -o "$out/fuzz_tls" "$out/fuzz_tls.o" "$out"/*.c.o "${objs[@]}"

"$here/tests/make_certs.sh" "$out/certs" 127.0.0.1
# an EC P-256 self-signed leaf for the server tests, its key as PKCS#8 and SEC1
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 -subj /CN=localhost \
    -addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout "$out/certs/ec-pkcs8.key" \
    -out "$out/certs/ec.pem" 2>/dev/null
openssl ec -in "$out/certs/ec-pkcs8.key" -out "$out/certs/ec-sec1.key" 2>/dev/null
rm -f "$out/ports"
python3 -B "$here/tests/tls_server.py" "$out/certs" "$out/ports" 2>"$out/server.log" &
server=$!
trap 'kill $server 2>/dev/null' EXIT
for _ in $(seq 1 100); do [ -f "$out/ports" ] && break; sleep 0.05; done
[ -f "$out/ports" ] || { echo "FAIL tls/host: tests/tls_server.py did not start:"; cat "$out/server.log"; exit 1; }
read -r good unknown wrong slow <"$out/ports"
# test_tls's own count joins the total printed last (the runner reads the last "N passed" line)
rc=0
"$out/test_tls" "$bundle" "$(grep -c -- '-----BEGIN CERTIFICATE-----' "$bundle")" "$out/certs" "$good" "$unknown" \
    "$wrong" "$slow" "$out" >"$out/test_tls.log" || rc=$?
closing='^[0-9]+ passed, [0-9]+ failed$'
grep -avE "$closing" "$out/test_tls.log" || true
line=$(grep -aE "$closing" "$out/test_tls.log" | tail -n 1)
[ -n "$line" ] || { echo "FAIL tls/host: test_tls exited with status $rc without its count"; exit 1; }
tp=${line%% passed*} tf=${line#*passed, } && tf=${tf%% failed*}
# the self-signed certificate the test made, read by openssl: a valid
# X.509 v3 certificate (it verifies as its own CA for its names), and the
# fingerprint cert.c computed is openssl's
ok=0 bad=0
check() { if "$@"; then ok=$((ok + 1)); else bad=$((bad + 1)); echo "FAIL tls/host: $*"; fi; }
ss=$out/selfsigned.pem
check openssl verify -CAfile "$ss" -verify_hostname localhost "$ss" >/dev/null
check openssl verify -CAfile "$ss" -verify_ip 127.0.0.1 "$ss" >/dev/null
check openssl verify -CAfile "$ss" -verify_ip 10.0.2.15 "$ss" >/dev/null
check test "$(openssl x509 -in "$ss" -noout -fingerprint -sha256 | cut -d= -f2)" = "$(cat "$out/selfsigned.fp")"
text=$(openssl x509 -in "$ss" -noout -text)
check grep -q "Version: 3 (0x2)" <<<"$text"
check grep -q "Subject: CN *= *test-image" <<<"$text"
check grep -q "Issuer: CN *= *test-image" <<<"$text"
check grep -q "ecdsa-with-SHA256" <<<"$text"
check grep -q "NIST CURVE: P-256" <<<"$text"
check grep -q "CA:FALSE" <<<"$text"
check grep -q "TLS Web Server Authentication" <<<"$text"
# a year from now (give or take the hour back and the run)
end=$(date -d "$(openssl x509 -in "$ss" -noout -enddate | cut -d= -f2)" +%s)
check test $((end - $(date +%s))) -gt $((365 * 86400 - 120)) -a $((end - $(date +%s))) -le $((365 * 86400))
check grep -q "notAfter=Dec 31 23:59:59 9999 GMT" <<<"$(openssl x509 -in "$out/selfsigned-noclock.pem" -noout -enddate)"
check openssl verify -CAfile "$out/selfsigned-noclock.pem" "$out/selfsigned-noclock.pem" >/dev/null
echo "openssl checks of the self-signed certificate: $ok passed, $bad failed"

# The fuzzer (tests/fuzz_tls.c): its seed corpus is traffic of a real
# handshake it captures at start, then deterministic mutations of it -
# a smoke of 20000 mutations or 10 s here; `make fuzz` sets
# ANX_FUZZ_SECONDS for a longer run with a new seed (printed: -s SEED
# repeats it), and with clang also runs a libFuzzer build for as long
# (its corpus, OUT/host/libfuzzer/corpus, grows from run to run; a crash
# is written beside it).
fuzz_ok=0 fuzz_bad=0
fuzz() {   # fuzz LABEL ARGS...: one run of a fuzz_tls build; its ok lines count
    local label=$1; shift
    # UBSan's reports end the run (gcc's UBSan goes on after one otherwise)
    if (cd "$out" && FUZZ_TLS_CRASH="$out/fuzz_tls-crash.bin" UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
            "$@" >"$out/fuzz.log" 2>"$out/fuzz.err"); then
        cat "$out/fuzz.log"; fuzz_ok=$((fuzz_ok + $(grep -c '^ok ' "$out/fuzz.log")))
    else
        cat "$out/fuzz.log"; tail -n 40 "$out/fuzz.err" | sed 's/^/    | /'
        echo "FAIL tls/fuzz: $label failed (the input is in $out/fuzz_tls-crash.bin or $out/libfuzzer)"
        fuzz_bad=$((fuzz_bad + 1))
    fi
}
if [ -z "${ANX_FUZZ_SECONDS:-}" ]; then
    fuzz "the smoke" "$out/fuzz_tls" -n 20000 -t 10
else
    fuzz "the long run" "$out/fuzz_tls" -n 2000000000 -t "$ANX_FUZZ_SECONDS" -s "$(date +%s)"
    if command -v clang >/dev/null; then
        # BearSSL instrumented too, so coverage guides into its parsers
        cov=(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined)
        mkdir -p "$out/lf/obj" "$out/libfuzzer/corpus"
        lobjs=()
        for src in "${bsrcs[@]}"; do
            o=$out/lf/obj/$(echo "${src#$tree/}" | tr / _).o
            # -fno-sanitize=alignment: on x86 BearSSL reads words unaligned on purpose
            # (inner.h, BR_LE_UNALIGNED); the gcc build above has no UBSan in BearSSL at all
            [ "$o" -nt "$src" ] || clang -O1 -w "${cov[@]}" -fno-sanitize=alignment "${defs[@]}" -I"$tree/inc" -I"$tree/src" -c "$src" -o "$o"
            lobjs+=("$o")
        done
        lflags=(-O1 -g -Wall -Wextra -Werror "${cov[@]}" -I"$here" -I"$tree/inc" -I"$repo/core/include")
        for f in "$here/trust.c" "$here/tls_errors.c" "$repo/core/lib/base64.c" "$repo/core/lib/civil.c"; do
            clang "${lflags[@]}" -c "$f" -o "$out/lf/$(basename "$f").o"
        done
        for f in tls.c cert.c; do clang "${lflags[@]}" -include stdio.h -c "$here/$f" -o "$out/lf/$f.o"; done
        clang "${lflags[@]}" -DTLS_FUZZ_LIBFUZZER -c "$here/tests/fuzz_tls.c" -o "$out/lf/fuzz_tls.o"
        clang -fsanitize=fuzzer,address,undefined -o "$out/fuzz_tls-libfuzzer" "$out/lf/"*.o "${lobjs[@]}"
        "$out/fuzz_tls" -n 0 -w "$out/libfuzzer/corpus" >/dev/null
        if (cd "$out/libfuzzer" && UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 "$out/fuzz_tls-libfuzzer" -max_total_time="$ANX_FUZZ_SECONDS" -timeout=10 \
                -max_len=8192 -artifact_prefix="$out/libfuzzer/" corpus >"$out/libfuzzer.log" 2>&1); then
            echo "ok   tls/fuzz: libFuzzer, $ANX_FUZZ_SECONDS s: $(grep -ao 'Done [0-9]* runs' "$out/libfuzzer.log" | tail -n 1)," \
                "$(grep -ao 'cov: [0-9]*' "$out/libfuzzer.log" | tail -n 1)"
            fuzz_ok=$((fuzz_ok + 1))
        else
            tail -n 30 "$out/libfuzzer.log" | sed 's/^/    | /'
            echo "FAIL tls/fuzz: libFuzzer found a crash: the input is in $out/libfuzzer"
            fuzz_bad=$((fuzz_bad + 1))
        fi
    fi
fi
echo "$((tp + ok + fuzz_ok)) passed, $((tf + bad + fuzz_bad)) failed"
[ "$rc" = 0 ] && [ "$bad" = 0 ] && [ "$fuzz_bad" = 0 ]
