#!/usr/bin/env python3
"""The HTTP server of tests/boot/browser-http.sh (python3 http.server):
what the browser's http: fetcher must handle on its way to one page
(its stylesheet names a background image on port 1 of the host, where
nothing listens).

  /            302 to /page.html (a relative Location), sets cookie k=v
  /page.html   the page, sent chunked in small pieces
  /slow.png    answers nothing for 40 s (the fetcher's read timeout)
  /next.html   a link to /done.html, and /stalled.png, which answers nothing
  /stalled.png logs "closed stalled.png after N s" when the browser closes
               the connection (the fetch aborted when the page is left)
  /done.html   #22aa44 when stalled.png's connection was closed before (the
               browser aborts a page's fetches before it asks for the next
               page), #cc3333 when it is still open after 10 s; a button
               posting a form to /echo-urlencoded
  POST /echo-urlencoded  #2266aa when the body is the urlencoded form, with
               a button posting it again as multipart/form-data to
  POST /echo-multipart   #6622aa when that body is right (else #cc3333)
  /style.css   without Content-Length (the body ends with the connection);
               the background is #3366cc only when the request carried the
               cookie (else #cc3333): the screen shows whether cookies
               went round

  browser_http_server.py PORT LOGFILE
Each request is appended to LOGFILE as "METHOD PATH cookie=VALUE ua=VALUE".
"""
import http.server
import select
import sys
import threading
import time

PAGE = b"""<!DOCTYPE html>
<html><head><title>http fetcher</title>
<link rel="stylesheet" href="style.css">
<meta http-equiv="refresh" content="1; url=next.html"></head>
<body><h1>Fetched over lwIP</h1>
<p>This page came through a 302 redirect, in chunks.</p>
<img src="slow.png" alt="slow">
</body></html>
"""

# Opened a second after page.html is done (its refresh): a click on the
# yellow link leaves for done.html while the image is still loading, and
# the browser aborts that fetch.
NEXT = b"""<!DOCTYPE html>
<html><body style="margin: 0">
<a href="done.html" style="display: block; height: 400px; background: #ffcc00">leave</a>
<img src="stalled.png" alt="stalled"></body></html>
"""
# done.html is green when the stalled image's connection was closed
# first; its button posts a urlencoded form, whose answer's button posts a
# multipart one: each answer is blue when the body was right, else red.
FORM = b"""<!DOCTYPE html>
<html><body style="background: %s; margin: 0"><p>%s</p>
<form method="post" action="%s"%s>
<input type="hidden" name="a" value="x y&amp;z"><input type="hidden" name="note" value="two words">
<input type="submit" value="send" style="width: 600px; height: 300px">
</form></body></html>
"""
URLENC_BODY = b"a=x+y%26z&note=two+words"
stalled_closed = threading.Event()

# fetched once the stylesheet is in: its log line comes after the stylesheet's
CSS = b"html, body { background: %s url(http://10.0.2.2:1/refused.png); color: white; }\n"


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_request(self, code="-", size="-"):
        with open(sys.argv[2], "a") as f:
            f.write("%s %s cookie=%s ua=%s\n" % (self.command, self.path,
                    self.headers.get("Cookie", ""), self.headers.get("User-Agent", "")))

    def send_page(self, body):
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/":
            self.send_response(302)
            self.send_header("Location", "page.html")
            self.send_header("Set-Cookie", "k=v; Path=/")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.path == "/page.html":
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for i in range(0, len(PAGE), 37):
                piece = PAGE[i:i + 37]
                self.wfile.write(b"%x;n=%d\r\n%s\r\n" % (len(piece), i, piece))
                self.wfile.flush()
            self.wfile.write(b"0\r\nX-Trailer: ignored\r\n\r\n")
        elif self.path == "/style.css":
            color = "#3366cc" if "k=v" in self.headers.get("Cookie", "") else "#cc3333"
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(CSS % color.encode())
            self.close_connection = True
        elif self.path == "/slow.png":
            time.sleep(40)
        elif self.path == "/next.html":
            self.send_page(NEXT)
        elif self.path == "/done.html":
            ok = stalled_closed.wait(10)
            self.send_page(FORM % (b"#22aa44" if ok else b"#cc3333", b"aborted" if ok else b"still open",
                                   b"echo-urlencoded", b""))
        elif self.path == "/stalled.png":
            start = time.monotonic()
            while time.monotonic() - start < 60:
                readable, _, _ = select.select([self.connection], [], [], 0.1)
                if readable and not self.connection.recv(1):
                    with open(sys.argv[2], "a") as f:
                        f.write("closed stalled.png after %.1f s\n" % (time.monotonic() - start))
                    stalled_closed.set()
                    break
            self.close_connection = True

        else:
            self.send_error(404)

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        ctype = self.headers.get("Content-Type", "")
        with open(sys.argv[2], "a") as f:
            f.write("POST %s %s %r\n" % (self.path, ctype, body))
        if self.path == "/echo-urlencoded":
            ok = ctype == "application/x-www-form-urlencoded" and body == URLENC_BODY
            self.send_page(FORM % (b"#2266aa" if ok else b"#cc3333", b"urlencoded ok" if ok else b"bad",
                                   b"echo-multipart", b' enctype="multipart/form-data"'))
        elif self.path == "/echo-multipart":
            boundary = ctype.partition("boundary=")[2].encode()
            want = (b"--%s\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx y&z\r\n"
                    b"--%s\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\ntwo words\r\n"
                    b"--%s--\r\n") % (boundary, boundary, boundary)
            ok = ctype.startswith("multipart/form-data; boundary=") and boundary and body == want
            self.send_page(b"<html><body style='background: %s'>multipart</body></html>" %
                           (b"#6622aa" if ok else b"#cc3333"))
        else:
            self.send_error(404)


http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
