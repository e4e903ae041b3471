#!/usr/bin/env bash
# The SSH server with Debian's OpenSSH client (docs/ssh.md): boots
# tests/boot/ssh.yaml with `anx run`, keys and a password made now and
# given with --secret, then
#   - the host key ssh sees is the one the image logs;
#   - `ssh HOST -- CMD` runs one command: its output, its exit status
#     (1 for a failing command, 127 for an unknown one);
#   - the shell over a pty (ssh -tt): prompt, echo, `exit 3` ends it with 3;
#   - a key not in authorized_keys, an RSA key and a wrong password are
#     refused, the right password is accepted (SSH_ASKPASS);
#   - 10 MiB put over HTTP and read back with `ssh HOST -- store cat` is
#     byte for byte the same; the time it took is printed;
#   - the image re-keys by itself (rekey_bytes: 1M, rekey_interval: 3s in
#     ssh.yaml): that read goes through ~10 exchanges the server started
#     (its closing log line counts them) and arrives intact (sha256); 2 MiB
#     of commands piped into a shell (ssh -T) come back as their output
#     through server re-keys; each of 16 idle sessions re-keys by time;
#   - a re-key every 256 KiB during that read (ssh -o RekeyLimit), 16
#     sessions at once and the 17th refused, a key with scopes="objects"
#     runs store but not echo, poweroff or a shell, a client offering only
#     ciphers we lack and a peer sending garbage are closed cleanly while
#     another session goes on, the banner, the idle timeout;
#   - the image is still up and logged no fault.
# Usage: tests/boot/ssh.sh [PLATFORM [MODE]]   (default x86_64-pc)
set -uo pipefail
source "$(dirname "$0")/lib.sh"
command -v ssh >/dev/null || { echo "skip  ssh.sh: no ssh client (apt-get install openssh-client)"; exit 77; }
fresh_out ssh-test
ssh-keygen -q -t ed25519 -N '' -C ssh-test-user -f "$out/user"
ssh-keygen -q -t ed25519 -N '' -C ssh-test-other -f "$out/other"
ssh-keygen -q -t rsa -b 2048 -N '' -C ssh-test-rsa -f "$out/rsa"
ssh-keygen -q -t ed25519 -N '' -C ssh-test-host -f "$out/host"
ssh-keygen -q -t ed25519 -N '' -C ssh-test-objects -f "$out/objects"
cp "$out/user.pub" "$out/authorized_keys"
printf 'restrict,scopes="objects" %s\n' "$(cat "$out/objects.pub")" >>"$out/authorized_keys"   # store only
pw="pw-$(head -c 12 /dev/urandom | base64 | tr -d '/+=')"
printf '%s\n' "$pw" >"$out/password"
printf '#!/bin/sh\necho "%s"\n' "$pw" >"$out/askpass"
printf '#!/bin/sh\necho wrong-password\n' >"$out/askpass-wrong"
chmod +x "$out/askpass" "$out/askpass-wrong"

gen/anx build tests/boot/ssh.yaml -p "$platform" >"$out/build.log" 2>&1 || { cat "$out/build.log"; exit 1; }
sshport=$(free_port)
httpport=$(free_port)
log=$out/console.log
start_image "$log" "ssh: listening on port 22" tests/boot/ssh.yaml -p "$platform" "${boot[@]}" \
    --port "$sshport:22" --port "$httpport:8080" --secret ssh-host-key="$out/host" \
    --secret ssh-authorized-keys="$out/authorized_keys" --secret admin-password="$out/password" ||
    { echo "FAIL the server did not start; console:"; tail -n 30 "$log"; exit 1; }

opts=(-p "$sshport" -o IdentitiesOnly=yes -o UserKnownHostsFile="$out/known_hosts"
      -o StrictHostKeyChecking=accept-new -o ConnectTimeout=30)
