#!/usr/bin/env python3
"""The soak's SSH load (tests/soak/run.sh): for SECONDS, Debian's OpenSSH client opens one
session after another to the image (a full connection each: key exchange, key login) and
checks exit statuses and output:
  - `ssh HOST -- echo TOKEN` prints TOKEN, exit 0;
  - `ssh HOST -- cat /no/such/file` exits 1; an unknown command exits 127;
  - a shell without a pty fed `store put NAME TOKEN`, `store cat NAME`, `store rm NAME` and
    `store gc` prints TOKEN and exits 0 (the gc keeps the RAM store from filling).

    sessions.py PORT SECONDS OUT.json --key FILE --known-hosts FILE [--seed S] [--gate DIR]"""
import argparse
import random
import subprocess
import time

from soaklib import drive, TIMEOUT, Gate, Tally


class Client:
    def __init__(self, a, tally):
        self.tally = tally
        self.rng = random.Random(a.seed)
        self.n = 0
        self.ssh = ["ssh", "-p", str(a.port), "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes",
                    "-i", a.key, "-o", f"UserKnownHostsFile={a.known_hosts}",
                    "-o", "StrictHostKeyChecking=yes", "-o", "ConnectTimeout=30",
                    "-o", "LogLevel=ERROR", "anx@127.0.0.1"]

    def run_ssh(self, args, stdin=None):
        t0 = time.monotonic()
        try:
            p = subprocess.run(self.ssh + args, input=stdin, capture_output=True, text=True,
                               timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self.tally.error(f"ssh {args} timed out after {TIMEOUT} s")
            return None
        self.tally.ok(time.monotonic() - t0)
        return p

    def expect(self, what, p, rc, out=None, contains=None):
        if p is None:
            return
        ok = p.returncode == rc
        ok &= out is None or p.stdout == out
        ok &= contains is None or contains in p.stdout
        if ok:
            self.tally.add("sessions_ok")
        elif "banner exchange" in p.stderr:
            # the TCP connection to QEMU's forward opened but the image never answered: seen
            # about once in 400 sessions. A capture shows why: the image ended the previous
            # connection from the same client port in TIME_WAIT (it closed first, or both at
            # once), the host reused the port seconds later (loopback), and lwIP answers a SYN
            # in TIME_WAIT with an ACK and ignores the RST that follows (RFC 1337) for 2 MSL
            # (120 s). Counted as an error: a client would see the same hang.
            self.tally.add("stalls")
            self.tally.error(f"{what}: stalled: no banner from the server within 30 s "
                             f"({p.stderr.strip()[:80]})", counted=False)
        else:
            self.tally.error(f"{what}: exit {p.returncode} (wanted {rc}), stdout "
                             f"{p.stdout[:160]!r}, stderr {p.stderr[:160]!r}", counted=False)

    def one(self):
        self.n += 1
        token = f"soak-{self.n}-{self.rng.randrange(1 << 40):x}"
        r = self.rng.random()
        if r < 0.4:
            self.expect("exec echo", self.run_ssh(["--", "echo", token]), 0, token + "\n")
        elif r < 0.5:
            self.expect("exec cat of a missing file", self.run_ssh(["--", "cat", "/no/such/file"]),
                        1)
        elif r < 0.6:
            self.expect("exec of an unknown command", self.run_ssh(["--", "nosuchcommand"]), 127)
        else:
            name = f"soak/ssh{self.n % 4}"
            script = f"store put {name} {token}\nstore cat {name}\nstore rm {name}\nstore gc\n"
            self.expect("shell: store put, cat, rm, gc", self.run_ssh(["-T"], script), 0,
                        contains=token + "\n")

    def run(self, until, gate):
        drive(self.one, self.tally, until, gate, retry_errors=(Exception,))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("port", type=int)
    ap.add_argument("seconds", type=float)
    ap.add_argument("out")
    ap.add_argument("--key", required=True)
    ap.add_argument("--known-hosts", required=True)
    ap.add_argument("--seed", type=int, default=int(time.time()))
    ap.add_argument("--gate", default=".", help="the folder of sample.py's gate files")
    a = ap.parse_args()
    tally = Tally("ssh", "ssh")
    tally.add("seed", a.seed)
    Client(a, tally).run(time.monotonic() + a.seconds, Gate(a.gate, "ssh"))
    tally.extra.setdefault("sessions_ok", 0)
    tally.extra.setdefault("stalls", 0)
    tally.write(a.out)


if __name__ == "__main__":
    main()
