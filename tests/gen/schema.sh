# anx schema (sourced by tests/gen/run.sh, which sets anx, out, here, root, ok
# and bad): docs/manifest.schema.json is `anx schema`'s output for the
# repository; every manifest of the repository validates against it (Python's
# jsonschema, draft 2020-12); every good manifest of tests/gen validates
# against the schema of the fake tree and every bad one fails it, but for the
# mistakes no schema can see, listed below with the reason.
sc=$out/schema
mkdir -p "$sc"

if "$anx" --root "$root" schema >"$sc/repo.json" 2>"$sc/repo.err" && cmp -s "$sc/repo.json" "$root/docs/manifest.schema.json"; then
    ok "schema/docs/manifest.schema.json is anx schema's output (fresh)"
else
    bad "schema/docs/manifest.schema.json is anx schema's output (fresh)" \
        "$(cat "$sc/repo.err"; diff "$root/docs/manifest.schema.json" "$sc/repo.json" | head -20)
regenerate it: gen/anx schema >docs/manifest.schema.json"
fi

# The repository's manifests (tests/boot/matrix*.yaml are matrix files).
repo_manifests=("$root"/manifests/*.yaml "$root"/tests/gen/real-warn/*.yaml
                "$root"/tests/soak/*.yaml)
for f in "$root"/tests/boot/*.yaml; do [[ $(basename "$f") == matrix*.yaml ]] || repo_manifests+=("$f"); done
python3 "$here/manifest_schema.py" "$sc/repo.json" "${repo_manifests[@]}" >"$sc/repo.log" 2>&1
if [ $? -eq 0 ] && [ "$(grep -c '^valid ' "$sc/repo.log")" = ${#repo_manifests[@]} ]; then
    ok "schema/the repository's ${#repo_manifests[@]} manifests validate"
else
    bad "schema/the repository's manifests validate" "$(grep -v '^valid ' "$sc/repo.log")"
fi

# The fake tree holds broken module.yaml and platform.yaml files on purpose:
# anx schema names them (exit 2) and leaves them out.
"$anx" schema >"$sc/tree.json" 2>"$sc/tree.err"
rc=$?
if [ $rc -eq 2 ] && grep -q "broken-type/module.yaml:4:11: error: unknown type 'integer'" "$sc/tree.err" &&
    python3 - "$sc/tree.json" >"$sc/py.log" 2>&1 <<'EOF'; then
import json, sys
s = json.load(open(sys.argv[1]))
mods = s["properties"]["modules"]["anyOf"][0]["properties"]
assert "broken-type" not in mods and "alpha" in mods, sorted(mods)
cfg = mods["cfg"]
assert cfg["required"] == ["must"] and cfg["additionalProperties"] is False, cfg
count = cfg["properties"]["count"]
assert count["default"] == 4 and count["description"] == "int: How many", count
assert count["anyOf"][0]["anyOf"][0] == {"type": "integer", "minimum": 1, "maximum": 8}, count
assert count["anyOf"][1] == {"type": "null"}, count
assert cfg["properties"]["mode"]["anyOf"][0]["enum"] == ["fast", "slow", "off"], cfg["properties"]["mode"]
assert cfg["properties"]["buffer"]["default"] == "64K", cfg["properties"]["buffer"]
assert "fake" in s["properties"]["platform"]["enum"], s["properties"]["platform"]
EOF
    ok "schema/made from the descriptors: config types, ranges, enums, defaults, docs; broken ones named and left out"
else
    bad "schema/made from the descriptors: config types, ranges, enums, defaults, docs; broken ones named and left out" \
        "exit $rc: $(cat "$sc/py.log"; head -5 "$sc/tree.err")"
fi

python3 "$here/manifest_schema.py" "$sc/tree.json" "$here"/good/*.yaml "$here"/runner/*.yaml >"$sc/good.log" 2>&1
if ! grep -v '^valid ' "$sc/good.log" >"$sc/good.bad"; then
    ok "schema/every good manifest of tests/gen validates"
else
    bad "schema/every good manifest of tests/gen validates" "$(cat "$sc/good.bad")"
fi

# What anx accepts, the schema must too: empty values (the defaults),
# integers in hex or with '_', sizes in bytes or with iB, yes/no booleans,
# scalars where anx reads text, ports as numbers and strings.
cat >"$sc/odd.yaml" <<'EOF'
name: odd-but-valid
platform: fake
memory: 67_108_864
cpus: "0x2"
cmdline:
modules:
  cfg:
    must: 0x3
    flag: yes
    count:
    buffer: 8KiB
    period: 5 ms
    label: 42
    mode: slow
  alpha:
  zeta: {}
files:
run:
  ports: [8080, "8081:80"]
  disk:
test:
  - serial: 200
  - shell: x
    expect: true
    timeout: 2min
credentials:
EOF
if "$anx" check "$sc/odd.yaml" >"$sc/odd.out" 2>&1 &&
    python3 "$here/manifest_schema.py" "$sc/tree.json" "$sc/odd.yaml" | grep -q '^valid '; then
    ok "schema/what anx accepts (empty values, hex, sizes in bytes, yes, numbers as text) validates"
else
    bad "schema/what anx accepts (empty values, hex, sizes in bytes, yes, numbers as text) validates" \
        "$(cat "$sc/odd.out"; python3 "$here/manifest_schema.py" "$sc/tree.json" "$sc/odd.yaml")"
fi

# Bad manifests whose mistake a JSON Schema cannot express: each must still
# validate (so this list stays true); every other one must fail.
semantic="
arch-no-linker-script: the mistake is in an arch.yaml
arch-path: the mistake is in an arch.yaml
arch-source-twice: the mistake is in a platform.yaml
arch-unknown-key: the mistake is in an arch.yaml
arch-unknown: the mistake is in a platform.yaml
platform-broken: the mistake is in a platform.yaml
dangling-dep: the mistake is in a module.yaml
module-files-missing: a module.yaml names a host file that does not exist
config-size-range: a size with a unit: a schema compares numbers, not 2M with 1M
memory-odd: a size with a unit (whole MiB)
memory-small: a size with a unit (at least 2M)
run-disk-size: a size with a unit (at least 1M)
conflict: module resolution: conflicts
cycle: module resolution: a dependency cycle
unsupported: module resolution: platforms
unsupported-dep: module resolution: a dependency's platforms
display-platform: the platform's display devices
ports-no-nic: the image's drivers
memory-module-need: the image's memory need
cred-owner: a relation of two values (owner among the same credential's modules)
test-pixels-max-min: a relation of two values (max below min)
duplicate-key: a YAML reader keeps the last value; anx refuses the key
files-dir-slash: the host file system
files-dir: the host file system (a folder's files)
files-file-and-folder: the host file system (a folder's files)
files-missing: the host file system
no-platform: the command line may give the platform (-p)
test-bad-regex: a regular expression's syntax
test-key-order: key chords (QEMU's key names and their order)
test-key-unknown: key chords (QEMU's key names)
grants-not-in-image: module resolution: the image's modules
grants-expands-badly: a module's config value, expanded into its objects: grants
pipelines-cycle: a pipeline's steps depend on each other in a cycle (after: and {{references}})
pipelines-route: a step calls a route none of the image's modules serves
"
python3 "$here/manifest_schema.py" "$sc/tree.json" "$here"/bad/*.yaml >"$sc/bad.log" 2>&1
wrong=""
nbad=0
for f in "$here"/bad/*.yaml; do
    name=$(basename "$f" .yaml)
    nbad=$((nbad + 1))
    line=$(awk -v f="$f" '$2 == f || $2 == f ":"' "$sc/bad.log")
    if grep -q "^$name: " <<<"$semantic"; then
        [[ $line == "valid $f" ]] || wrong+="$name is listed as beyond a schema, but: ${line:-no result}"$'\n'
    else
        [[ $line == invalid* || $line == unreadable* ]] || wrong+="$name passes the schema: ${line:-no result}"$'\n'
    fi
done
for name in $(sed -n 's/^\([a-z0-9-]*\): .*/\1/p' <<<"$semantic"); do
    [ -f "$here/bad/$name.yaml" ] || wrong+="$name is listed but tests/gen/bad/$name.yaml does not exist"$'\n'
done
nsem=$(grep -c '^[a-z]' <<<"$semantic")
if [ -z "$wrong" ]; then
    ok "schema/$((nbad - nsem)) bad manifests fail the schema; $nsem mistakes no schema can see pass it"
else
    bad "schema/bad manifests fail the schema" "$wrong"
fi

"$anx" schema extra >/dev/null 2>"$sc/usage.err"
rc=$?
if [ $rc -eq 2 ] && grep -q '^usage: anx schema' "$sc/usage.err" && "$anx" schema --help | grep -q 'yaml-language-server' &&
    "$anx" --help | grep -q '^  schema '; then
    ok "schema/usage: an argument is exit 2; --help; anx --help lists it"
else
    bad "schema/usage: an argument is exit 2; --help; anx --help lists it" "exit $rc: $(cat "$sc/usage.err")"
fi
