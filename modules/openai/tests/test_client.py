#!/usr/bin/env python3
"""Tests of examples/clients/openai_client.py against a stand-in server on a
free port (no image needed): --port and --host reach it, a completion and
an API error print as they should, and a server that is not there is one
line on stderr with exit status 1 (no traceback). Prints "ok ..." /
"FAIL ..." lines for run.sh to count."""
import http.server
import json
import os
import socket
import subprocess
import sys
import threading

CLIENT = os.path.join(os.path.dirname(__file__), "..", "..", "..", "examples", "clients", "openai_client.py")


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/v1/models":
            self.reply(200, {"object": "list", "data": [{"id": "tiny-fortunes", "object": "model"}]})
        else:
            self.reply(404, {"error": {"message": "no", "type": "invalid_request_error", "param": None, "code": None}})

    def do_POST(self):
        req = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if req.get("model") != "tiny-fortunes":
            self.reply(404, {"error": {"message": f"The model '{req.get('model')}' does not exist.",
                                       "type": "invalid_request_error", "param": "model",
                                       "code": "model_not_found"}})
            return
        self.reply(200, {"id": "cmpl-1", "object": "text_completion", "model": "tiny-fortunes",
                         "choices": [{"text": " be kind.", "index": 0, "finish_reason": "stop"}],
                         "usage": {"prompt_tokens": 4, "completion_tokens": 3, "total_tokens": 7}})


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def client(*args):
    return subprocess.run([sys.executable, CLIENT, *args], capture_output=True, text=True, timeout=60)


failed = 0


def check(ok, what, detail=""):
    global failed
    print(("ok   " if ok else "FAIL ") + "openai client: " + what + ("" if ok else f": {detail}"))
    failed += not ok


def main():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()

    r = client("--port", str(port), "The best way to")
    check(r.returncode == 0 and r.stdout == "The best way to be kind.\n" and "[stop: 4 prompt + 3 completion tokens]" in r.stderr,
          "--port reaches the server; the model comes from /v1/models", repr((r.returncode, r.stdout, r.stderr)))
    r = client("--host", "127.0.0.1", "--port", str(port), "--model", "gpt-4", "x")
    check(r.returncode == 1 and r.stderr.strip() == "error 404: The model 'gpt-4' does not exist. (param model, code model_not_found)",
          "an API error is one line with its message and code", repr((r.returncode, r.stderr)))

    dead = free_port()
    r = client("--port", str(dead), "x")
    lines = r.stderr.strip().splitlines()
    check(r.returncode == 1 and len(lines) == 1 and lines[0].startswith(f"cannot reach http://127.0.0.1:{dead}: ")
          and "Traceback" not in r.stderr and r.stdout == "",
          "no server: one line on stderr, exit 1, no traceback", repr((r.returncode, r.stderr)))
    r = client("--url", f"http://127.0.0.1:{dead}/", "--chat", "x")
    check(r.returncode == 1 and "Traceback" not in r.stderr and f"cannot reach http://127.0.0.1:{dead}" in r.stderr,
          "--url, no server: the same", repr((r.returncode, r.stderr)))
    r = client("--port", "0", "x")
    check(r.returncode == 2 and "--port 0: expected 1..65535" in r.stderr, "a bad --port is a usage error", r.stderr)
    server.shutdown()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