key=(-o BatchMode=yes -i "$out/user")
# ssh takes the first value an option gets: LogLevel comes from $loglevel
run_ssh() { timeout 120 ssh -o LogLevel="${loglevel:-ERROR}" "${opts[@]}" "$@"; }
# The server's closing line of the next connection to end after the log
# had $1 of them (written once its slot is free), waited for up to 10 s.
closing_after() {
    for _ in $(seq 1 100); do [ "$(grep -c ': closed' "$log")" -gt "$1" ] && break; sleep 0.1; done
    grep ': closed' "$log" | sed -n "$(($1 + 1))p"
}
kex_total() { sed -n 's/.*closed (\([0-9]*\) key exchanges.*/\1/p' <<<"$1"; }
kex_ours() { sed -n 's/.*key exchanges, \([0-9]*\) started by the server.*/\1/p' <<<"$1"; }
sha() { sha256sum <"$1" | cut -d' ' -f1; }

want=$(ssh-keygen -l -f "$out/host.pub" | awk '{print $2}')
check "the image logs the provisioned host key ($want)" grep -q "host key ED25519 $want" "$log"

start=$(date +%s.%N)
outp=$(run_ssh "${key[@]}" anx@127.0.0.1 -- echo hello from ssh 2>&1); rc=$?
first=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.2f", e - s }')
check "exec: echo prints its words, exit 0 (connect, kex, auth, run: ${first}s)" \
    test "$rc" = 0 -a "$outp" = "hello from ssh"
check "the host key ssh recorded is the provisioned one" \
    sh -c "ssh-keygen -l -f '$out/known_hosts' | grep -q '$want'"
outp=$(run_ssh "${key[@]}" anx@127.0.0.1 -- cat /no/such/file 2>&1); rc=$?
check "exec: a failing command exits 1 with its message" test "$rc" = 1 -a "$outp" = "cat: /no/such/file: no such file"
outp=$(run_ssh "${key[@]}" anx@127.0.0.1 -- nosuchcommand 2>&1); rc=$?
check "exec: an unknown command exits 127" sh -c "test $rc = 127 && echo '$outp' | grep -q 'nosuchcommand'"

outp=$(printf 'echo typed over a pty\nexit 3\n' | run_ssh -tt "${key[@]}" anx@127.0.0.1 2>&1); rc=$?
printf '%s\n' "$outp" | sed 's/^/    | /' | head -n 8
pty_ok() { [ "$rc" = 3 ] && grep -q 'anx> echo typed' <<<"$outp" && grep -q $'^typed over a pty\r$' <<<"$outp"; }
check "shell over a pty: prompt, echo, output with CR LF, exit 3 gives 3" pty_ok
outp=$(printf 'echo no pty here\n' | run_ssh -T "${key[@]}" anx@127.0.0.1 2>&1); rc=$?
check "shell without a pty: no prompt, no echo, ends at the end of input with 0" test "$rc" = 0 -a "$outp" = "no pty here"

outp=$(run_ssh -o BatchMode=yes -i "$out/other" anx@127.0.0.1 -- echo nope 2>&1); rc=$?
check "a key not in authorized_keys is refused" sh -c "test $rc = 255 && echo '$outp' | grep -q 'Permission denied'"
outp=$(run_ssh -o BatchMode=yes -i "$out/rsa" anx@127.0.0.1 -- echo nope 2>&1); rc=$?
check "an RSA key is refused (ssh-ed25519 only)" test "$rc" = 255
outp=$(run_ssh "${key[@]}" root@127.0.0.1 -- echo nope 2>&1); rc=$?
check "another user name is refused" test "$rc" = 255
pwopts=(-o BatchMode=no -o PubkeyAuthentication=no -o PreferredAuthentications=password -o NumberOfPasswordPrompts=1)
outp=$(SSH_ASKPASS="$out/askpass" SSH_ASKPASS_REQUIRE=force run_ssh "${pwopts[@]}" anx@127.0.0.1 -- echo by password </dev/null 2>&1); rc=$?
check "the password logs in" test "$rc" = 0 -a "$outp" = "by password"
outp=$(SSH_ASKPASS="$out/askpass-wrong" SSH_ASKPASS_REQUIRE=force run_ssh "${pwopts[@]}" anx@127.0.0.1 -- echo nope </dev/null 2>&1); rc=$?
check "a wrong password is refused" test "$rc" = 255

