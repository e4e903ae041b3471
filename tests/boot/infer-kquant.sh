#!/usr/bin/env bash
# k-quant weights in the image: a llama model of seeded random weights at
# shapes k-quants take (tools/model/tests/random_ckpt.py: dim 256, hidden
# 512), converted by `anx model convert --type q4_k_m` (q6_K token_embd and
# output, q4_K elsewhere), booted and asked for 24 greedy positions with
# the `generate` shell command. The image must print what the host tool
# prints for the same file:
#   - infer.act: f32 (k-quant blocks against f32 activations): the host's
#     text with --f32-act, on every platform (f32 activations leave no
#     rounding step that a last-bit difference between kernel tables could
#     tip, so x86 AVX2 and arm64 NEON both give the host's text);
#   - infer.act: q8_0 (q8_K activations): on x86_64 the host's text (the
#     same AVX2 kernels); on arm64, where the NEON kernels may round an
#     activation the other way somewhere in the run, 21 completion tokens.
# Usage: tests/boot/infer-kquant.sh [PLATFORM [MODE]]   (default x86_64-pc)
set -uo pipefail
source "$(dirname "$0")/lib.sh"
make -s anx && make -s -C tools/model || { echo "FAIL build"; exit 1; }
fresh_out infer-kquant
tool=$root/build/host/anx-model
python3 tools/model/tests/random_ckpt.py "$out/kq.bin" &&
  "$tool" convert "$out/kq.bin" --tokenizer examples/model/tokenizer.bin -o "$out/kq.gguf" --type q4_k_m \
    2>"$out/convert.log" || { cat "$out/convert.log"; echo "FAIL convert"; exit 1; }

# host NAME ARGS...: the host tool's greedy text for the prompt "Once", 24 positions
host() {
  "$tool" generate "$out/kq.gguf" --prompt Once --steps 24 --temperature 0 "${@:2}" \
    >"$out/host-$1.txt" 2>"$out/host-$1.err" && grep -q 'finish length' "$out/host-$1.err"
}
host f32 --f32-act && host q8 || { cat "$out"/host-*.err; echo "FAIL host generate"; exit 1; }

# boot ACT TEXT: the image with infer.act ACT; its generate output must contain TEXT
boot() {
  python3 - "$1" "$2" >"$out/$1.yaml" <<'PY'
import json, sys
act, text = sys.argv[1], sys.argv[2]
expect = "".join("\\" + c if c in ".[]()*+?{}|^$\\" else c for c in text)   # expect: is a regex
print(f"""name: infer-kquant-{act.replace("_", "")}
platform: x86_64-pc
memory: 64M
modules:
  shell: {{}}
  infer: {{model: /models/kq.gguf, act: {act}}}
files:
  /models/kq.gguf: kq.gguf
test:
  - serial: "anunix: ready"
  - shell: "generate -n 24 Once"
    expect: {json.dumps(expect)}
    timeout: 120s
  - shell: "poweroff 0"
    expect: "powering off"
  - exit: 0""")
PY
  gen/anx test "$out/$1.yaml" -p "$platform" "${boot[@]}" -o "$out/build-$1" >"$out/$1.log" 2>&1
}
# the host prints the prompt first, the image's generate only the completion
text_f32=$(tr -d '\n' <"$out/host-f32.txt") text_f32=${text_f32#Once}
text_q8=$(tr -d '\n' <"$out/host-q8.txt") text_q8=${text_q8#Once}
echo "host, f32 activations: $text_f32"
echo "host, q8_K activations: $text_q8"
check "$platform: infer.act f32: the host's text" boot f32 "$text_f32"
if [ "${platform%%-*}" = x86_64 ]; then
  check "$platform: infer.act q8_0: the host's text" boot q8_0 "$text_q8"
else
  check "$platform: infer.act q8_0: 21 completion tokens" boot q8_0 "[length: 4 prompt + 21 completion tokens"
fi
for a in f32 q8_0; do grep -ah -A2 "generate -n" "$out/build-$a/console.log" 2>/dev/null | tr -d '\r'; done
echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
