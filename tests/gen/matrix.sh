# anx matrix against the fake platform of tests/gen/tree (sourced by
# tests/gen/run.sh, which sets anx, out, here, root, ok and bad): bad matrix
# files, the plain lines and closing line, skips, failures with their log's
# tail, JUnit and JSON, runs sharing a build folder never overlapping (and
# others overlapping under -j 2), the live table on a terminal, SIGTERM, a
# run's timeout, and
# examples/ci (its YAML parses, every command it runs exists).
mx=$here/matrix
mo=$out/matrix
mkdir -p "$mo"
cd "$mx"

# Bad matrix files: exit 2, the first stderr line as in NAME.expect, nothing run.
for f in bad-*.yaml; do
    name=matrix/$f
    want=$(cat "${f%.yaml}.expect" 2>/dev/null) || { bad "$name" "missing ${f%.yaml}.expect"; continue; }
    rm -rf "$mo/logs"
    "$anx" matrix "$f" --logs "$mo/logs" >"$mo/stdout" 2>"$mo/stderr"
    rc=$?
    got=$(head -1 "$mo/stderr")
    if [ $rc -eq 2 ] && [ "$got" = "$want" ] && [ ! -e "$mo/logs" ] && [ ! -s "$mo/stdout" ]; then
        ok "$name"
    else
        bad "$name" "exit $rc; got:      $got"$'\n'"expected: $want"$'\n'"$(cat "$mo/stdout")"
    fi
done

# A good file: two modes of one build, a script in two modes (its arguments
# checked by the script), a skipping script, a needs: that is absent.
"$anx" matrix ok.yaml -j 2 --logs "$mo/ok-logs" --junit "$mo/ok.xml" --json "$mo/ok.json" >"$mo/ok.out" 2>"$mo/ok.err"
rc=$?
if [ $rc -eq 0 ] && [ "$(tail -1 "$mo/ok.out")" = "4 passed, 0 failed, 2 skipped" ] &&
    grep -qE '^ok   \.\./runner/pass\.yaml fake +[0-9.]+s$' "$mo/ok.out" &&
    grep -qE '^ok   \.\./runner/pass\.yaml fake --boot direct +[0-9.]+s$' "$mo/ok.out" &&
    grep -qE '^ok   args\.sh fake --boot slow +[0-9.]+s$' "$mo/ok.out" &&
    grep -qx 'skip  skip.sh fake: the frobnicator is absent' "$mo/ok.out" &&
    grep -qx 'skip  ../runner/pass.yaml fake-arm: no-such-model.bin is absent' "$mo/ok.out" &&
    grep -qx 'args.sh: fake slow' "$mo/ok-logs/args.sh_fake_--boot_slow.log"; then
    ok "matrix/a file: ok and skip lines, script arguments, needs:, 'N passed, N failed, N skipped'"
else
    bad "matrix/a file: ok and skip lines, script arguments, needs:, 'N passed, N failed, N skipped'" \
        "exit $rc: $(cat "$mo/ok.out" "$mo/ok.err")"
fi
if python3 - "$mo/ok.xml" "$mo/ok.json" >"$mo/py.log" 2>&1 <<'EOF'; then
import json, sys, xml.etree.ElementTree as ET
x = ET.parse(sys.argv[1]).getroot()
assert x.tag == "testsuites" and x.get("tests") == "6" and x.get("skipped") == "2" and x.get("failures") == "0", x.attrib
cases = {c.get("name"): c for c in x.iter("testcase")}
assert cases["skip.sh fake"].find("skipped").get("message") == "the frobnicator is absent"
assert float(cases["../runner/pass.yaml fake"].get("time")) > 0
j = json.load(open(sys.argv[2]))
assert (j["passed"], j["failed"], j["skipped"]) == (4, 0, 2), j
r = {x["label"]: x for x in j["runs"]}
assert r["args.sh fake --boot slow"]["script"] == "args.sh" and r["args.sh fake --boot slow"]["boot"] == "slow"
assert r["../runner/pass.yaml fake-arm"]["result"] == "skipped"
EOF
    ok "matrix/--junit and --json of a file"
