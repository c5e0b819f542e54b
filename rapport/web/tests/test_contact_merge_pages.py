"""The review queue page: pairs side by side with why, merge, not the same person, history."""

import pytest

from rapport.contacts import actions
from rapport.contacts.linkage.batch import dedupe_now
from rapport.contacts.models import Contact, DedupeRun, MatchSuggestion, MergeRecord
from rapport.core.roles import Role


@pytest.fixture
def agent(acme, make_member):
    return make_member(acme, Role.AGENT)


def _pair(member, last="Sorensen", other_last="Sorenson"):
    a = actions.create_contact(
        member, first_name="Ingrid", last_name=last, birth_date="1972-11-30", city="Oslo"
    )
    b = actions.create_contact(
        member, first_name="Ingrid", last_name=other_last, birth_date="1972-11-30", city="Oslo"
    )
    return a, b


def _url(slug="acme"):
    return f"/w/{slug}/contacts/merge-suggestions/"


def test_the_queue_shows_pairs_side_by_side_with_why(agent, acme, signed_in):
    _pair(agent)
    dedupe_now(acme.pk)
    page = signed_in(agent).get(_url())
    assert page.status_code == 200
    html = page.content.decode()
    assert "Ingrid Sorensen" in html
    assert "Ingrid Sorenson" in html
    assert "Date of birth: exact" in html
    assert "Last name: close" in html
    assert "Not the same person" in html
    assert "likely the same person" in html


def test_an_empty_queue_says_what_will_appear(agent, signed_in):
    html = signed_in(agent).get(_url()).content.decode()
    assert "No possible duplicates to review" in html
    assert "No contacts merged yet" in html


def test_search_narrows_the_pairs_and_htmx_gets_the_list_only(agent, acme, signed_in):
    _pair(agent)
    _pair(agent, last="Becker", other_last="Beker")
    dedupe_now(acme.pk)
    client = signed_in(agent)
    html = client.get(_url(), {"q": "beck"}).content.decode()
    assert "Becker" in html
    assert "Sorensen" not in html
    fragment = client.get(_url(), {"q": "soren"}, headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith('<div id="merge-list">')
    assert "Sorensen" in fragment


def test_merge_then_unmerge_from_the_page(agent, acme, signed_in, make_member):
    a, b = _pair(agent)
    dedupe_now(acme.pk)
    suggestion = MatchSuggestion.objects.get()
    client = signed_in(agent)
    response = client.post(
        f"/w/acme/contacts/merge-suggestions/{suggestion.pk}/accept/", {"survivor": b.pk}
    )
    assert response.status_code == 302
    assert Contact.objects.get(pk=a.pk).merged_into_id == b.pk
    html = client.get(_url()).content.decode()
    assert "Merge history" in html
    assert "Unmerge" in html
    merge = MergeRecord.objects.get()
    manager = signed_in(make_member(acme, Role.MANAGER))
    manager.post(f"/w/acme/contacts/merges/{merge.pk}/unmerge/")
    assert Contact.objects.get(pk=a.pk).merged_into_id is None
    assert "Undone" in manager.get(_url()).content.decode()


def test_not_the_same_person_is_remembered(agent, acme, signed_in):
    _pair(agent)
    dedupe_now(acme.pk)
    suggestion = MatchSuggestion.objects.get()
    client = signed_in(agent)
    client.post(f"/w/acme/contacts/merge-suggestions/{suggestion.pk}/reject/")
    dedupe_now(acme.pk)
    html = client.get(_url()).content.decode()
    assert "No possible duplicates to review" in html


def test_names_from_customers_are_escaped(agent, acme, signed_in):
    _pair(agent, last="<script>alert(1)</script>", other_last="<script>alert(1)</script>x")
    dedupe_now(acme.pk)
    html = signed_in(agent).get(_url()).content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;" in html


def test_a_manager_starts_a_dedupe_and_sees_its_progress(acme, make_member, signed_in):
    manager = make_member(acme, Role.MANAGER)
    client = signed_in(manager)
    assert "Look for duplicates now" in client.get(_url()).content.decode()
    client.post("/w/acme/contacts/dedupe/")
    run = DedupeRun.objects.get()
    html = client.get(_url(), {"part": "run"}, headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 2s"' in html
    assert "<progress" in html
    run.state = DedupeRun.State.DONE
    run.message = "12 candidate pairs compared: 1 to review, 0 merged automatically."
    run.save()
    assert "1 to review" in client.get(_url()).content.decode()


def test_agents_cannot_start_a_dedupe(agent, signed_in):
    client = signed_in(agent)
    assert "Look for duplicates now</button>" not in client.get(_url()).content.decode()
    assert client.post("/w/acme/contacts/dedupe/").status_code == 403


def test_another_workspaces_pairs_are_not_found(agent, acme, globex, make_member, signed_in):
    theirs = make_member(globex, Role.ADMIN)
    _pair(theirs)
    dedupe_now(globex.pk)
    suggestion = MatchSuggestion.objects.get()
    client = signed_in(agent)
    assert "Sorensen" not in client.get(_url()).content.decode()
    response = client.post(f"/w/acme/contacts/merge-suggestions/{suggestion.pk}/accept/")
    assert response.status_code == 404
    assert not Contact.objects.filter(merged_into__isnull=False).exists()
