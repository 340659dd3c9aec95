#!/usr/bin/env python3
"""Serves the decoder Worker's files (the wasm-bindgen output scripts/test builds) and the
translation tables but English to the browser tests, which have no trunk build: any origin may
fetch them (the test page is on another port, and wasm-bindgen-test-runner's pages are
cross-origin isolated, so they need CORS and CORP). Under /slow/ it answers nothing for a while.

  serve.py DIRECTORY PORT
"""
import functools
import http.server
import sys
import time

SLOW_SECONDS = 20


class Handler(http.server.SimpleHTTPRequestHandler):
    def do_GET(self):
        # /slow/…: a server that takes its time (tests/app_language_table.rs), then has nothing.
        if self.path.startswith("/slow/"):
            time.sleep(SLOW_SECONDS)
            self.send_error(404)
            return
        super().do_GET()

    def end_headers(self):
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Cross-Origin-Resource-Policy", "cross-origin")
        super().end_headers()

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    handler = functools.partial(Handler, directory=sys.argv[1])
    server = http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[2])), handler)
    print("serving", flush=True)
    server.serve_forever()
