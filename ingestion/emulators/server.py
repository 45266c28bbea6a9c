"""One local HTTP server for every emulated vendor, with knobs for the faults real APIs show.

Each vendor lives under its own path prefix (`/qualtrics/API/v3`, `/surveymonkey/v3`, `/typeform`,
`/delighted/v1`, `/hubspot`, `/salesforce`); `EmulatorServer.base_url(vendor)` gives the base URL a
connector is pointed at. Faults are drawn per request from `Faults` (random, seeded) and from
scripted failures (`fail_next`), which tests use for exact scenarios.
"""
from __future__ import annotations

import json
import random
import socket
import threading
import time
from collections import Counter, deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ingestion.emulators.common import paused_gc
from ingestion.emulators.world import EmulatedWorld

DEMO_TOKEN = "demo-token"


@dataclass
class Faults:
    """Random faults, each a share of requests (0..1), drawn from a seeded generator."""

    rate_429: float = 0.0  # answered 429 with the vendor's rate-limit body and headers
    rate_500: float = 0.0  # answered 500 (503 for some vendors' gateways)
    retry_after_seconds: float = 1.0  # Retry-After sent with a 429
    slow_seconds: float = 0.0  # added to every reply
    timeout_rate: float = 0.0  # the reply only starts after `timeout_seconds`
    timeout_seconds: float = 2.0
    truncate_rate: float = 0.0  # the body is cut off halfway (Content-Length says more)
    duplicate_page_rate: float = 0.0  # a link-paged list serves the same page again before the next
    enforce_rate_limits: bool = True  # the vendors' own request limits (Typeform 2/s, ...)
    seed: int = 0


@dataclass
class ScriptedFailure:
    vendor: str
    status: int  # 429, 5xx, or 200 with a `fault` applied to the real reply
    count: int  # how many matching requests fail
    skip: int = 0  # matching requests let through first
    retry_after: float | None = None
    path_contains: str = ""
    fault: str | None = None  # "truncate" | "timeout"


@dataclass
class Request:
    vendor: str
    method: str
    path: str  # after the vendor prefix, e.g. /crm/v3/objects/companies
    query: dict[str, list[str]]
    headers: Any
    body: bytes
    base_url: str  # the vendor's base URL on this server

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default

    def json(self) -> Any:
        return json.loads(self.body or b"null")


