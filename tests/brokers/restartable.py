"""A Mosquitto that a browser test can restart: serves `GET /restart` on a control port, which
kills the broker (SIGKILL, as a crash would) and starts it again on the same ports after a
pause. Used by tests/app_restart.rs; started and stopped by scripts/test.

usage: restartable.py <mosquitto.conf> <ws-port> <control-port>
"""
import http.server
import signal
import socket
import subprocess
import sys
import threading
import time

RESTART_PAUSE_SECONDS = 1.5


class Broker:
    def __init__(self, config, ws_port):
        self.config = config
        self.ws_port = ws_port
        self.lock = threading.Lock()
        self.process = None
        self.restarts = 0

    def start(self):
        self.process = subprocess.Popen(
            ["/usr/sbin/mosquitto", "-c", self.config],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.ws_port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"Mosquitto did not listen on {self.ws_port}")

    def kill(self):
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None

    def restart(self):
        with self.lock:
            self.kill()
            time.sleep(RESTART_PAUSE_SECONDS)
            self.start()
            self.restarts += 1
            return self.restarts


def serve(broker, control_port):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path != "/restart":
                self.send_error(404, "only /restart")
                return
            count = broker.restart()
            body = f"restarted {count}\n".encode()
            self.send_response(200)
            self.send_header("Access-Control-Allow-Origin", "*")
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", control_port), Handler)
    server.serve_forever()


def main():
    config, ws_port, control_port = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    broker = Broker(config, ws_port)
    signal.signal(signal.SIGTERM, lambda *_: (broker.kill(), sys.exit(0)))
    broker.start()
    try:
        serve(broker, control_port)
    finally:
        broker.kill()


if __name__ == "__main__":
    main()
