#!/usr/bin/env python3
"""The HTTPS servers of tests/boot/browser-https.sh (python3's ssl module):

  PORT_GOOD     tests/boot/browser_http_server.py's pages (the 302, the
                chunked page, the cookie-dependent stylesheet), over TLS
                with CERTDIR/server.pem (signed by CERTDIR/ca.pem, the CA
                the guest's manifest trusts)
  PORT_UNKNOWN  a page, with CERTDIR/unknown.pem: right name, a CA the
                guest does not trust
  PORT_WRONG    a page, with CERTDIR/wrongname.pem: the trusted CA, but
                issued for wrong.example

  browser_https_server.py CERTDIR PORT_GOOD PORT_UNKNOWN PORT_WRONG LOGFILE
Each handshake failure is appended to LOGFILE as "tls PORT: REASON", so the
script can check that the guest refused the certificate (not the server).
"""
import http.server
import os
import runpy
import ssl
import sys
import threading

certdir, good, unknown, wrong, logfile = sys.argv[1:6]


def context(name):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(os.path.join(certdir, name + ".pem"), os.path.join(certdir, name + ".key"))
    return ctx


def tls_server(name, port):
    """A ThreadingHTTPServer class whose connections are TLS with NAME's
    certificate; the handshake runs in the connection's thread."""
    ctx = context(name)

    class Server(http.server.ThreadingHTTPServer):
        def process_request_thread(self, request, client_address):
            try:
                request = ctx.wrap_socket(request, server_side=True)
            except (ssl.SSLError, OSError) as e:
                with open(logfile, "a") as f:
                    f.write("tls %s: %s\n" % (port, e))
                request.close()
                return
            super().process_request_thread(request, client_address)

    return Server


class Page(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"<html><body style='background:#cc3333'>must not be shown</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


for name, port in (("unknown", unknown), ("wrongname", wrong)):
    srv = tls_server(name, port)(("127.0.0.1", int(port)), Page)
    threading.Thread(target=srv.serve_forever, daemon=True).start()

# browser_http_server.py ends by serving on argv[1] with
# http.server.ThreadingHTTPServer: run it with that class made TLS.
http.server.ThreadingHTTPServer = tls_server("server", good)
sys.argv = [sys.argv[0], good, logfile]
runpy.run_path(os.path.join(os.path.dirname(os.path.abspath(__file__)), "browser_http_server.py"),
               run_name="__main__")
