#!/usr/bin/env python3
"""Latency of one GET route of a running `jejak serve`, over one keep-alive HTTPS connection.

Sends requests one after another until --count answers or --seconds have passed (whichever
first), each path made from --path with {seq} replaced by a random seq in [--low, --high].
Prints one JSON object: requests, client-side p50/p99 (ms, includes this client's own
work), and server-side p50/p99 (ms): the `duration_ms` the server logged for the same
request ids (--log, its stdout). Any answer but 200 fails the run. Used by ops/bench.sh.
"""
import argparse
import http.client
import json
import random
import ssl
import sys
import time


def percentile(values, fraction):
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--cacert", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--path", required=True)
    parser.add_argument("--low", type=int, default=1)
    parser.add_argument("--high", type=int, default=1)
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--log", required=True)
    args = parser.parse_args()

    context = ssl.create_default_context(cafile=args.cacert)
    connection = http.client.HTTPSConnection("127.0.0.1", args.port, context=context, timeout=120)
    headers = {"Authorization": "Bearer " + args.token}
    rng = random.Random(7)
    client_ms = []
    ids = set()
    deadline = time.monotonic() + args.seconds
    while len(client_ms) < args.count and (not client_ms or time.monotonic() < deadline):
        path = args.path.replace("{seq}", str(rng.randint(args.low, args.high)))
        start = time.perf_counter()
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read()
        client_ms.append((time.perf_counter() - start) * 1000)
        if response.status != 200:
            sys.exit(f"latency: {path} answered {response.status}: {body[:300]!r}")
        ids.add(response.getheader("X-Request-Id"))
    connection.close()

    time.sleep(0.2)  # The server logs after it answers.
    server_ms = []
    with open(args.log, encoding="utf-8", errors="replace") as log:
        for line in log:
            if '"request_id"' not in line:
                continue
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if record.get("request_id") in ids:
                server_ms.append(float(record["duration_ms"]))
    print(json.dumps({
        "requests": len(client_ms),
        "client_p50_ms": percentile(client_ms, 0.5), "client_p99_ms": percentile(client_ms, 0.99),
        "server_p50_ms": percentile(server_ms, 0.5), "server_p99_ms": percentile(server_ms, 0.99),
        "server_logged": len(server_ms),
    }))


if __name__ == "__main__":
    main()
