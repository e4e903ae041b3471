#!/usr/bin/env python3
"""TLS servers for the tls module's host test (python3's ssl module), on
127.0.0.1, each answering any request with "HTTP/1.0 200 OK" and the body
"hello over tls from PORT":

  tls_server.py CERTDIR PORTFILE
Listens on four free ports and writes them to PORTFILE as
"good unknown wrongname slow": the certificate of CERTDIR/server.pem,
unknown.pem and wrongname.pem (tests/make_certs.sh), and server.pem again
after a 0.5 s pause before the handshake (the client's reads time out and
retry). Handshake failures are printed to stderr.
"""
import os
import socket
import ssl
import sys
import threading
import time

certdir, portfile = sys.argv[1:3]


def serve(name, delay):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(os.path.join(certdir, name + ".pem"), os.path.join(certdir, name + ".key"))
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(8)
    port = ls.getsockname()[1]

    def one(conn):
        try:
            time.sleep(delay)
            with ctx.wrap_socket(conn, server_side=True) as s:
                req = b""
                while b"\r\n\r\n" not in req:
                    data = s.recv(4096)
                    if not data:
                        return
                    req += data
                body = b"hello over tls from %d" % port
                s.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
                try:
                    s.unwrap()
                except (ssl.SSLError, OSError):
                    pass
        except (ssl.SSLError, OSError) as e:
            print("tls %d: %s" % (port, e), file=sys.stderr)

    def loop():
        while True:
            conn, _ = ls.accept()
            threading.Thread(target=one, args=(conn,), daemon=True).start()

    threading.Thread(target=loop, daemon=True).start()
    return port


ports = [serve("server", 0), serve("unknown", 0), serve("wrongname", 0), serve("server", 0.5)]
with open(portfile + ".tmp", "w") as f:
    f.write(" ".join(str(p) for p in ports) + "\n")
os.rename(portfile + ".tmp", portfile)
while True:
    time.sleep(3600)
