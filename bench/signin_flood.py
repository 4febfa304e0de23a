"""Another person's write while failed sign-ins pour in: does the password check hold up
everyone else? Against a running server (make run, or serve.py --embedded on a port):

    .venv/bin/python bench/signin_flood.py PORT [SECONDS]

Registers a person, times their `PATCH /me` alone for 4 s, then again while 8 connections
send wrong passwords for made-up emails, each from its own 127.x.y.z address (rotated every
90 tries, so the per-address limit does not stop the flood). Prints p50/p90/max of each.
"""

import http.client
import json
import sys
import threading
import time
import uuid

PASSWORD = "slow river under stars"


def call(port, method, path, body=None, token=None, source=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30,
                                      source_address=(source, 0) if source else None)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    conn.request(method, path, json.dumps(body) if body is not None else None, headers)
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, json.loads(data) if data else None


def quantile(values, share):
    ordered = sorted(values)
    return round(ordered[int(share * (len(ordered) - 1))], 1)


def main(port: int, seconds: float) -> None:
    email = f"me-{uuid.uuid4().hex[:8]}@example.org"
    call(port, "POST", "/api/v1/auth/register",
         {"email": email, "password": PASSWORD, "display_name": "Me"})
    token = call(port, "POST", "/api/v1/auth/token",
                 {"email": email, "password": PASSWORD})[1]["token"]

    def timed_writes(duration):
        took, end, n = [], time.time() + duration, 0
        while time.time() < end:
            started = time.perf_counter()
            status, _ = call(port, "PATCH", "/api/v1/me", {"display_name": f"Me {n}"}, token)
            took.append((time.perf_counter() - started) * 1000)
            assert status == 200, status
            n += 1
        return took

    quiet = timed_writes(4)
    stop, sent = threading.Event(), [0]

    def flood(lane):
        n = 0
        while not stop.is_set():
            source = f"127.{lane + 1}.{(n // 90) % 250}.{(n // 90) // 250 + 1}"
            call(port, "POST", "/api/v1/auth/token",
                 {"email": f"x{uuid.uuid4().hex[:8]}@example.org", "password": "wrong guess!"},
                 source=source)
            n += 1
            sent[0] += 1

    lanes = [threading.Thread(target=flood, args=(lane,), daemon=True) for lane in range(8)]
    for lane in lanes:
        lane.start()
    time.sleep(1)
    busy = timed_writes(seconds)
    stop.set()
    for name, took in (("alone", quiet),
                       (f"with {sent[0] / (seconds + 1):.0f} failed sign-ins/s", busy)):
        print(f"PATCH /me {name}: p50 {quantile(took, .5)} ms, p90 {quantile(took, .9)} ms, "
              f"max {quantile(took, 1)} ms ({len(took)} writes)")


if __name__ == "__main__":
    main(int(sys.argv[1]), float(sys.argv[2]) if len(sys.argv) > 2 else 8)
