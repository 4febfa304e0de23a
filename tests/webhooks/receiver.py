"""A webhook receiver, as an integrator would run one: an HTTP endpoint on loopback that
records every delivery and answers what the test tells it to (200 by default; 500 or 410 to
test retries and switching off). `verified` checks each delivery with the standardwebhooks
library, exactly as a receiver does."""

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


@dataclass
class Delivery:
    path: str
    headers: dict  # names in lower case
    body: bytes

    def verify(self, secret: str) -> dict:
        return Webhook(secret).verify(self.body, self.headers)

    def verifies_with(self, secret: str) -> bool:
        try:
            self.verify(secret)
        except WebhookVerificationError:
            return False
        return True


@dataclass
class Receiver:
    deliveries: list[Delivery] = field(default_factory=list)
    # path -> statuses to answer in turn (then 200)
    answers: dict[str, list[int]] = field(default_factory=dict)

    def __post_init__(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                headers = {k.lower(): v for k, v in self.headers.items()}
                receiver.deliveries.append(Delivery(self.path, headers, body))
                queued = receiver.answers.get(self.path) or []
                status = queued.pop(0) if queued else 200
                answer = b"nope " * 400 if status >= 300 else b"ok"
                self.send_response(status)
                if 300 <= status < 400:
                    self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/{name}"

    def to(self, name: str) -> list[Delivery]:
        return [d for d in self.deliveries if d.path == f"/hooks/{name}"]

    def close(self):
        self.server.shutdown()
        self.server.server_close()
