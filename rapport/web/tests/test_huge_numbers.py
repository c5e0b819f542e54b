"""Pages answer huge or junk numbers in their address calmly: a page number past the end shows
a page, a 20-digit id in the path is a 404, a 20-digit filter id is ignored or named; never the
database's overflow (a 500)."""

import pytest

from rapport.cases.actions import create_case

HUGE = "9" * 20  # past a signed 64-bit integer


@pytest.mark.parametrize(
    ("page", "query"),
    [
        ("cases", {"page": HUGE}),
        ("cases", {"team": HUGE}),
        ("cases", {"owner": HUGE}),
        ("cases", {"q": HUGE}),
        ("contacts", {"page": HUGE}),
        ("contacts", {"owner": HUGE}),
        ("people", {"page": HUGE, "team": HUGE, "skill": HUGE}),
        ("activity", {"page": HUGE, "customer": HUGE, "team": HUGE}),
        ("activity", {"customer": "²"}),
        ("my-work", {"tasks_page": HUGE}),
        ("approvals", {"page": HUGE}),
        ("notifications", {"page": HUGE}),
        ("inbox", {"after": f"2026-01-01T00:00:00+00:00_{HUGE}", "team": HUGE, "query": HUGE}),
        ("inbox", {"view": f"saved-{HUGE}", "priority": HUGE}),
    ],
)
def test_list_pages_take_huge_numbers_calmly(owner_client, acme, page, query):
    response = owner_client.get(f"/w/{acme.slug}/{page}/", query)
    assert response.status_code in (200, 400), response.status_code
    assert b"Server Error" not in response.content


@pytest.mark.parametrize(
    "path", [f"cases/{HUGE}/", f"contacts/{HUGE}/", f"inbox/{HUGE}/", "cases/0/"]
)
def test_a_20_digit_id_in_a_page_address_is_not_found(owner_client, acme, path):
    assert owner_client.get(f"/w/{acme.slug}/{path}").status_code == 404


def test_a_real_case_still_opens_by_its_id(owner_client, acme, owner):
    case = create_case(owner, subject="Card charged twice")
    response = owner_client.get(f"/w/{acme.slug}/cases/{case.pk}/")
    assert response.status_code == 200
    assert b"Card charged twice" in response.content
