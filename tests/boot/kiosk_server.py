#!/usr/bin/env python3
"""The server of tests/boot/kiosk-offline.sh: a page that goes away and comes back.

  kiosk_server.py PORT LOG

GET / answers a blue page. The kiosk reloads it every few seconds; on the
second GET / the server answers, then stops listening for OUTAGE_S seconds
(the guest sees connections refused), then listens again and answers the
next GET / with 503 before it serves the page again. Each request is
appended to LOG as "GET / STATUS" or "outage start/end".
"""
import http.server
import sys
import threading
import time

OUTAGE_S = 6
PAGE = (b"<!DOCTYPE html><html><head><title>Board</title>"
        b"<style>body{background:#2266aa;color:#fff;margin:0;height:100%}</style></head>"
        b"<body><h1>Live board</h1></body></html>")

port, log_path = int(sys.argv[1]), sys.argv[2]
state = {"gets": 0, "after_outage": False}


def log(line):
    with open(log_path, "a") as f:
        f.write(line + "\n")


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, body):
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path != "/":
            self.answer(404, b"<h1>not here</h1>")
            log(f"GET {self.path} 404")
            return
        state["gets"] += 1
        if state["after_outage"]:
            state["after_outage"] = False
            self.answer(503, b"<html><body><h1>Service Unavailable</h1></body></html>")
            log("GET / 503")
            return
        self.answer(200, PAGE)
        log("GET / 200")
        if state["gets"] == 2:
            threading.Thread(target=outage, daemon=True).start()


def serve():
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    srv.daemon_threads = True
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


def outage():
    global server
    time.sleep(0.2)             # let the answer go out first
    server.shutdown()
    server.server_close()
    log("outage start")
    time.sleep(OUTAGE_S)
    state["after_outage"] = True
    server = serve()
    log("outage end")


server = serve()
while True:
    time.sleep(3600)
