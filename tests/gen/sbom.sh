# sbom.cdx.json (sourced by tests/gen/run.sh, which sets anx, out, here, root,
# ok and bad): the image of tests/gen/runner/third-party.yaml plus a file,
# built with the fake tree's third-party sources and their pin
# (tree/scripts/third_party/fake.sha256), validated against the official
# CycloneDX 1.5 schema (scripts/cyclonedx_schema.sh fetches it from npm into
# ~/.cache/anunix) and checked for its content: every module with the hashes
# of its sources, the third-party tree with its Debian version, pinned
# hashes and licences, the files archive's entries, the dependencies, the
# compiler; byte-identical rebuilds; SOURCE_DATE_EPOCH; the GPL line once.
so=$out/sbom
mkdir -p "$so"
cd "$so"
cp "$here/runner/motd.txt" .
printf 'name: third-party\nplatform: fake\nmodules:\n  tp-user: {}\nfiles:\n  /etc/motd: motd.txt\n' >third-party.yaml
ANX_THIRD_PARTY=$here/tree/third_party "$anx" build third-party.yaml -o "$so/b1" >"$so/b1.log" 2>&1
rc=$?
if [ $rc -ne 0 ] || [ ! -s "$so/b1/sbom.cdx.json" ] || ! grep -qx '  sbom     b1/sbom.cdx.json' "$so/b1.log"; then
    bad "sbom/the build writes sbom.cdx.json beside report.json and says so" "exit $rc: $(cat "$so/b1.log")"
else
    ok "sbom/the build writes sbom.cdx.json beside report.json and says so"
fi