# a key with scopes="objects": the store, nothing else, no shell
okey=(-o BatchMode=yes -i "$out/objects")
outp=$(run_ssh "${okey[@]}" anx@127.0.0.1 -- store ls 2>&1); rc=$?
check "a key with scopes=\"objects\" runs store (exit $rc)" test "$rc" = 0
outp=$(run_ssh "${okey[@]}" anx@127.0.0.1 -- echo hi 2>&1); rc=$?
denied_ok() { [ "$rc" = 126 ] && grep -qF "echo: not allowed here: it needs the scope 'console' (this session has: objects)" <<<"$outp"; }
check "  but not echo (console): 126, naming the scope" denied_ok
outp=$(run_ssh "${okey[@]}" anx@127.0.0.1 -- poweroff 2>&1); rc=$?
check "  nor poweroff (admin): 126, the image still up" sh -c "test $rc = 126 && kill -0 $pid"
outp=$(printf 'echo x\n' | run_ssh -tt "${okey[@]}" anx@127.0.0.1 2>&1); rc=$?
check "  nor a shell: 126 with the reason" sh -c "test $rc = 126 && echo '$outp' | grep -q 'this key may not open a shell (its scopes: objects)'"
check "  its login logged with the scopes" grep -q "anx's key may use the scopes objects" "$log"

# the audit trail: logins (with the key's fingerprint), failures, commands with their status
userfp=$(ssh-keygen -l -f "$out/user.pub" | awk '{print $2}')
run_ssh "${key[@]}" anx@127.0.0.1 -- audit >"$out/audit.txt" 2>&1
audit_ok() {
    grep -q "\"who\": \"ssh:anx\", \"action\": \"login publickey $userfp\", \"target\": \"ssh\", \"result\": \"ok\"" "$out/audit.txt" &&
    grep -q '"who": "ssh:anx", "action": "login password", "target": "ssh", "result": "failed"' "$out/audit.txt" &&
    grep -q '"action": "exec", "target": "cat /no/such/file", "result": "exit 1"' "$out/audit.txt" &&
    ! grep -qF -- "$pw" "$out/audit.txt"
}
check "the audit trail has the logins (key fingerprint, failed password) and commands with their status" audit_ok
nver=$(run_ssh "${key[@]}" anx@127.0.0.1 -- store log audit/events 2>/dev/null | grep -c .)
check "the audit module kept each event as a version of audit/events ($nver)" test "$nver" -ge 10

head -c 7864320 /dev/urandom | base64 -w 76 >"$out/big"   # 10 MiB of text, ending in a newline
size=$(stat -c %s "$out/big")
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 120 -X PUT -H 'Content-Type: text/plain' \
       --data-binary @"$out/big" "http://127.0.0.1:$httpport/api/v1/objects/big/file")
check "10 MiB object stored over HTTP ($code)" test "$code" = 201 -o "$code" = 200
closed0=$(grep -c ': closed' "$log")
start=$(date +%s.%N)
run_ssh "${key[@]}" anx@127.0.0.1 -- store cat big/file >"$out/big.back" 2>"$out/big.err"; rc=$?
secs=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.2f", e - s }')
mib=$(awk -v n="$size" -v s="$secs" 'BEGIN { printf "%.2f", n / 1048576 / s }')
echo "    store cat of $size bytes over ssh: ${secs}s, $mib MiB/s"
check "store cat over ssh gives back the $size bytes" cmp -s "$out/big" "$out/big.back"
line=$(closing_after "$closed0")
total=$(kex_total "$line"); ours=$(kex_ours "$line")
echo "    server: $line"
self_rekey_ok() {
    [ "${ours:-0}" -ge $((size / 1048576 - 1)) ] && [ "${total:-0}" -gt "${ours:-0}" ] &&
    [ "$(sha "$out/big")" = "$(sha "$out/big.back")" ]
}
what="with no client RekeyLimit the server re-keyed every MiB by itself (${ours:-?} of ${total:-?})"
check "  $what, sha256 equal" self_rekey_ok
# the baseline in the same run: the same object over plain HTTP (no crypto)
start=$(date +%s.%N)
curl -s --max-time 120 -o "$out/big.http" "http://127.0.0.1:$httpport/api/v1/objects/big/file"
hsecs=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.2f", e - s }')
echo "    the same object over HTTP: ${hsecs}s, $(awk -v n="$size" -v s="$hsecs" 'BEGIN { printf "%.2f", n / 1048576 / s }') MiB/s (ssh takes $(awk -v a="$secs" -v b="$hsecs" 'BEGIN { printf "%.1f", a / b }')x as long)"

