"""The one HTTP seam: every outbound request of Rapport goes through `session()`.

It sets timeouts, retries idempotent requests on 429/5xx and connection errors with exponential
backoff, and honours `Retry-After`. Client libraries that bring their own HTTP stack are handed
this session (requests-based: Mastodon.py, praw, tweepy) or `httpx_client()` (atproto), whose
transport sends through the same seam. Tests `replay()` captured payloads through it, so no test
ever reaches the network.
"""

import contextlib
import email.utils
import io
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import requests
from requests.adapters import HTTPAdapter

from rapport import __version__

USER_AGENT = f"Rapport/{__version__} (open-source Social CRM)"
TIMEOUT = (5.0, 30.0)  # connect, read
MAX_ATTEMPTS = 4
BACKOFF_SECONDS = 0.5
MAX_WAIT_SECONDS = 60.0
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})

#: Replaced in tests to see the waits without waiting.
sleep: Callable[[float], None] = time.sleep


class UnrecordedRequest(AssertionError):
    """A test made a request that its recordings do not answer."""


@dataclass
class Recording:
    method: str
    url: str | re.Pattern[str]
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    times: int | None = None  # answer this many times, then fall through to the next match

    def matches(self, method: str, url: str) -> bool:
        if self.method != method or self.times == 0:
            return False
        if isinstance(self.url, re.Pattern):
            return self.url.fullmatch(url) is not None
        return self.url == url


class Recordings:
    """Captured responses that answer requests in tests, and a log of the requests made."""

    def __init__(self) -> None:
        self.recordings: list[Recording] = []
        self.requests: list[requests.PreparedRequest] = []

    def add(
        self,
        method: str,
        url: str | re.Pattern[str],
        *,
        status: int = 200,
        body: bytes | str = b"",
        file: str | Path | None = None,
        headers: dict[str, str] | None = None,
        times: int | None = None,
    ) -> "Recordings":
        if file is not None:
            body = Path(file).read_bytes()
        if isinstance(body, str):
            body = body.encode()
        self.recordings.append(
            Recording(method.upper(), url, status, body, dict(headers or {}), times)
        )
        return self

    def answer(self, request: requests.PreparedRequest) -> requests.Response:
        self.requests.append(request)
        method, url = (request.method or "GET").upper(), request.url or ""
        for recording in self.recordings:
            if recording.matches(method, url):
                if recording.times is not None:
                    recording.times -= 1
                response = requests.Response()
                response.status_code = recording.status
                response._content = recording.body
                response.raw = io.BytesIO(recording.body)  # so streaming reads work too
                response.headers.update(recording.headers)
                response.url = url
                response.request = request
                response.encoding = None
                return response
        raise UnrecordedRequest(f"No recording answers {method} {url}")


_replay = threading.local()


@contextlib.contextmanager
def replay(recordings: Recordings) -> Iterator[Recordings]:
    """Within the block, every request through the seam is answered by `recordings`."""
    previous = getattr(_replay, "recordings", None)
    _replay.recordings = recordings
    try:
        yield recordings
    finally:
        _replay.recordings = previous


def retry_after_seconds(value: str | None) -> float | None:
    """`Retry-After` as seconds to wait: either a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class SeamAdapter(HTTPAdapter):
    """Timeouts, retries with backoff and `Retry-After`, and the test replay, for every request."""

    def send(  # type: ignore[override]
        self, request: requests.PreparedRequest, timeout: Any = None, **kwargs: Any
    ) -> requests.Response:
        timeout = timeout or TIMEOUT
        retryable = (request.method or "GET").upper() in IDEMPOTENT
        attempt = 1
        while True:
            try:
                response = self._send_once(request, timeout=timeout, **kwargs)
            except (requests.ConnectionError, requests.Timeout):
                if not retryable or attempt >= MAX_ATTEMPTS:
                    raise
                sleep(min(MAX_WAIT_SECONDS, BACKOFF_SECONDS * 2 ** (attempt - 1)))
                attempt += 1
                continue
            if response.status_code not in RETRY_STATUSES or attempt >= MAX_ATTEMPTS:
                return response
            if not retryable and response.status_code != 429:
                return response
            wait = retry_after_seconds(response.headers.get("Retry-After"))
            if wait is None:
                wait = BACKOFF_SECONDS * 2 ** (attempt - 1)
            sleep(min(MAX_WAIT_SECONDS, wait))
            attempt += 1

    def _send_once(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        recordings: Recordings | None = getattr(_replay, "recordings", None)
        if recordings is not None:
            return recordings.answer(request)
        return super().send(request, **kwargs)


def session() -> requests.Session:
    """A requests session that sends through the seam. Hand it to requests-based clients."""
    s = requests.Session()
    adapter = SeamAdapter()
    s.mount("http://", adapter)
    s.mount("https://", adapter)
    s.headers["User-Agent"] = USER_AGENT
    return s


class _SeamTransport(httpx.BaseTransport):
    """Lets httpx-based clients (atproto) send through the same seam."""

    def __init__(self) -> None:
        self._session = session()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self._session.request(
            request.method,
            str(request.url),
            headers={k: v for k, v in request.headers.items() if k.lower() != "host"},
            data=request.read() or None,
            allow_redirects=False,
        )
        return httpx.Response(
            response.status_code,
            headers=[
                (k, v)
                for k, v in response.headers.items()
                if k.lower() not in ("content-encoding", "transfer-encoding")
            ],
            content=response.content,
            request=request,
        )


def httpx_transport() -> httpx.BaseTransport:
    """An httpx transport that sends through the seam, for clients that build their own client."""
    return _SeamTransport()


def httpx_client(**kwargs: Any) -> httpx.Client:
    """An httpx client that sends through the seam. Hand it to httpx-based clients."""
    return httpx.Client(transport=httpx_transport(), headers={"User-Agent": USER_AGENT}, **kwargs)


def get(url: str, **kwargs: Any) -> requests.Response:
    """A GET through the seam that raises `requests.HTTPError` naming the URL on 4xx/5xx."""
    response = session().get(url, **kwargs)
    response.raise_for_status()
    return response