else
    bad "matrix/--junit and --json of a file" "$(cat "$mo/py.log")"
fi

# A failing run: FAIL, the last 40 lines of its log indented, exit 1, <failure>.
"$anx" matrix fail.yaml --logs "$mo/fail-logs" --junit "$mo/fail.xml" >"$mo/fail.out" 2>&1
rc=$?
tailn=$(sed -n '/^FAIL /,/^[^ ]/p' "$mo/fail.out" | grep -c '^    | ')
if [ $rc -eq 1 ] && grep -qE '^FAIL \.\./runner/fail\.yaml fake +[0-9.]+s  \(exit status 1\)$' "$mo/fail.out" &&
    grep -qx '    | 1 passed, 4 failed' "$mo/fail.out" && [ "$tailn" -le 40 ] && [ "$tailn" -ge 10 ] &&
    grep -qx '1 passed, 1 failed, 0 skipped' "$mo/fail.out" &&
    grep -q '<failure message="exit status 1">' "$mo/fail.xml" && grep -q 'serial &quot;never printed&quot; *FAIL' "$mo/fail.xml"; then
    ok "matrix/a failure: its log's tail under FAIL, exit 1, <failure> in JUnit"
else
    bad "matrix/a failure: its log's tail under FAIL, exit 1, <failure> in JUnit" "exit $rc ($tailn lines): $(cat "$mo/fail.out")"
fi

# Scheduling: two manifests named alike share a build folder (build/NAME-PLATFORM):
# never at the same time, even with -j 2; named apart they run side by side.
# The slow boot mode makes each run last about a second.
mkdir -p "$mo/a" "$mo/b" "$mo/c"
cp "$here/runner/slow.yaml" "$mo/a/"
cp "$here/runner/slow.yaml" "$mo/b/"
sed 's/^name: slow/name: slow2/' "$here/runner/slow.yaml" >"$mo/c/slow2.yaml"
cat >"$mo/a/lock.sh" <<'EOF'
# builds slow.yaml (named here, so anx matrix locks its build folder), a second long
sleep 1
EOF
overlap() {   # overlap JSON LABEL1 LABEL2: exit 0 when the two runs' times overlap
    python3 - "$@" <<'EOF'
import json, sys
r = {x["label"]: x for x in json.load(open(sys.argv[1]))["runs"]}
a, b = r[sys.argv[2]], r[sys.argv[3]]
assert a["seconds"] > 0.5 and b["seconds"] > 0.5, (a, b)
sys.exit(0 if a["start"] < b["start"] + b["seconds"] and b["start"] < a["start"] + a["seconds"] else 1)
EOF
}
cd "$mo"
"$anx" matrix a/slow.yaml b/slow.yaml -p fake --boot slow -j 2 --json "$mo/same.json" >"$mo/same.out" 2>&1
"$anx" matrix a/slow.yaml c/slow2.yaml -p fake --boot slow -j 2 --json "$mo/apart.json" >"$mo/apart.out" 2>&1
printf 'runs:\n  - manifest: slow.yaml\n    platforms: [fake]\n    boot: [slow]\n  - script: lock.sh\n    platforms: [fake]\n' >"$mo/a/m.yaml"
"$anx" matrix a/m.yaml -j 2 --json "$mo/script.json" >"$mo/script.out" 2>&1
if overlap same.json "a/slow.yaml fake --boot slow" "b/slow.yaml fake --boot slow"; then
    bad "matrix/two manifests of one name (one build folder) never run at once" "$(cat same.json)"
elif ! overlap apart.json "a/slow.yaml fake --boot slow" "c/slow2.yaml fake --boot slow"; then
    bad "matrix/-j 2 runs two builds side by side" "$(cat apart.json)"
