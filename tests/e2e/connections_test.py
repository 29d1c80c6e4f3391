#!/usr/bin/env python3
"""Connection-level limits of `jejak serve`, against a real server over TLS: the Host header
rule (RFC 9112 §3.2), the per-client connection cap, shedding the oldest idle connections
when connections_max is reached, and memory given back after a flood of connections.

Usage: /usr/bin/python3 tests/e2e/connections_test.py /path/to/jejak [unittest options]

Reuses the server and CLI helpers of api_test.py (same directory). Servers listen on free
127.0.0.1 ports. Hostile clients bind to other loopback addresses (127.0.0.2 and up: all of
127/8 is loopback on Linux) and run in a child process (this file with --hostile), so that
their work does not share an interpreter lock with the client whose latency is measured.
Every loop is bounded by time and count; every process is stopped by its PID.
"""

import http.client
import json
import os
import re
import resource
import selectors
import shutil
import signal
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import unittest

JEJAK = None  # Path of the binary, from argv[1].

HOST_DETAIL = "an HTTP/1.1 request needs exactly one Host header"
MALFORMED_DETAIL = "malformed HTTP request"

# Per-client cap scenario, with a short handshake timeout.
PER_CLIENT_MAX = 16
HANDSHAKE_TIMEOUT_SECONDS = 2
PER_CLIENT_EXTRA = 8              # Connections tried past the cap.
# Shedding scenario: a small connections_max under a flood of idle connections.
SHED_CONNECTIONS_MAX = 200
HOSTILE_TARGET = 2000             # Idle TLS connections the hostile client tries to hold...
HOSTILE_SOURCES = 40              # ...from 127.0.0.2 .. 127.0.0.41 (50 per address).
HOSTILE_SECONDS_MAX = 30          # The hostile process ends by itself after this, at most.
NORMAL_REQUESTS = 50              # Half on new connections, half on one keep-alive one,
NORMAL_PAUSE_SECONDS = 0.1        # paced so that they span several seconds of the flood.
NORMAL_P50_SECONDS_MAX = 0.5      # Generous: timings on a shared 2-core machine are noisy.
# Memory scenario: the server holds every hostile connection, then they all close.
MEMORY_CONNECTIONS_MAX = 4000
MEMORY_HOLD_SECONDS = 3
MEMORY_SETTLE_SECONDS_MAX = 20    # Waiting for RSS to come back (the trim timer ticks every 5 s).
# RSS after must be below baseline + MEMORY_MARGIN_KIB or baseline * MEMORY_RATIO_MAX,
# whichever is larger. Measured on a 2-core Debian 12 machine: baseline about 16 MiB,
# 150 MiB with 2,000 connections, 23 MiB once they closed; 41 MiB with OpenSSL's session
# cache on (which this margin catches), 180 MiB for good without the trim.
MEMORY_MARGIN_KIB = 16 * 1024
MEMORY_RATIO_MAX = 1.5


# --------------------------------------------------------------------------------------
# The hostile client (child process)


