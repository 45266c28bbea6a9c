"""The one HTTP layer every API connector uses.

- one `requests.Session` per client (connection reuse), connect and read timeouts;
- retries with exponential backoff and jitter (tenacity) on 429, 5xx, connection errors, timeouts
  and truncated bodies; a server's `Retry-After` (or the vendor's reset header) decides the wait;
- a per-source request rate limit, and a pause when the vendor says no requests remain;
- counts of requests, pages and retries, collected by `collect_http_stats()`;
- secrets never appear in errors: every message is passed through `redact`.
"""
from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any, BinaryIO
from urllib.parse import urljoin

import requests
from pydantic import Field
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential_jitter,
)

from ingestion.connectors.base import StrictModel

REDACTED = "***"
DOWNLOAD_CHUNK_BYTES = 1 << 20


class HttpSettings(StrictModel):
    """Timeouts, retries and rate limit of one source (nps.yaml: `http:` under the source)."""

    connect_timeout_seconds: float = Field(default=10.0, gt=0)
    read_timeout_seconds: float = Field(default=60.0, gt=0)
    max_attempts: int = Field(default=6, ge=1)
    backoff_seconds: float = Field(default=1.0, ge=0)  # first retry wait; doubles, plus jitter
    max_backoff_seconds: float = Field(default=60.0, ge=0)
    # Multiplies every wait the server asks for (Retry-After, reset headers); tests use a tiny one.
    server_wait_scale: float = Field(default=1.0, ge=0)
    # None: the connector's default for its vendor.
    requests_per_second: float | None = Field(default=None, gt=0)


@dataclass(frozen=True)
class RateLimitHeaders:
    """A vendor's headers saying how many requests remain and when the window resets."""

    remaining: str
    reset: str | None = None
    reset_unit_seconds: float = 1.0  # 0.001 when the reset header is in milliseconds


@dataclass
class HttpStats:
    requests: int = 0
    pages: int = 0
    retries: int = 0


_collectors: ContextVar[tuple[HttpStats, ...]] = ContextVar("http_stats_collectors", default=())


@contextmanager
def collect_http_stats() -> Iterator[HttpStats]:
    """Counts the requests, pages and retries of every client used inside the block."""
    stats = HttpStats()
    token = _collectors.set((*_collectors.get(), stats))
    try:
        yield stats
    finally:
        _collectors.reset(token)


class ApiError(Exception):
    """A request that failed for good; the message names the source, request and reply (redacted)."""

    def __init__(self, message: str, status: int | None = None, code: str | None = None):
        super().__init__(message)
        self.status = status
        self.code = code  # the vendor's error code, when its body has one


class TransientError(ApiError):
    """A failure worth retrying (429, 5xx, connection trouble, a cut-off body)."""

    def __init__(self, message: str, status: int | None = None, wait_seconds: float | None = None):
        super().__init__(message, status)
        self.wait_seconds = wait_seconds  # what the server asked for, if anything


# Reads a vendor's error body into (code, message); None when the body is not the vendor's shape.
ErrorReader = Callable[[Any], tuple[str | None, str] | None]