elif overlap script.json "a/slow.yaml fake --boot slow" "a/lock.sh fake"; then
    bad "matrix/a script naming a manifest waits for its build folder" "$(cat script.json)"
else
    ok "matrix/runs sharing a build folder (same name:, a script naming it) never overlap; others do under -j 2"
fi

# From the command line: manifests x -p x --boot; unknown names stop it before anything runs.
"$anx" matrix "$here/runner/pass.yaml" -p fake -p fake-iso --boot default --logs "$mo/cli-logs" >"$mo/cli.out" 2>&1
rc=$?
"$anx" matrix "$here/runner/pass.yaml" -p fake -p fake-ram --logs "$mo/cli-bad" >"$mo/cli-bad.out" 2>&1
rc2=$?
"$anx" matrix "$here/runner/pass.yaml" --boot nope --logs "$mo/cli-bad" >"$mo/cli-mode.out" 2>&1
rc3=$?
if [ $rc -eq 0 ] && grep -qx '2 passed, 0 failed, 0 skipped' "$mo/cli.out" &&
    [ $rc2 -eq 2 ] && grep -qx "anx: error: unknown platform 'fake-ram' (did you mean 'fake-arm'?); the platforms are: broken-arch-key, broken-arch-ld, broken-arch-name, broken-arch-path, broken-arch-twice, broken-plat, fake, fake-arm, fake-iso" "$mo/cli-bad.out" &&
    [ $rc3 -eq 2 ] && grep -qx "anx: error: platform 'fake' has no boot mode 'nope'; its modes are: default, direct, slow, iso" "$mo/cli-mode.out" &&
    [ ! -e "$mo/cli-bad" ]; then
    ok "matrix/manifests x -p x --boot; an unknown platform or mode named before anything runs"
else
    bad "matrix/manifests x -p x --boot; an unknown platform or mode named before anything runs" \
        "exit $rc $rc2 $rc3: $(cat "$mo/cli.out" "$mo/cli-bad.out" "$mo/cli-mode.out")"
fi
"$anx" matrix "$here/runner/pass.yaml" -j 0 >"$mo/stdout" 2>&1
rc=$?
if [ $rc -eq 2 ] && grep -qx "anx: error: --jobs expects a number from 1 to 256, found '0'" "$mo/stdout" &&
    "$anx" --help | grep -q '^  matrix \[FILE\]' && "$anx" matrix --help >"$mo/help" &&
    for o in --platform --boot --jobs --junit --json --logs --list --timeout runs: manifest: script: platforms: needs: timeout:; do
        grep -q -- "$o" "$mo/help" || { echo "no $o in anx matrix --help"; false; } || break
    done; then
    ok "matrix/-j 0 refused; anx --help lists matrix; anx matrix --help names every option and key"
else
    bad "matrix/-j 0 refused; anx --help lists matrix; anx matrix --help names every option and key" "$(cat "$mo/stdout")"
fi

# On a terminal: the live table (what runs, the counts) above the result lines.
if command -v script >/dev/null; then
    TERM=xterm script -qec "$anx matrix a/slow.yaml c/slow2.yaml -p fake --boot slow -j 2 --logs $mo/tty-logs" \
        /dev/null >"$mo/tty.out" 2>&1
    sed $'s/\033\\[[0-9;]*[a-zA-Z]//g' "$mo/tty.out" >"$mo/tty.txt"   # the text without colours and moves
    if grep -q 'running  a/slow.yaml fake --boot slow' "$mo/tty.txt" && grep -q '\[0/2\] 0 passed, 0 failed' "$mo/tty.txt" &&
        grep -q $'\033\\[[0-9]*A' "$mo/tty.out" && grep -q '0 passed, 2 failed, 0 skipped' "$mo/tty.txt"; then
        ok "matrix/a live table on a terminal"
    else
        bad "matrix/a live table on a terminal" "$(cat -v "$mo/tty.out" | tail -20)"
    fi
