"""The one HTTP seam: retries, Retry-After, timeouts and the test replay."""

import email.utils
import time

import pytest
import requests

from rapport.core import http

URL = "https://api.example.com/v1/things"


@pytest.fixture
def waits(monkeypatch) -> list[float]:
    """The seam's waits, recorded instead of slept."""
    recorded: list[float] = []
    monkeypatch.setattr(http, "sleep", recorded.append)
    return recorded


def test_a_503_is_retried_with_backoff_then_the_success_is_returned(waits):
    recordings = http.Recordings().add("GET", URL, status=503, times=2).add("GET", URL, body="ok")
    with http.replay(recordings):
        response = http.session().get(URL)
    assert (response.status_code, response.text) == (200, "ok")
    assert len(recordings.requests) == 3
    assert waits == [http.BACKOFF_SECONDS, http.BACKOFF_SECONDS * 2]


def test_retries_stop_after_the_last_attempt(waits):
    with http.replay(http.Recordings().add("GET", URL, status=502)) as recordings:
        response = http.session().get(URL)
    assert response.status_code == 502
    assert len(recordings.requests) == http.MAX_ATTEMPTS


def test_retry_after_in_seconds_is_honoured(waits):
    recordings = (
        http.Recordings()
        .add("GET", URL, status=429, headers={"Retry-After": "7"}, times=1)
        .add("GET", URL, body="ok")
    )
    with http.replay(recordings):
        assert http.session().get(URL).status_code == 200
    assert waits == [7.0]


def test_retry_after_as_an_http_date_is_honoured(waits, monkeypatch):
    now = 1_800_000_000.0
    monkeypatch.setattr(time, "time", lambda: now)
    when = email.utils.formatdate(now + 30, usegmt=True)
    recordings = (
        http.Recordings()
        .add("GET", URL, status=503, headers={"Retry-After": when}, times=1)
        .add("GET", URL, body="ok")
    )
    with http.replay(recordings):
        assert http.session().get(URL).status_code == 200
    assert waits == [pytest.approx(30.0)]


def test_a_long_retry_after_is_capped(waits):
    recordings = (
        http.Recordings()
        .add("GET", URL, status=429, headers={"Retry-After": "3600"}, times=1)
        .add("GET", URL, body="ok")
    )
    with http.replay(recordings):
        http.session().get(URL)
    assert waits == [http.MAX_WAIT_SECONDS]


@pytest.mark.parametrize(
    ("value", "seconds"),
    [(None, None), ("", None), ("12", 12.0), ("soon", None), (" 3 ", 3.0)],
)
def test_retry_after_values(value, seconds):
    assert http.retry_after_seconds(value) == seconds


def test_a_post_is_not_retried_on_500(waits):
    with http.replay(http.Recordings().add("POST", URL, status=500)) as recordings:
        response = http.session().post(URL, json={"a": 1})
    assert response.status_code == 500
    assert len(recordings.requests) == 1
    assert waits == []


def test_a_post_is_retried_on_429_the_request_was_not_processed(waits):
    recordings = (
        http.Recordings().add("POST", URL, status=429, times=1).add("POST", URL, status=201)
    )
    with http.replay(recordings):
        assert http.session().post(URL).status_code == 201
    assert len(recordings.requests) == 2


def test_a_request_no_recording_answers_raises():
    with http.replay(http.Recordings().add("GET", URL)), pytest.raises(http.UnrecordedRequest):
        http.session().get(URL + "/other")


def test_recordings_match_url_patterns_and_run_out():
    import re

    recordings = http.Recordings().add("GET", re.compile(r".*/things\?page=\d+"), times=1)
    with http.replay(recordings):
        assert http.session().get(URL, params={"page": 2}).status_code == 200
        with pytest.raises(http.UnrecordedRequest):
            http.session().get(URL, params={"page": 3})


def test_get_raises_naming_the_url_on_an_error_status(waits):
    recordings = http.Recordings().add("GET", URL, status=404)
    with http.replay(recordings), pytest.raises(requests.HTTPError, match=r"api\.example\.com"):
        http.get(URL)


def test_requests_carry_the_user_agent():
    with http.replay(http.Recordings().add("GET", URL)) as recordings:
        http.session().get(URL)
    assert recordings.requests[0].headers["User-Agent"] == http.USER_AGENT


def test_timeouts_default_to_the_seams(monkeypatch):
    seen = []

    def send(self, request, **kwargs):
        seen.append(kwargs["timeout"])
        response = requests.Response()
        response.status_code = 200
        response.request = request
        return response

    monkeypatch.setattr(requests.adapters.HTTPAdapter, "send", send)
    http.session().get(URL)
    http.session().get(URL, timeout=2)
    assert seen == [http.TIMEOUT, 2]


def test_the_httpx_client_goes_through_the_replay():
    recordings = http.Recordings().add("GET", URL, body='{"ok": true}', headers={"X-A": "1"})
    with http.replay(recordings), http.httpx_client() as client:
        response = client.get(URL)
    assert response.json() == {"ok": True}
    assert response.headers["X-A"] == "1"
    assert recordings.requests[0].headers["User-Agent"] == http.USER_AGENT