class HttpClient:
    def __init__(
        self,
        source: str,
        base_url: str,
        settings: HttpSettings,
        *,
        default_requests_per_second: float,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        secrets: tuple[str, ...] = (),
        rate_limit_headers: tuple[RateLimitHeaders, ...] = (),
        read_error: ErrorReader | None = None,
    ):
        self.source = source
        self.base_url = base_url.rstrip("/") + "/"
        self.settings = settings
        self.stats = HttpStats()
        self._session = requests.Session()
        self._session.headers.update(headers or {})
        self._session.auth = auth
        self._secrets = tuple(s for s in secrets if s)
        self._rate_limit_headers = rate_limit_headers
        self._read_error = read_error
        self._interval = 1.0 / (settings.requests_per_second or default_requests_per_second)
        self._next_request_at = 0.0
        self._lock = threading.Lock()

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def url(self, path_or_url: str) -> str:
        """An absolute URL as is; a path relative to the base URL (a leading / is ignored)."""
        return urljoin(self.base_url, path_or_url.lstrip("/")) if "://" not in path_or_url else path_or_url

    def get_json(self, path: str, params: dict | list | None = None, page: bool = True) -> Any:
        return self.request("GET", path, params=params, page=page).json_body

    def post_json(self, path: str, body: Any, page: bool = True) -> Any:
        return self.request("POST", path, json_body=body, page=page).json_body

    def download(self, path: str, sink: BinaryIO) -> None:
        """GET a file into `sink` a MiB at a time (an export may not fit in memory); a retried
        download starts the file over."""
        self.request("GET", path, expect_json=False, sink=sink)

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict | list | None = None,
        json_body: Any = None,
        page: bool = True,
        expect_json: bool = True,
        sink: BinaryIO | None = None,
    ) -> Reply:
        """One request, retried on transient failures; raises ApiError when it cannot succeed."""
        url = self.url(path)
        retrying = Retrying(
            stop=stop_after_attempt(self.settings.max_attempts),
            wait=self._wait,
            retry=retry_if_exception_type(TransientError),
            before_sleep=self._count_retry,
            reraise=True,
        )
        try:
            reply = retrying(self._send, method, url, params, json_body, expect_json, sink)
        except TransientError as error:
            raise ApiError(
                f"{self.source}: {method} {self.redact(url)} failed after "
                f"{self.settings.max_attempts} attempt(s); last error: {error}",
                status=error.status,
            ) from None
        if page:
            self._count("pages")
        return reply

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text

    def _send(self, method: str, url: str, params: Any, json_body: Any, expect_json: bool, sink: BinaryIO | None) -> Reply:
        self._throttle()
        self._count("requests")
        where = f"{method} {self.redact(url)}"
        try:
            response = self._session.request(
                method,
                url,
                params=params,
                json=json_body,
                timeout=(self.settings.connect_timeout_seconds, self.settings.read_timeout_seconds),
                stream=sink is not None,
            )
            if sink is not None and response.ok:
                sink.seek(0)
                sink.truncate()
                for chunk in response.iter_content(DOWNLOAD_CHUNK_BYTES):
                    sink.write(chunk)
            # A body shorter than its Content-Length raises here (or while writing to the sink).
            content = b"" if sink is not None and response.ok else response.content
        except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError) as error:
            raise TransientError(f"{where}: {type(error).__name__}: {self.redact(str(error))}") from None
        self._respect_remaining(response)
        if response.status_code == 429 or response.status_code >= 500:
            raise TransientError(
                f"{where}: {self._describe(response)}",
                status=response.status_code,
                wait_seconds=self._server_wait(response),
            )
        if response.status_code >= 400:
            code, message = self._vendor_error(response)
            raise ApiError(f"{self.source}: {where}: {message}", status=response.status_code, code=code)
        body = None
        if expect_json:
            try:
                body = json.loads(content) if content else None
            except ValueError as error:
                raise TransientError(
                    f"{where}: reply is not valid JSON ({error}; {len(content)} bytes)", status=response.status_code
                ) from None
        return Reply(response.status_code, response.headers, content, body)

    def _throttle(self) -> None:
        with self._lock:
            now = time.monotonic()
            wait = self._next_request_at - now
            self._next_request_at = max(now, self._next_request_at) + self._interval
        if wait > 0:
            time.sleep(wait)

    def _respect_remaining(self, response: requests.Response) -> None:
        """The vendor says no requests remain in this window: wait for its reset before the next."""
        for headers in self._rate_limit_headers:
            remaining = _number(response.headers.get(headers.remaining))
            reset = _number(response.headers.get(headers.reset)) if headers.reset else None
            if remaining is not None and remaining <= 0 and reset is not None and response.status_code != 429:
                pause = reset * headers.reset_unit_seconds * self.settings.server_wait_scale
                with self._lock:
                    self._next_request_at = max(self._next_request_at, time.monotonic() + pause)

    def _server_wait(self, response: requests.Response) -> float | None:
        wait = _retry_after_seconds(response.headers.get("Retry-After"))
        for headers in self._rate_limit_headers:
            if wait is None and headers.reset and response.status_code == 429:
                reset = _number(response.headers.get(headers.reset))
                wait = None if reset is None else reset * headers.reset_unit_seconds
        return None if wait is None else wait * self.settings.server_wait_scale

    def _wait(self, state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        if isinstance(error, TransientError) and error.wait_seconds is not None:
            return min(error.wait_seconds, self.settings.max_backoff_seconds * 10)
        backoff = wait_exponential_jitter(
            initial=self.settings.backoff_seconds,
            max=self.settings.max_backoff_seconds,
            jitter=self.settings.backoff_seconds,
        )
        return backoff(state)

    def _count_retry(self, state: RetryCallState) -> None:
        self._count("retries")

    def _count(self, name: str) -> None:
        for stats in (self.stats, *_collectors.get()):
            setattr(stats, name, getattr(stats, name) + 1)

    def _vendor_error(self, response: requests.Response) -> tuple[str | None, str]:
        try:
            body = response.json()
        except ValueError:
            body = None
        read = self._read_error(body) if self._read_error and body is not None else None
        code, message = read if read else (None, _snippet(response.text))
        return code, self.redact(f"{response.status_code} {response.reason}: {message}")

    def _describe(self, response: requests.Response) -> str:
        return self._vendor_error(response)[1]


@dataclass(frozen=True)
class Reply:
    status: int
    headers: Any
    content: bytes
    json_body: Any


def _number(text: str | None) -> float | None:
    try:
        return float(text) if text is not None else None
    except ValueError:
        return None


def _retry_after_seconds(value: str | None) -> float | None:
    """Retry-After is either a number of seconds or an HTTP date."""
    if value is None:
        return None
    seconds = _number(value)
    if seconds is not None:
        return max(seconds, 0.0)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(moment.timestamp() - time.time(), 0.0)


def _snippet(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "..."
