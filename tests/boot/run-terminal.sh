#!/usr/bin/env bash
# anx run on a terminal (a pty driven by python3, as a person would use it):
# manifests/web.yaml boots; under the guest's "anunix: ready" anx prints
# "anx: ready: http://127.0.0.1:PORT -> guest port 8080"; the shell answers
# typed keys through anx's relay; the console's window size follows the
# terminal's (a resize reaches QEMU's pty); Ctrl-A X quits QEMU; and the
# terminal's modes are restored afterwards.
# Usage: tests/boot/run-terminal.sh [PLATFORM [MODE]]   (default x86_64-pc)
set -uo pipefail
source "$(dirname "$0")/lib.sh"
gen/anx build manifests/web.yaml -p "$platform" >/dev/null 2>&1 || { gen/anx build manifests/web.yaml -p "$platform"; exit 1; }
exec python3 - "$platform" "${2:-}" "$(free_port)" <<'EOF'
import fcntl, os, pty, re, select, signal, struct, sys, termios, time

platform, mode, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
args = ["gen/anx", "run", "manifests/web.yaml", "-p", platform, "--port", f"{port}:8080"]
if mode:
    args += ["--boot", mode]

def set_size(fd, rows, cols):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))

def get_size(path):
    fd = os.open(path, os.O_RDONLY | os.O_NOCTTY)
    try:
        return struct.unpack("HHHH", fcntl.ioctl(fd, termios.TIOCGWINSZ, b"\0" * 8))[:2]
    finally:
        os.close(fd)

pid, master = pty.fork()
if pid == 0:
    os.execvp(args[0], args)
set_size(master, 30, 100)
modes_before = termios.tcgetattr(master)
out = b""
fails = []

def read_until(pattern, timeout):
    global out
    end = time.time() + timeout
    while time.time() < end:
        if re.search(pattern, out):
            return True
        r, _, _ = select.select([master], [], [], 0.2)
        if r:
            try:
                out += os.read(master, 65536)
            except OSError:
                break
    return bool(re.search(pattern, out))

def qemu_pty():
    # QEMU is anx's child; its stdin is the console pty anx relays
    for _ in range(50):
        try:
            kids = open(f"/proc/{pid}/task/{pid}/children").read().split()
            for k in kids:
                link = os.readlink(f"/proc/{k}/fd/0")
                if link.startswith("/dev/pts/"):
                    return link
        except OSError:
            pass
        time.sleep(0.1)
    return None

want = rb"anunix: ready[^\n]*\n(\r?)anx: ready: http://127\.0\.0\.1:%d -> guest port 8080" % port
if not read_until(want, 90):
    fails.append("no 'anx: ready: http://127.0.0.1:%d -> guest port 8080' under the guest's ready line" % port)
console = qemu_pty()
if not console:
    fails.append("QEMU's console is not a pty relayed by anx")
else:
    if get_size(console) != (30, 100):
        fails.append(f"console size {get_size(console)}, terminal 30x100")
    set_size(master, 40, 120)
    os.kill(pid, signal.SIGWINCH)   # what the terminal's resize sends
    time.sleep(0.5)
    if get_size(console) != (40, 120):
        fails.append(f"after a resize to 40x120, the console is {get_size(console)}")
os.write(master, b"routes\r")
if not read_until(rb"static +GET +/\*", 30):
    fails.append("the shell did not answer 'routes' typed on the terminal")
os.write(master, b"\x01x")   # Ctrl-A X: QEMU's mux quits
status = None
end = time.time() + 15
while time.time() < end:
    r, _, _ = select.select([master], [], [], 0.2)
    if r:
        try:
            out += os.read(master, 65536)
        except OSError:
            pass
    w, st = os.waitpid(pid, os.WNOHANG)
    if w == pid:
        status = st
        break
if status is None:
    fails.append("Ctrl-A X did not end anx run")
    os.kill(pid, signal.SIGTERM)
    os.waitpid(pid, 0)
elif termios.tcgetattr(master)[3] != modes_before[3]:
    fails.append("the terminal's modes were not restored")
sys.stdout.write(out.decode("utf-8", "replace")[-1500:] + "\n")
for f in fails:
    print("FAIL:", f)
print("run-terminal: ok" if not fails else f"run-terminal: {len(fails)} failures")
sys.exit(1 if fails else 0)
EOF