def hostile_main(port, target, seconds, first_source, sources):
    """Opens TLS connections from `sources` loopback addresses and holds them idle (never
    sending a request), reopening every one the server closes, until SIGTERM or `seconds`.
    One selector loop, non-blocking sockets. Prints a JSON status line every 0.5 s."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # An attacker does not care who answers.
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(True))
    selector = selectors.DefaultSelector()
    state = {}  # socket -> "connect" | "handshake" | "held"
    # opened: handshakes completed; dropped: closed by the server while held; failed:
    # closed before the handshake completed (refused, or shed during the handshake).
    counts = {"opened": 0, "dropped": 0, "failed": 0}
    next_source = [0]
    open_per_round_max = 64  # New connections per loop turn, so that the loop stays responsive.

    def close(sock, count=True):
        try:
            selector.unregister(sock)
        except (KeyError, ValueError):
            pass
        was = state.pop(sock, None)
        sock.close()
        if count and was is not None:
            counts["dropped" if was == "held" else "failed"] += 1

    def open_one():
        source = f"127.0.0.{first_source + next_source[0] % sources}"
        next_source[0] += 1
        raw = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        raw.setblocking(False)
        try:
            raw.bind((source, 0))
            raw.connect_ex(("127.0.0.1", port))
        except OSError:
            raw.close()
            counts["failed"] += 1
            return
        state[raw] = "connect"
        selector.register(raw, selectors.EVENT_WRITE)

    def handshake(sock):
        try:
            sock.do_handshake()
        except ssl.SSLWantReadError:
            selector.modify(sock, selectors.EVENT_READ)
            return
        except ssl.SSLWantWriteError:
            selector.modify(sock, selectors.EVENT_WRITE)
            return
        except (ssl.SSLError, OSError):
            return close(sock)
        state[sock] = "held"
        counts["opened"] += 1
        selector.modify(sock, selectors.EVENT_READ)

    began = time.monotonic()
    last_report = 0.0
    while not stop and time.monotonic() - began < seconds:
        for _ in range(min(open_per_round_max, target - len(state))):
            open_one()
        for key, _ in selector.select(timeout=0.05):
            sock = key.fileobj
            phase = state.get(sock)
            if phase == "connect":
                error = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if error:
                    close(sock)
                    continue
                selector.unregister(sock)
                del state[sock]
                wrapped = context.wrap_socket(sock, server_hostname="127.0.0.1",
                                              do_handshake_on_connect=False)
                state[wrapped] = "handshake"
                selector.register(wrapped, selectors.EVENT_WRITE)
                handshake(wrapped)
            elif phase == "handshake":
                handshake(sock)
            elif phase == "held":
                # Readable while held: post-handshake messages (session tickets), or the
                # server closing the connection.
                try:
                    if sock.recv(1) == b"":
                        close(sock)
                except (ssl.SSLWantReadError, ssl.SSLWantWriteError):
                    pass
                except (ssl.SSLError, OSError):
                    close(sock)
        now = time.monotonic()
        if now - last_report >= 0.5:
            last_report = now
            held = sum(1 for phase in state.values() if phase == "held")
            print(json.dumps(dict(counts, held=held, pending=len(state) - held,
                                  elapsed=round(now - began, 2))), flush=True)
    for sock in list(state):
        close(sock, count=False)
    print(json.dumps(dict(counts, held=0, pending=0, done=True)), flush=True)


class Hostile:
    """The hostile child process; its status lines are read by a background thread."""

    def __init__(self, port, target, seconds=HOSTILE_SECONDS_MAX, first_source=2,
                 sources=HOSTILE_SOURCES):
        self.status = {}
        self.lock = threading.Lock()
        self.proc = subprocess.Popen(
            [sys.executable, os.path.abspath(__file__), "--hostile", str(port), str(target),
             str(seconds), str(first_source), str(sources)],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        for raw in iter(self.proc.stdout.readline, b""):
            try:
                line = json.loads(raw)
            except ValueError:
                continue
            with self.lock:
                self.status = line
        self.proc.stdout.close()

    def latest(self):
        with self.lock:
            return dict(self.status)

    def wait_until(self, predicate, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate(self.latest()):
                return True
            if self.proc.poll() is not None:
                return False
            time.sleep(0.1)
        return False

    def stop(self):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.thread.join(5)
        errors = self.proc.stderr.read().decode("utf-8", "replace")
        self.proc.stderr.close()
        return errors


# --------------------------------------------------------------------------------------
# Helpers

api = None  # api_test, imported in main (its Server and init helpers).
TEMPLATE = None  # A data directory made by `jejak init`, copied for each server.
SCRATCH = None


def set_conf(data_dir, settings):
    """Replaces (or appends) `key = value` lines of DATA/jejak.conf."""
    path = os.path.join(data_dir, "jejak.conf")
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    left = dict(settings)
    for i, line in enumerate(lines):
        key = line.split("=", 1)[0].strip()
        if "=" in line and not line.lstrip().startswith("#") and key in left:
            lines[i] = f"{key} = {left.pop(key)}"
    lines += [f"{key} = {value}" for key, value in left.items()]
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


def start_server(name, settings):
    data_dir = os.path.join(SCRATCH, name)
    shutil.copytree(TEMPLATE, data_dir)
    set_conf(data_dir, settings)
    return api.Server(data_dir)


def rss_kib(pid):
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


def tls_connect(server, source="127.0.0.1", timeout=10):
    plain = socket.create_connection(("127.0.0.1", server.port), timeout=timeout,
                                     source_address=(source, 0))
    try:
        return server.context.wrap_socket(plain, server_hostname="127.0.0.1")
    except BaseException:
        plain.close()
        raise


def exchange(server, data, source="127.0.0.1", timeout=10):
    """Sends raw bytes over TLS; returns (status line, headers dict, body) of the answer,
    read up to its Content-Length (the server may keep the connection open after it)."""
    with tls_connect(server, source, timeout) as tls:
        tls.sendall(data)
        received = b""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            head, found, rest = received.partition(b"\r\n\r\n")
            if found:
                length = re.search(rb"(?im)^content-length:\s*(\d+)\s*$", head)
                if length and len(rest) >= int(length.group(1)):
                    break
            try:
                chunk = tls.recv(65536)
            except (ssl.SSLError, ConnectionResetError):
                break
            if not chunk:
                break
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return lines[0], headers, body


def healthz(server, conn=None, source="127.0.0.1"):
    """GET /healthz; returns (status or exception name, seconds)."""
    began = time.perf_counter()
    own = conn is None
    if own:
        conn = http.client.HTTPSConnection("127.0.0.1", server.port, context=server.context,
                                           timeout=10, source_address=(source, 0))
    try:
        conn.request("GET", "/healthz")
        response = conn.getresponse()
        response.read()
        outcome = response.status
    except (http.client.HTTPException, OSError) as error:
        outcome = type(error).__name__
    finally:
        if own:
            conn.close()
    return outcome, time.perf_counter() - began


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def metric(server, pattern):
    """The value of the first /metrics line matching `pattern`, or 0."""
    status, headers, body = exchange(server, b"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                             b"Connection: close\r\n\r\n")
    assert " 200 " in status, status
    for line in body.decode().splitlines():
        if re.match(pattern, line):
            return float(line.rsplit(" ", 1)[1])
    return 0


def stderr_events(server, event):
    with server.lock:
        lines = list(server.stderr_lines)
    events = []
    for line in lines:
        if f'"event":"{event}"' in line:
            events.append(json.loads(line))
    return events


# --------------------------------------------------------------------------------------
# Tests


def setUpModule():
    global TEMPLATE, SCRATCH
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    SCRATCH = tempfile.mkdtemp(prefix="jejak-connections-")
    TEMPLATE = os.path.join(SCRATCH, "template")
    api.init_ledger(TEMPLATE)


def tearDownModule():
    for server in api.Server.running:
        server.stop()
    shutil.rmtree(SCRATCH, ignore_errors=True)


class HostHeaderTest(unittest.TestCase):
    """RFC 9112 §3.2: an HTTP/1.1 request needs exactly one Host header; HTTP/1.0 none."""

    @classmethod
    def setUpClass(cls):
        cls.server = start_server("host", {})

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def assertTransportProblem(self, raw, status, detail):
        line, headers, body = exchange(self.server, raw)
        self.assertRegex(line, rf"^HTTP/1\.[01] {status} ", body[:200])
        self.assertEqual(headers.get("content-type"), "application/problem+json")
        problem = json.loads(body)
        self.assertEqual(problem["status"], status)
        self.assertEqual(problem["detail"], detail)
        request_id = headers.get("x-request-id")
        self.assertTrue(request_id, headers)
        # The same path as other transport errors: one log line with the request id.
        deadline = time.monotonic() + 5
        logged = []
        while time.monotonic() < deadline and not logged:
            logged = [entry for entry in self.server.request_log()
                      if entry.get("request_id") == request_id]
            time.sleep(0.05)
        self.assertEqual(len(logged), 1, request_id)
        self.assertEqual(logged[0]["event"], "transport")
        self.assertEqual(logged[0]["status"], status)
        self.assertEqual(logged[0]["detail"], detail)
        return logged[0]

    def test_http11_without_host_is_400(self):
        self.assertTransportProblem(b"GET /healthz HTTP/1.1\r\n\r\n", 400, HOST_DETAIL)

    def test_http11_with_two_hosts_is_400(self):
        self.assertTransportProblem(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: example.org\r\n\r\n",
                                    400, HOST_DETAIL)

    def test_http11_with_one_host_is_served(self):
        line, _, body = exchange(self.server, b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        self.assertTrue(line.startswith("HTTP/1.1 200 "), (line, body[:200]))

    def test_http10_with_two_hosts_is_400(self):
        self.assertTransportProblem(b"GET /healthz HTTP/1.0\r\nHost: 127.0.0.1\r\nHost: example.org\r\n\r\n",
                                    400, "a request may carry at most one Host header")

    def test_http10_without_host_is_served(self):
        line, _, body = exchange(self.server, b"GET /healthz HTTP/1.0\r\n\r\n")
        self.assertRegex(line, r"^HTTP/1\.[01] 200 ", body[:200])

    def test_malformed_request_has_a_stable_detail(self):
        for raw in (b"GARBAGE\r\n\r\n", b"GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n"):
            with self.subTest(raw=raw):
                logged = self.assertTransportProblem(raw, 400, MALFORMED_DETAIL)
                self.assertTrue(logged.get("reason"), logged)  # The parser's words: log only.

    def test_host_errors_are_counted_as_transport_errors(self):
        pattern = r'jejak_http_requests_total\{method="-",route="transport",status="400"\}'
        before = metric(self.server, pattern)
        exchange(self.server, b"GET /healthz HTTP/1.1\r\n\r\n")
        self.assertEqual(metric(self.server, pattern), before + 1)


class PerClientCapTest(unittest.TestCase):
    """One address may hold connections_per_client_max connections; more are closed at once,
    before any TLS handshake, while other addresses are served."""

    @classmethod
    def setUpClass(cls):
        cls.server = start_server("per-client", {"connections_per_client_max": PER_CLIENT_MAX,
                                                 "handshake_timeout_seconds": HANDSHAKE_TIMEOUT_SECONDS})

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def test_connections_past_the_cap_are_closed_before_the_handshake(self):
        held = []
        try:
            for _ in range(PER_CLIENT_MAX):
                held.append(tls_connect(self.server, source="127.0.0.2"))
            began = time.monotonic()
            # Plain TCP, no ClientHello: the server closes without waiting for one.
            outcomes = []
            for _ in range(PER_CLIENT_EXTRA):
                with socket.create_connection(("127.0.0.1", self.server.port), timeout=3,
                                              source_address=("127.0.0.2", 0)) as plain:
                    try:
                        outcomes.append("closed" if plain.recv(1) == b"" else "data")
                    except ConnectionResetError:
                        outcomes.append("closed")
                    except socket.timeout:
                        outcomes.append("still open after 3 s")
            self.assertEqual(outcomes, ["closed"] * PER_CLIENT_EXTRA)
            # And a real client past the cap gets no handshake.
            with self.assertRaises((ssl.SSLError, OSError)):
                tls_connect(self.server, source="127.0.0.2", timeout=3).close()
            burst_seconds = time.monotonic() - began
            # Other addresses are unaffected.
            self.assertEqual(healthz(self.server)[0], 200)
            # The held connections themselves still work (well under request_timeout).
            held[0].sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            self.assertTrue(held[0].recv(4096).startswith(b"HTTP/1.1 200 "))
        finally:
            for tls in held:
                tls.close()
        # Refusals are logged at most once a second, and counted.
        refusals = stderr_events(self.server, "net.client_cap")
        self.assertGreaterEqual(len(refusals), 1)
        self.assertLessEqual(len(refusals), int(burst_seconds) + 2, refusals)
        self.assertEqual(refusals[0]["remote"], "127.0.0.2")
        refused = metric(self.server, r'jejak_http_requests_total\{method="-",route="transport",status="429"\}')
        self.assertEqual(refused, PER_CLIENT_EXTRA + 1)
        # Once its connections have closed, the address is served again.
        deadline = time.monotonic() + 5
        outcome = None
        while time.monotonic() < deadline and outcome != 200:
            outcome = healthz(self.server, source="127.0.0.2")[0]
            time.sleep(0.1)
        self.assertEqual(outcome, 200)
        print(f"\nper-client cap {PER_CLIENT_MAX}: {PER_CLIENT_EXTRA + 1} refused in "
              f"{burst_seconds:.2f} s, {len(refusals)} log line(s)")


class HandshakeTimeoutTest(unittest.TestCase):
    """A client that connects and never starts its TLS handshake is cut off after
    handshake_timeout_seconds, not request_timeout_seconds."""

    @classmethod
    def setUpClass(cls):
        cls.server = start_server("handshake", {"handshake_timeout_seconds": HANDSHAKE_TIMEOUT_SECONDS})

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def test_silent_connection_is_closed_after_the_handshake_timeout(self):
        began = time.monotonic()
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=15) as plain:
            try:
                data = plain.recv(1)
            except ConnectionResetError:
                data = b""
        elapsed = time.monotonic() - began
        self.assertEqual(data, b"")
        self.assertGreater(elapsed, HANDSHAKE_TIMEOUT_SECONDS - 0.5)
        self.assertLess(elapsed, HANDSHAKE_TIMEOUT_SECONDS + 2, "closed later than handshake_timeout")
        self.assertEqual(healthz(self.server)[0], 200)


class OpenFileLimitTest(unittest.TestCase):
    """`jejak serve` raises its soft RLIMIT_NOFILE to fit connections_max, and when the hard
    limit is too low it warns and serves fewer connections instead of running out of files."""

    def start(self, name, soft, hard, settings):
        # A wrapper that sets the limits and execs the server (the PID stays the server's).
        wrapper = os.path.join(SCRATCH, f"{name}-serve")
        with open(wrapper, "w", encoding="utf-8") as f:
            f.write(f"#!{sys.executable}\nimport os, resource, sys\n"
                    f"resource.setrlimit(resource.RLIMIT_NOFILE, ({soft}, {hard}))\n"
                    f"os.execv({JEJAK!r}, [{JEJAK!r}] + sys.argv[1:])\n")
        os.chmod(wrapper, 0o755)
        saved, api.JEJAK = api.JEJAK, wrapper
        try:
            return start_server(name, settings)
        finally:
            api.JEJAK = saved

    @staticmethod
    def soft_limit(pid):
        with open(f"/proc/{pid}/limits", encoding="ascii") as f:
            for line in f:
                if line.startswith("Max open files"):
                    return int(line.split()[3])
        raise RuntimeError("no open-file limit")

    def test_soft_limit_is_raised_to_fit_connections_max(self):
        hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
        if hard != resource.RLIM_INFINITY and hard < 1500:
            self.skipTest(f"the hard open-file limit ({hard}) is below what this test needs")
        server = self.start("rlimit-raise", 256, hard, {"connections_max": 1024})
        try:
            self.assertGreaterEqual(self.soft_limit(server.proc.pid), 1024)
            self.assertEqual(healthz(server)[0], 200)
        finally:
            server.stop()

    def test_low_hard_limit_lowers_connections_max_with_a_warning(self):
        server = self.start("rlimit-clamp", 300, 300, {"connections_max": 1024,
                                                       "connections_per_client_max": 0})
        try:
            deadline = time.monotonic() + 5  # Stderr is read by another thread.
            warning = []
            while time.monotonic() < deadline and not warning:
                with server.lock:
                    warning = [line for line in server.stderr_lines if "RLIMIT_NOFILE" in line]
                time.sleep(0.05)
            self.assertEqual(len(warning), 1, server.log_text())
            self.assertIn("connections_max", warning[0])
            # More connections than files: the server sheds idle ones instead of failing
            # to accept (EMFILE), and an ordinary client is still served.
            hostile = Hostile(server.port, 400, sources=10)
            try:
                hostile.wait_until(lambda s: s.get("opened", 0) >= 400, 15)
                outcomes = [healthz(server)[0] for _ in range(10)]
            finally:
                hostile.stop()
            self.assertEqual(outcomes, [200] * 10)
            with server.lock:
                self.assertNotIn("Too many open files", "\n".join(server.stderr_lines))
        finally:
            server.stop()


class SheddingTest(unittest.TestCase):
    """A flood of idle connections, reopened as the server drops them, must not lock out
    other clients: past connections_max the server closes the oldest idle connection."""

    @classmethod
    def setUpClass(cls):
        cls.server = start_server("shedding", {"connections_max": SHED_CONNECTIONS_MAX,
                                               "connections_per_client_max": 0})

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def normal_client(self, count, pause=0.0):
        """`count` requests: half on new connections, half on one keep-alive connection."""
        outcomes, latencies = [], []
        for _ in range(count // 2):
            outcome, seconds = healthz(self.server)
            outcomes.append(outcome)
            latencies.append(seconds)
            time.sleep(pause)
        conn = http.client.HTTPSConnection("127.0.0.1", self.server.port, context=self.server.context,
                                           timeout=10)
        try:
            for _ in range(count - count // 2):
                outcome, seconds = healthz(self.server, conn=conn)
                outcomes.append(outcome)
                latencies.append(seconds)
                time.sleep(pause)
        finally:
            conn.close()
        return outcomes, latencies

    def test_idle_flood_does_not_lock_out_other_clients(self):
        quiet_outcomes, quiet = self.normal_client(20)
        self.assertEqual(quiet_outcomes, [200] * 20)
        hostile = Hostile(self.server.port, HOSTILE_TARGET)
        try:
            # Under way: the hostile client has opened its target's worth of connections.
            filled = hostile.wait_until(lambda s: s.get("opened", 0) >= HOSTILE_TARGET, 20)
            during_fill = hostile.latest()
            rss_during = rss_kib(self.server.proc.pid)
            before = hostile.latest()
            outcomes, latencies = self.normal_client(NORMAL_REQUESTS, NORMAL_PAUSE_SECONDS)
            after = hostile.latest()
        finally:
            errors = hostile.stop()
        self.assertTrue(filled, f"the hostile client did not get going: {during_fill} {errors}")
        print(f"\nshedding (connections_max {SHED_CONNECTIONS_MAX}): hostile {after}; server RSS "
              f"{rss_during / 1024:.1f} MiB\n"
              f"normal client quiet: p50 {statistics.median(quiet) * 1000:.1f} ms, "
              f"p99 {percentile(quiet, 0.99) * 1000:.1f} ms\n"
              f"normal client under flood: p50 {statistics.median(latencies) * 1000:.1f} ms, "
              f"p99 {percentile(latencies, 0.99) * 1000:.1f} ms, "
              f"max {max(latencies) * 1000:.1f} ms, outcomes {sorted(set(map(str, outcomes)))}")
        self.assertEqual(outcomes, [200] * NORMAL_REQUESTS)
        self.assertLess(statistics.median(latencies), NORMAL_P50_SECONDS_MAX)
        # The flood went on while the client was served: the server kept closing idle
        # connections (the hostile client saw them dropped) instead of answering 503.
        self.assertGreater(after.get("dropped", 0), before.get("dropped", 0), (before, after))
        self.assertFalse(after.get("done"), f"the flood ended before the client was done: {after}")
        self.assertGreaterEqual(len(stderr_events(self.server, "net.shed_idle")), 1)
        self.assertEqual([entry for entry in self.server.request_log() if entry.get("status") == 503], [])
        self.assertEqual(healthz(self.server)[0], 200)


class MemoryTest(unittest.TestCase):
    """After a flood of connections closes, the server's memory comes back near where it was."""

    @classmethod
    def setUpClass(cls):
        cls.server = start_server("memory", {"connections_max": MEMORY_CONNECTIONS_MAX,
                                             "connections_per_client_max": 0,
                                             "request_timeout_seconds": 60})

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def test_memory_is_given_back_after_connections_close(self):
        pid = self.server.proc.pid
        for _ in range(100):  # Warm-up: TLS, the handlers, the allocator's arenas.
            self.assertEqual(healthz(self.server)[0], 200)
        time.sleep(1)
        baseline = rss_kib(pid)
        hostile = Hostile(self.server.port, HOSTILE_TARGET)
        peak = baseline
        try:
            held = hostile.wait_until(lambda s: s.get("held", 0) >= HOSTILE_TARGET * 0.95, 25)
            status = hostile.latest()
            hold_until = time.monotonic() + MEMORY_HOLD_SECONDS
            while time.monotonic() < hold_until:
                peak = max(peak, rss_kib(pid))
                time.sleep(0.2)
            served = healthz(self.server)[0]
        finally:
            errors = hostile.stop()
        self.assertTrue(held, f"the hostile client could not hold its connections: {status} {errors}")
        self.assertEqual(served, 200)
        limit = max(baseline + MEMORY_MARGIN_KIB, baseline * MEMORY_RATIO_MAX)
        after = rss_kib(pid)
        deadline = time.monotonic() + MEMORY_SETTLE_SECONDS_MAX
        began = time.monotonic()
        while time.monotonic() < deadline and after > limit:
            time.sleep(0.5)
            after = rss_kib(pid)
        settled = time.monotonic() - began
        trims = stderr_events(self.server, "memory.trim")
        print(f"\nmemory: {status.get('held')} connections held; RSS baseline {baseline / 1024:.1f} MiB, "
              f"peak {peak / 1024:.1f} MiB, after {after / 1024:.1f} MiB ({settled:.1f} s after the "
              f"close; limit {limit / 1024:.1f} MiB); trims: {trims}")
        self.assertLessEqual(after, limit)
        self.assertEqual(healthz(self.server)[0], 200)


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "--hostile":
        hostile_main(*(int(arg) for arg in sys.argv[2:7]))
        sys.exit(0)
    if len(sys.argv) < 2 or not os.path.isfile(sys.argv[1]) or not os.access(sys.argv[1], os.X_OK):
        sys.stderr.write("usage: connections_test.py /path/to/jejak [unittest options]\n")
        sys.exit(2)
    JEJAK = os.path.abspath(sys.argv[1])
    sys.dont_write_bytecode = True  # Importing api_test must leave no __pycache__ in the tree.
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import api_test as api  # noqa: E402  (its Server and init helpers; its tests are not loaded)
    api.JEJAK = JEJAK
    unittest.main(argv=[sys.argv[0]] + sys.argv[2:], verbosity=2)
