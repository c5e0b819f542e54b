"""Web addresses people give: http and https only, the error naming the field."""

import pytest
from django.core.exceptions import ValidationError

from rapport.core import links


@pytest.mark.parametrize(
    ("value", "scheme"),
    [("javascript:alert(document.cookie)", "javascript"), ("JavaScript:alert(1)", "JavaScript"),
     ("data:text/html;base64,PHNjcmlwdD4=", "data"), ("vbscript:msgbox", "vbscript"),
     ("ftp://files.example.com/x", "ftp"), ("file:///etc/passwd", "file")],
)  # fmt: skip
def test_other_schemes_are_refused_naming_the_field_and_the_scheme(value, scheme):
    with pytest.raises(ValidationError) as error:
        links.clean_web_url(value, "website", field="website")
    assert error.value.message_dict == {
        "website": [f"The website must be an http:// or https:// address, not {scheme}:."]
    }


def test_http_and_https_pass_and_a_bare_host_becomes_https():
    assert links.clean_web_url(" https://acme.example/about ", "website") == (
        "https://acme.example/about"
    )
    assert links.clean_web_url("http://acme.example", "website") == "http://acme.example"
    assert links.clean_web_url("acme.example", "website") == "https://acme.example"
    assert links.clean_web_url("acme.example:8080/x", "website") == "https://acme.example:8080/x"
    assert links.clean_web_url("", "website") == ""


def test_a_broken_address_is_named():
    with pytest.raises(ValidationError, match="The website 'not a site' is not a valid web"):
        links.clean_web_url("not a site", "website")


@pytest.mark.parametrize(
    "stored", ["javascript:alert(1)", " javascript:alert(1)", "data:text/html,x", "//evil.example",
               "http:///nohost", "mailto:x@example.com"],
)  # fmt: skip
def test_safe_url_drops_what_is_not_a_web_address(stored):
    assert links.safe_url(stored) == ""


def test_safe_url_keeps_a_web_address():
    assert links.safe_url("https://bsky.app/profile/maya") == "https://bsky.app/profile/maya"
