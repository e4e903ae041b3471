"""What the soak's load clients (tests/soak/*.py) share: an HTTP request that
times itself, a tally of requests, errors and latencies that each client
writes as one JSON file for tests/soak/report.py, and the gate that quiets
the load while the sampler reads memory. Python 3, stdlib only."""
import http.client
import json
import os
import threading
import time

# A request the image has not answered in this long is an error, not a slow answer: under TCG
# on two shared cores a completion takes seconds, never a minute.
TIMEOUT = 60


def request(port, method, path, body=None, headers=None):
    """One request on a new connection to 127.0.0.1:PORT: (status, headers, body, seconds).
    Connection errors and timeouts raise OSError (http.client's errors derive from it or
    from http.client.HTTPException, which we turn into OSError)."""
    t0 = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        data = r.read()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, data, time.monotonic() - t0
    except http.client.HTTPException as e:
        raise OSError(f"{type(e).__name__}: {e}") from e
    finally:
        conn.close()


class Gate:
    """The sampler's pause (sample.py): while the file DIR/quiet exists, a client starts no
    request; it says so with the file DIR/idle-NAME, and at its end with DIR/done-NAME. The
    memory samples are then taken with nothing in flight, so a request body or a completion's
    state held at that moment cannot pass for growth."""

    def __init__(self, folder, name):
        self.quiet = os.path.join(folder, "quiet")
        self.idle = os.path.join(folder, f"idle-{name}")
        self.done_file = os.path.join(folder, f"done-{name}")

    def wait(self):
        if not os.path.exists(self.quiet):
            return
        open(self.idle, "w").close()
        # the sampler removes the file within seconds; two minutes means it is gone
        deadline = time.monotonic() + 120
        while os.path.exists(self.quiet) and time.monotonic() < deadline:
            time.sleep(0.05)
        os.remove(self.idle)

    def done(self):
        open(self.done_file, "w").close()


def percentile(values, p):
    """Nearest-rank percentile of a list (None when empty)."""
    if not values:
        return None
    v = sorted(values)
    k = max(0, min(len(v) - 1, int(round(p / 100.0 * len(v) + 0.5)) - 1))
    return v[k]


class Tally:
    """Counts of one load type against one image; thread-safe. Every failed check is an
    error; the first few messages are kept for the report."""

    KEEP = 20

    def __init__(self, load, image):
        self.load, self.image = load, image
        self.requests = self.errors = 0
        self.latencies = []
        self.messages = []
        self.extra = {}
        self.lock = threading.Lock()

    def ok(self, seconds):
        with self.lock:
            self.requests += 1
            self.latencies.append(seconds)

    def error(self, message, counted=True):
        with self.lock:
            if counted:
                self.requests += 1
            self.errors += 1
            if len(self.messages) < self.KEEP:
                self.messages.append(message)

    def add(self, key, n=1):
        with self.lock:
            self.extra[key] = self.extra.get(key, 0) + n

    def write(self, path):
        ms = [x * 1000 for x in self.latencies]
        out = {"load": self.load, "image": self.image, "requests": self.requests,
               "errors": self.errors, "p50_ms": percentile(ms, 50), "p99_ms": percentile(ms, 99),
               "messages": self.messages}
        out.update(self.extra)
        with open(path, "w") as f:
            json.dump(out, f, indent=1)
            f.write("\n")


def drive(step, tally, until, gate, retry_errors=(OSError,)):
    """Call step() until the monotonic clock passes until, each call once the
    gate lets the load run; an error is counted in tally and the load goes on
    (after a second for those in retry_errors: a connection refused or reset
    needs the server a moment). Tells the gate when it is done."""
    try:
        while time.monotonic() < until:
            gate.wait()
            try:
                step()
            except retry_errors as e:
                tally.error(f"connection: {e}" if isinstance(e, OSError) else f"{type(e).__name__}: {e}")
                time.sleep(1)
            except Exception as e:   # an answer the checks did not foresee: counted, go on
                tally.error(f"{type(e).__name__}: {e}")
    finally:
        gate.done()