if python3 - "$so/b1" "$here/tree" >"$so/py.log" 2>&1 <<'EOF'; then
import hashlib, json, os, subprocess, sys
b, tree = sys.argv[1], sys.argv[2]
s = json.load(open(b + "/sbom.cdx.json"))
r = json.load(open(b + "/report.json"))
sha = lambda p: hashlib.sha256(open(p, "rb").read()).hexdigest()
assert s["bomFormat"] == "CycloneDX" and s["specVersion"] == "1.5", s
assert s["metadata"]["timestamp"] == "2024-01-01T00:00:00Z", s["metadata"]["timestamp"]
img = s["metadata"]["component"]
assert img["name"] == "third-party" and img["type"] == "operating-system", img
props = {p["name"]: p["value"] for p in img["properties"]}
assert props["anunix:platform"] == "fake", props
elf = [o for o in r["outputs"] if o["kind"] == "elf"][0]
assert img["hashes"] == [{"alg": "SHA-256", "content": elf["sha256"]}], img["hashes"]
assert props["anunix:output:elf"] == "image.elf sha256:" + elf["sha256"], props
# every module of the image, in init order, with its licence and sources
comps = {c["bom-ref"]: c for c in s["components"]}
mods = [c["name"] for c in s["components"] if c["bom-ref"].startswith("module:")]
assert mods == [m["name"] for m in r["modules"]], (mods, r["modules"])
tp = comps["module:tp"]
assert tp["licenses"] == [{"expression": "MIT"}], tp
srcs = {f["name"]: f["hashes"][0]["content"] for f in tp["components"]}
assert list(srcs) == ["modules/tp/tp.c"], srcs
assert srcs["modules/tp/tp.c"] == sha(tree + "/modules/tp/tp.c"), srcs
# the third-party tree: its pin, its entries' licences joined, no absolute path
fake = comps["third-party:fake"]
assert fake["name"] == "fakelib" and fake["version"] == "1.2+dfsg-3", fake
assert fake["purl"] == "pkg:deb/debian/fakelib@1.2%2Bdfsg-3?arch=source", fake
assert fake["hashes"] == [{"alg": "SHA-256", "content": "1" * 64}], fake
assert fake["licenses"] == [{"expression": "MIT AND GPL-2.0-only"}], fake
fp = [(p["name"], p["value"]) for p in fake["properties"]]
assert ("anunix:pinned:fakelib_1.2+dfsg.orig.tar.xz", "2" * 64) in fp, fp
assert ("anunix:debian-suite", "trixie") in fp and ("anunix:entry", "tp:fake-again") in fp, fp
assert img["licenses"] == [{"expression": "MIT AND GPL-2.0-only"}], img
# the files archive: each entry at its image path with its hash
files = [c for c in s["components"] if c["type"] == "file"]
assert [f["name"] for f in files] == ["/etc/motd"], files
assert files[0]["hashes"][0]["content"] == sha(os.path.join(os.getcwd(), "motd.txt")), files
# dependencies: the image on its modules and files, tp on its tree, tp-user on tp
deps = {d["ref"]: d["dependsOn"] for d in s["dependencies"]}
assert set(deps["image"]) == {"module:" + m for m in mods} | {"file:/etc/motd"}, deps
assert "third-party:fake" in deps["module:tp"] and "module:tp" in deps["module:tp-user"], deps
refs = set(comps) | {"image"}
assert all(x in refs for d in deps.values() for x in d) and set(deps) <= refs, deps
# the compiler that made the objects
cc = subprocess.run(["gcc", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
tools = s["metadata"]["tools"]["components"]
assert [t["name"] for t in tools] == ["anx", "gcc"], tools
assert tools[1]["description"] == "compiler: " + cc, tools
assert "/" + os.path.basename(b) + "/" not in open(b + "/sbom.cdx.json").read(), "an absolute build path"
EOF
    ok "sbom/modules with source hashes, the pinned third-party tree, files, dependencies, compiler"
else
    bad "sbom/modules with source hashes, the pinned third-party tree, files, dependencies, compiler" \
        "$(cat "$so/py.log")"
fi

if [ "$(grep -c 'this image combines GPL code' "$so/b1.log")" = 1 ] &&
    grep -q "^  license  this image combines GPL code: tp's fake-again (GPL-2.0-only); .*sbom.cdx.json" "$so/b1.log"; then
    ok "sbom/the GPL line is printed once and names the SBOM"
else
    bad "sbom/the GPL line is printed once and names the SBOM" "$(cat "$so/b1.log")"
fi

# Deterministic: a clean rebuild and a rebuild a second later give the same
# bytes; SOURCE_DATE_EPOCH sets the time and nothing else.
cp "$so/b1/sbom.cdx.json" "$so/first.json"
rm -rf "$so/b1"
sleep 1
ANX_THIRD_PARTY=$here/tree/third_party "$anx" build third-party.yaml -o "$so/b1" >/dev/null 2>&1
ANX_THIRD_PARTY=$here/tree/third_party SOURCE_DATE_EPOCH=86400 "$anx" build third-party.yaml -o "$so/b2" \
    >"$so/b2.log" 2>&1
if cmp -s "$so/first.json" "$so/b1/sbom.cdx.json" &&
    python3 -c 'import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:])
ta, tb = a["metadata"].pop("timestamp"), b["metadata"].pop("timestamp")
sys.exit(not (a == b and tb == "1970-01-02T00:00:00Z"))' "$so/first.json" "$so/b2/sbom.cdx.json"; then
    ok "sbom/a clean rebuild is byte-identical; SOURCE_DATE_EPOCH changes only the timestamp"
else
    bad "sbom/a clean rebuild is byte-identical; SOURCE_DATE_EPOCH changes only the timestamp" \
        "$(diff "$so/first.json" "$so/b1/sbom.cdx.json" | head; diff "$so/first.json" "$so/b2/sbom.cdx.json" | head)"
fi

# The official schema: the SBOM validates, and the validator is not a
# formality (a wrong component type fails).
schema_dir=$("$root/scripts/cyclonedx_schema.sh" 2>"$so/fetch.err")
case $? in
0)
    python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); d["components"][0]["type"] = "module"
json.dump(d, open(sys.argv[2], "w"))' "$so/b1/sbom.cdx.json" "$so/broken.json"
    if python3 "$here/sbom_schema.py" "$schema_dir" "$so/b1/sbom.cdx.json" "$so/b2/sbom.cdx.json" >"$so/valid.log" 2>&1 &&
        ! python3 "$here/sbom_schema.py" "$schema_dir" "$so/broken.json" >"$so/invalid.log" 2>&1 &&
        grep -q "^invalid .*'module' is not one of .* at /components/0/type" "$so/invalid.log"; then
        ok "sbom/valid against the official CycloneDX 1.5 schema (a broken one is not)"
    else
        bad "sbom/valid against the official CycloneDX 1.5 schema (a broken one is not)" \
            "$(cat "$so/valid.log" "$so/invalid.log")"
    fi
    ;;
3) echo "skip  sbom/CycloneDX 1.5 schema validation: $(cat "$so/fetch.err")" ;;
*) bad "sbom/fetching the CycloneDX 1.5 schema" "$(cat "$so/fetch.err")" ;;
esac