@dataclass
class Response:
    status: int = 200
    body: Any = None  # JSON-able, bytes sent as is, or the Path of a file sent in chunks
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"

    def encoded(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        return json.dumps(self.body).encode("utf-8")


class Vendor:
    """What each vendor module provides to the server."""

    name: str
    prefix: str

    def __init__(self, world: EmulatedWorld, server: EmulatorServer):
        self.world = world
        self.server = server

    def authorized(self, request: Request) -> bool:
        raise NotImplementedError

    def unauthorized(self) -> Response:
        raise NotImplementedError

    def rate_limited(self, retry_after: float | None) -> Response:
        raise NotImplementedError

    def server_error(self, status: int) -> Response:
        raise NotImplementedError

    def limit(self, request: Request) -> tuple[str, int, float] | None:
        """(bucket, requests, per seconds) this request counts against, if the vendor limits it."""
        return None

    def handle(self, request: Request) -> Response:
        raise NotImplementedError

    def warm(self) -> None:
        """Build the indexes an incremental load reads, before the first request: on a large
        world that takes seconds, which would otherwise land in the first nightly's timings."""


class EmulatorServer:
    def __init__(self, world: EmulatedWorld, host: str, port: int, faults: Faults | None):
        from ingestion.emulators import vendors

        self.world = world
        self.faults = faults or Faults()
        self.tokens = {DEMO_TOKEN}
        self.requests: list[tuple[str, str, str]] = []  # (vendor, method, path) of every request
        self._counts: Counter[str] = Counter()  # requests per vendor
        self._scripted: list[ScriptedFailure] = []
        self._random = random.Random(self.faults.seed)
        self._windows: dict[str, deque[float]] = {}
        self._lock = threading.Lock()
        self.vendors: dict[str, Vendor] = {cls.name: cls(world, self) for cls in vendors.ALL}
        with paused_gc():
            for vendor in self.vendors.values():
                vendor.warm()
        self._httpd = _QuietServer((host, port), _handler_for(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="nps-emulator", daemon=True
        )
        self._thread.start()

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def vendor_url(self, vendor: str) -> str:
        return self.base_url + self.vendors[vendor].prefix

    def fail_next(
        self,
        vendor: str,
        status: int,
        count: int = 1,
        skip: int = 0,
        retry_after: float | None = None,
        path_contains: str = "",
        fault: str | None = None,
    ) -> None:
        """The next `count` requests to `vendor` whose path contains `path_contains` (after `skip`
        good ones) get `status`; with `fault` ("truncate", "timeout") the real reply is spoilt so."""
        if fault not in (None, "truncate", "timeout"):
            raise ValueError(f"unknown fault {fault!r}: expected truncate or timeout")
        with self._lock:
            self._scripted.append(ScriptedFailure(vendor, status, count, skip, retry_after, path_contains, fault))

    def clear_failures(self) -> None:
        with self._lock:
            self._scripted.clear()

    def request_count(self, vendor: str) -> int:
        return self._counts[vendor]

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> EmulatorServer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def dispatch(self, request: Request) -> tuple[Response, str | None]:
        """The reply to a request and the fault to apply while sending it (truncate, timeout)."""
        vendor = self.vendors[request.vendor]
        with self._lock:
            self.requests.append((request.vendor, request.method, request.path))
            self._counts[request.vendor] += 1
        if not vendor.authorized(request):
            return vendor.unauthorized(), None
        scripted = self._take_scripted(request)
        if scripted is not None and scripted.fault:
            return vendor.handle(request), scripted.fault
        if scripted is not None:
            if scripted.status == 429:
                return vendor.rate_limited(scripted.retry_after), None
            return (vendor.server_error(scripted.status) if scripted.status >= 500 else Response(scripted.status)), None
        faults = self.faults
        if self._chance(faults.rate_429):
            return vendor.rate_limited(faults.retry_after_seconds), None
        if self._chance(faults.rate_500):
            return vendor.server_error(500), None
        limit = vendor.limit(request) if faults.enforce_rate_limits else None
        if limit is not None and not self._within(*limit):
            return vendor.rate_limited(limit[2]), None
        response = vendor.handle(request)
        if self._chance(faults.timeout_rate):
            return response, "timeout"
        if self._chance(faults.truncate_rate):
            return response, "truncate"
        return response, None

    def duplicate_page(self) -> bool:
        """Whether a link-paged list should serve the page just served once more."""
        return self._chance(self.faults.duplicate_page_rate)

    def _take_scripted(self, request: Request) -> ScriptedFailure | None:
        with self._lock:
            for scripted in self._scripted:
                if scripted.vendor != request.vendor or scripted.path_contains not in request.path:
                    continue
                if scripted.skip > 0:
                    scripted.skip -= 1
                    return None
                scripted.count -= 1
                if scripted.count <= 0:
                    self._scripted.remove(scripted)
                return scripted
        return None

    def window_count(self, bucket: str, seconds: float) -> int:
        """Requests counted against a rate-limit bucket in the last `seconds`."""
        now = time.monotonic()
        with self._lock:
            return sum(1 for moment in self._windows.get(bucket, ()) if moment > now - seconds)

    def _chance(self, share: float) -> bool:
        if share <= 0:
            return False
        with self._lock:
            return self._random.random() < share

    def _within(self, bucket: str, allowed: int, seconds: float) -> bool:
        now = time.monotonic()
        with self._lock:
            window = self._windows.setdefault(bucket, deque())
            while window and window[0] <= now - seconds:
                window.popleft()
            if len(window) >= allowed:
                return False
            window.append(now)
            return True


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up (timeout fault) breaks the pipe; that is expected, not news."""


def _handler_for(server: EmulatorServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            self._serve("POST")

        def do_PATCH(self) -> None:
            self._serve("PATCH")

        def log_message(self, format: str, *args: Any) -> None:  # quiet: tests read counts instead
            pass

        def setup(self) -> None:
            super().setup()
            # Headers and body go out in two writes; with Nagle's algorithm the body would wait for
            # the client's delayed ACK of the headers (~40 ms a reply), as no real API server does.
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def _serve(self, method: str) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            vendor = next((v for v in server.vendors.values() if parts.path.startswith(v.prefix + "/")), None)
            if vendor is None:
                self._send(Response(404, {"message": f"no emulated vendor serves {parts.path}"}), None)
                return
            request = Request(
                vendor=vendor.name,
                method=method,
                path=parts.path[len(vendor.prefix):],
                query=parse_qs(parts.query, keep_blank_values=True),
                headers=self.headers,
                body=body,
                base_url=server.base_url + vendor.prefix,
            )
            try:
                response, fault = server.dispatch(request)
            except Exception as error:  # an emulator bug must show as a 500, not a hung client
                response, fault = Response(500, {"message": f"emulator error: {error!r}"}), None
            self._send(response, fault)

        def _send(self, response: Response, fault: str | None) -> None:
            faults = server.faults
            if faults.slow_seconds:
                time.sleep(faults.slow_seconds)
            if fault == "timeout":
                time.sleep(faults.timeout_seconds)
            body = response.body if isinstance(response.body, Path) else response.encoded()
            length = body.stat().st_size if isinstance(body, Path) else len(body)
            self.send_response(response.status)
            self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(length))
            for name, value in response.headers.items():
                self.send_header(name, value)
            if fault == "truncate":
                self.send_header("Connection", "close")
                self.end_headers()
                for chunk in _pieces(body, length // 2):
                    self.wfile.write(chunk)
                self.wfile.flush()
                self.close_connection = True
                return
            self.end_headers()
            for chunk in _pieces(body, length):
                self.wfile.write(chunk)

    return Handler


def _pieces(body: bytes | Path, limit: int) -> Iterator[bytes]:
    """The first `limit` bytes of a reply's body; a file's in pieces of a MiB, never read whole."""
    if isinstance(body, bytes):
        yield body[:limit]
        return
    with body.open("rb") as file:
        while limit > 0 and (chunk := file.read(min(limit, 1 << 20))):
            limit -= len(chunk)
            yield chunk


def start_emulator(
    world_dir: Path, host: str = "127.0.0.1", port: int = 0, faults: Faults | None = None
) -> EmulatorServer:
    """Serve the world in `world_dir` as every vendor's API, in a background thread."""
    return EmulatorServer(EmulatedWorld.load(Path(world_dir)), host, port, faults)