closed0=$(grep -c ': closed' "$log")
start=$(date +%s.%N)
run_ssh "${key[@]}" -o RekeyLimit=256K anx@127.0.0.1 -- store cat big/file >"$out/big.rekey" 2>"$out/big.err"; rc=$?
rsecs=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.2f", e - s }')
check "store cat with a re-key every 256 KiB gives back the same bytes" cmp -s "$out/big" "$out/big.rekey"
# the server's closing line, written once the connection's slot is free:
# the next test needs all 16 slots
line=$(closing_after "$closed0")
rekeys=$(kex_total "$line"); ours=$(kex_ours "$line")
theirs=$((${rekeys:-0} - ${ours:-0} - 1))
echo "    the same with a re-key every 256 KiB: ${rsecs}s, $rekeys key exchanges ($ours ours)"
check "the server went through the client's re-keys ($theirs besides the first and its own)" \
    test "$theirs" -ge 3

# client to server: lines of commands piped into a shell without a pty,
# their output back, while the server re-keys (its window adjustments wait)
head -c 1572864 /dev/urandom | base64 -w 76 >"$out/up.txt"   # 2 MiB of text lines
sed 's/^/echo /' "$out/up.txt" >"$out/up.cmds"
closed0=$(grep -c ': closed' "$log")
start=$(date +%s.%N)
run_ssh -T "${key[@]}" anx@127.0.0.1 <"$out/up.cmds" >"$out/up.back" 2>"$out/up.err"; rc=$?
usecs=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.2f", e - s }')
line=$(closing_after "$closed0")
total=$(kex_total "$line"); ours=$(kex_ours "$line")
echo "    $(stat -c %s "$out/up.cmds") bytes of commands into a shell, their output back: ${usecs}s"
echo "    server: $line"
up_ok() { [ "$rc" = 0 ] && [ "$(sha "$out/up.txt")" = "$(sha "$out/up.back")" ]; }
check "2 MiB in through a shell and out across ${ours:-?} server re-keys: intact (sha256)" up_ok
check "  the server re-keyed at least twice on that connection" test "${ours:-0}" -ge 2

echo "== 16 sessions at once, the 17th refused (max_connections: 16)"
closed16=$(grep -c ': closed' "$log")
pids=()
start=$(date +%s.%N)
for i in $(seq 1 16); do
    run_ssh "${key[@]}" anx@127.0.0.1 -- sleep 6000 >"$out/many.$i" 2>&1 &
    pids+=($!)
done
for _ in $(seq 1 300); do [ "$(grep -c 'exec: sleep 6000' "$log")" -ge 16 ] && break; sleep 0.1; done
outp=$(run_ssh "${key[@]}" anx@127.0.0.1 -- echo seventeenth 2>&1); rc17=$?
ok16=0
for p in "${pids[@]}"; do wait "$p" && ok16=$((ok16 + 1)); done
secs16=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
check "16 sessions of 6 s each ran side by side ($ok16 exited 0 after ${secs16}s)" \
    test "$ok16" = 16 -a "$(awk -v s="$secs16" 'BEGIN { print (s < 30) }')" = 1
check "the 17th connection was refused while 16 ran" \
    sh -c "test $rc17 = 255 && grep -q 'refused a connection: 16 at once is the limit' '$log'"
for _ in $(seq 1 100); do
    [ "$(grep -c ': closed' "$log")" -ge $((closed16 + 16)) ] && break
    sleep 0.1
done
timed=0
while read -r l; do [ "$(kex_ours "$l")" -ge 1 ] 2>/dev/null && timed=$((timed + 1)); done \
    < <(grep ': closed' "$log" | tail -n +$((closed16 + 1)))
