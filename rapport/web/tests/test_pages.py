"""Every page a member can reach: the layout, the empty states, lists and their htmx fragments."""

import re

import pytest

from rapport.core import actions
from rapport.core.roles import Role

NAV_PAGES = {
    "inbox": "Your inbox is empty",
    "listening": "No listening queries yet",
    "cases": "No cases yet",
    "contacts": "No contacts yet",
    "people": "Members",
    "settings/workspace": "Workspace",
}


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "empty_state"), NAV_PAGES.items())
def test_each_nav_page_renders_with_its_empty_state(
    signed_in, acme, make_member, path, empty_state
):
    client = signed_in(make_member(acme, Role.VIEWER))
    response = client.get(f"/w/acme/{path}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert empty_state in html
    # The active section is marked for assistive technology, exactly once.
    section = path.split("/")[0]
    assert html.count('aria-current="page"') >= 1
    current = re.search(r'<a href="([^"]+)" data-shortcut="\w"\s+aria-current="page"', html)
    assert current is not None
    assert current.group(1).startswith(f"/w/acme/{section}/")


@pytest.mark.django_db
def test_listening_empty_state_shows_an_example_query(owner_client):
    html = owner_client.get("/w/acme/listening/").content.decode()
    assert '<code>"acme bank" OR @acmebank -job lang:en</code>' in html


@pytest.mark.django_db
def test_layout_has_skip_link_switcher_user_menu_shortcuts_and_htmx(owner_client, owner, globex):
    actions.add_member(globex.memberships.get(), email=owner.user.email, role=Role.AGENT)
    html = owner_client.get("/w/acme/inbox/").content.decode()
    assert 'href="#main"' in html
    assert '<option value="globex"' in html
    assert '<option value="acme" selected' in html
    assert 'action="/logout/"' in html
    for key in "ilcops":
        assert f'data-shortcut="{key}"' in html
    assert 'id="shortcut-help"' in html
    assert "web/htmx.min.js" in html


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["inbox", "people", "settings/teams", "settings/tasks"])
def test_anonymous_visitors_are_sent_to_login(client, acme, path):
    response = client.get(f"/w/acme/{path}/")
    assert response.status_code == 302
    assert response["Location"] == f"/login/?next=/w/acme/{path}/"


@pytest.mark.django_db
def test_static_files_are_served(owner_client):
    for name in ("rapport.css", "rapport.js", "htmx.min.js"):
        response = owner_client.get(f"/static/web/{name}")
        assert response.status_code == 200, name


@pytest.mark.django_db
def test_people_lists_members_with_search_and_teams_with_their_members(owner, owner_client):
    ravi = actions.add_member(
        owner,
        email="ravi@acme.example",
        role=Role.EMPLOYEE,
        full_name="Ravi Patel",
        title="Mobile app engineer",
    )
    actions.add_member(owner, email="tom@acme.example", role=Role.EMPLOYEE, full_name="Tom Becker")
    team = actions.create_team(owner, name="R&D", description="Builds the products")
    actions.add_team_member(owner, team, ravi)

    html = owner_client.get("/w/acme/people/").content.decode()
    assert "Ravi Patel" in html
    assert "Tom Becker" in html
    assert "R&amp;D" in html
    assert "Builds the products" in html

    found = owner_client.get("/w/acme/people/?q=mobile").content.decode()
    assert "Ravi Patel" in found
    assert "Tom Becker" not in found


@pytest.mark.django_db
def test_lists_paginate(owner, owner_client):
    for i in range(30):
        actions.create_team(owner, name=f"Team {i:02d}")
    first = owner_client.get("/w/acme/settings/teams/").content.decode()
    assert "Team 00" in first
    assert "Team 29" not in first
    assert "Page 1 of 2" in first
    second = owner_client.get("/w/acme/settings/teams/?page=2").content.decode()
    assert "Team 29" in second
    assert "Team 00" not in second


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "list_id"),
    [
        ("people/?q=owner", "people-list"),
        ("settings/members/?q=owner", "members-list"),
        ("settings/teams/", "teams-list"),
        ("settings/audit/?verb=team.", "audit-list"),
        ("settings/tasks/", "task-runs"),
    ],
)
def test_htmx_gets_only_the_list_fragment_and_a_normal_request_the_page(
    owner_client, path, list_id
):
    full = owner_client.get(f"/w/acme/{path}")
    fragment = owner_client.get(f"/w/acme/{path}", headers={"HX-Request": "true"})
    assert full.status_code == fragment.status_code == 200
    assert b"<html" in full.content
    assert f'id="{list_id}"'.encode() in full.content
    assert b"<html" not in fragment.content
    assert b'class="mainnav"' not in fragment.content
    assert fragment.content.decode().lstrip().startswith(f'<div id="{list_id}"')
    assert "HX-Request" in fragment["Vary"]
    # A history restore after a cache miss needs the whole page again.
    restore = owner_client.get(
        f"/w/acme/{path}", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert b"<html" in restore.content


@pytest.mark.django_db
def test_user_data_is_escaped_everywhere_it_is_shown(owner, owner_client):
    evil = "<script>alert(1)</script>"
    team = actions.create_team(owner, name=evil, description=f"desc {evil}")
    actions.add_member(owner, email="x@acme.example", role=Role.AGENT, full_name=evil, title=evil)
    escaped = b"&lt;script&gt;alert(1)&lt;/script&gt;"
    for path in (
        "settings/teams/",
        f"settings/teams/{team.pk}/",
        "people/",
        "settings/members/",
        "settings/audit/",
    ):
        html = owner_client.get(f"/w/acme/{path}").content
        assert b"<script>alert(1)" not in html, path
        assert escaped in html, path


@pytest.mark.django_db
def test_pages_are_not_cached(owner_client):
    response = owner_client.get("/w/acme/inbox/")
    assert "no-store" in response["Cache-Control"]