fi

# SIGTERM stops the runs (a boot of the slow mode would take 30 s).
"$anx" matrix "$here/runner/pass.yaml" -p fake --boot slow --logs "$mo/term-logs" >"$mo/term.out" 2>&1 &
mpid=$!
sleep 1.5
kill -TERM $mpid
start=$(date +%s)
wait $mpid
rc=$?
if [ $rc -eq 1 ] && [ $(($(date +%s) - start)) -le 5 ] && grep -q 'anx matrix: stopped by SIGTERM' "$mo/term.out"; then
    ok "matrix/SIGTERM stops the runs"
else
    bad "matrix/SIGTERM stops the runs" "exit $rc: $(cat "$mo/term.out")"
fi

# A run past its timeout (the slow mode's 30 s boot, given 3 s) is stopped
# and fails saying so, without waiting for it; a bad timeout is refused.
start=$(date +%s)
"$anx" matrix "$here/runner/pass.yaml" -p fake --boot slow --timeout 3s --logs "$mo/tmo-logs" >"$mo/tmo.out" 2>&1
rc=$?
printf 'runs:\n  - manifest: %s\n    platforms: [fake]\n    timeout: soon\n' "$here/runner/pass.yaml" >"$mo/tmo-bad.yaml"
"$anx" matrix "$mo/tmo-bad.yaml" >"$mo/tmo-bad.out" 2>&1
rc2=$?
if [ $rc -eq 1 ] && [ $(($(date +%s) - start)) -le 12 ] && grep -q '^FAIL .*pass.yaml fake --boot slow .*timed out after 3 s' "$mo/tmo.out" &&
    [ $rc2 -eq 2 ] && grep -q "tmo-bad.yaml:4:14: error: timeout 'soon' is not a duration (90s, 5m, 1h)" "$mo/tmo-bad.out"; then
    ok "matrix/a run past its timeout is stopped and fails 'timed out'; a bad timeout: is refused"
else
    bad "matrix/a run past its timeout is stopped and fails 'timed out'; a bad timeout: is refused" \
        "exit $rc $rc2: $(cat "$mo/tmo.out" "$mo/tmo-bad.out")"
fi

# examples/ci: the workflow's YAML parses; every repository path its run:
# steps name exists; its matrix file is valid for the real tree.
if python3 - "$root" >"$mo/ci.log" 2>&1 <<'EOF' &&
import os, re, shlex, sys, yaml
root = sys.argv[1]
wf = yaml.safe_load(open(os.path.join(root, "examples/ci/github-actions.yml")))
steps = [s for job in wf["jobs"].values() for s in job["steps"]]
assert any(s.get("uses", "").startswith("actions/upload-artifact") for s in steps), "no artifact upload"
runs = [s["run"] for s in steps if "run" in s]
assert runs, "no run: steps"
named = 0
for text in runs:
    for line in text.splitlines():
        line = line.split("#")[0].strip()
        if not line:
            continue
        for word in shlex.split(line):
            # a path inside the repository: scripts/setup.sh, gen/anx, examples/ci/matrix.yaml
            if re.match(r"^[a-z][\w.-]*/[\w./-]+$", word) and not word.startswith("build/"):
                assert os.path.exists(os.path.join(root, word)), f"{word} (in: {line}) is not in the repository"
                named += 1
assert named >= 3, named
print(named, "paths")
EOF
    ANX_ROOT=$root "$anx" matrix "$root/examples/ci/matrix.yaml" --list >"$mo/ci-list.out" 2>&1; then
    ok "matrix/examples/ci/github-actions.yml parses, names only existing paths; its matrix.yaml is valid"
else
    bad "matrix/examples/ci/github-actions.yml parses, names only existing paths; its matrix.yaml is valid" \
        "$(cat "$mo/ci.log" "$mo/ci-list.out" 2>/dev/null)"
fi
cd "$here"