check "each of 16 idle 6 s sessions was re-keyed by the server (rekey_interval 3 s): $timed" \
    test "$timed" -ge 16

echo "== clients the server must close cleanly, while another session goes on"
run_ssh "${key[@]}" anx@127.0.0.1 -- sleep 4000 >"$out/bystander" 2>&1 &
bystander=$!
for _ in $(seq 1 100); do grep -q "exec: sleep 4000" "$log" && break; sleep 0.1; done
outp=$(loglevel=INFO run_ssh "${key[@]}" -o Ciphers=aes128-ctr anx@127.0.0.1 -- echo nope 2>&1); rc=$?
nomatch_ok() { [ "$rc" = 255 ] && grep -q 'no matching cipher' <<<"$outp" &&
    grep -q 'closed: no matching algorithm: cipher client to server' "$log"; }
check "a client with only ciphers we lack is told so and closed" nomatch_ok
python3 - "$sshport" >"$out/garbage.log" 2>&1 <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=20)
s.recv(256)                                      # the server's version line (and KEXINIT)
s.sendall(b"SSH-2.0-garbage\r\n" + b"\xff\xff\xff\xff" + b"\x00" * 64)
data = b""
while True:                                      # the server's DISCONNECT, then the close
    b = s.recv(4096)
    if not b:
        break
    data += b
print("closed by the server after %d bytes" % len(data))
PY
check "a peer sending a 4 GiB packet length is disconnected" \
    sh -c "grep -q 'closed by the server' '$out/garbage.log' && grep -q 'closed: packet length out of range' '$log'"
wait $bystander; rc=$?
check "the session beside them finished normally" test "$rc" = 0

outp=$(loglevel=INFO run_ssh "${key[@]}" anx@127.0.0.1 -- echo x 2>&1)
check "the banner is shown before login" grep -q "Anunix ssh test image: authorized use only" <<<"$outp"
start=$(date +%s)
outp=$(run_ssh -tt "${key[@]}" anx@127.0.0.1 < <(sleep 20) 2>&1); rc=$?
idle=$(( $(date +%s) - start ))
check "an idle session is closed after idle_timeout (8 s; took ${idle} s)" \
    sh -c "test $rc = 255 -a $idle -ge 8 -a $idle -lt 18 && grep -q 'idle for longer than idle_timeout' '$log'"

# memory a connection with its session takes: `mem` (pages free, heap in
# use) seen from one connection, then from a second while the first sleeps
used_kib() { # pages used in KiB + heap in use in KiB, from `mem`
    awk '/^pages:/ { gsub(/[(),]/, " "); t = $4; f = $6 } /^heap:/ { h = $2 } END { printf "%d", t - f + h / 1024 }' <<<"$1"
}
m1=$(used_kib "$(run_ssh "${key[@]}" anx@127.0.0.1 -- mem 2>&1)")
run_ssh "${key[@]}" anx@127.0.0.1 -- sleep 30000 >/dev/null 2>&1 &
sleeper=$!
for _ in $(seq 1 100); do grep -q "exec: sleep 30000" "$log" && break; sleep 0.1; done
m2=$(used_kib "$(run_ssh "${key[@]}" anx@127.0.0.1 -- mem 2>&1)")
kill $sleeper 2>/dev/null; wait $sleeper 2>/dev/null
echo "    memory in use: $m1 KiB during one connection, $m2 KiB during two: $((m2 - m1)) KiB per connection with a session"
check "a second connection with its session takes 40-400 KiB ($((m2 - m1)))" test $((m2 - m1)) -ge 40 -a $((m2 - m1)) -le 400

check "the image is still up" kill -0 $pid
check "no fault or panic on the console" sh -c "! grep -q 'FAULT\|panic' '$log'"
grep "ssh: " "$log" | grep -v "listening" | head -n 20 | sed 's/^/    log| /'
# every planted secret stays out of the console
check "the password appears nowhere on the console" sh -c "! grep -qF -- '$pw' '$log'"
echo "$passes passed, $fails failed"
[ $fails = 0 ]
