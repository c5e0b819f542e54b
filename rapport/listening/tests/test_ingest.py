"""Receiving batches: stored once, edits and deletions applied, bad items quarantined."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction

from rapport.connectors.base import Author, Batch, NormalisedPost, Reject
from rapport.contacts.models import Identity
from rapport.listening.ingest import receive
from rapport.listening.models import ListeningQuery, Post, QuarantinedPayload

T0 = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


def post(external_id: str, text: str, **kwargs) -> NormalisedPost:
    author = kwargs.pop("author", Author(external_id="109", handle="dana", reach=5400))
    return NormalisedPost(
        network=kwargs.pop("network", "mastodon"),
        external_id=external_id,
        text=text,
        author=author,
        created_at=kwargs.pop("created_at", T0),
        raw={"id": external_id},
        **kwargs,
    )


@pytest.fixture
def queries(acme):
    ListeningQuery.objects.create(workspace=acme, name="Brand", query='"acme bank" OR @acmebank')
    ListeningQuery.objects.create(
        workspace=acme, name="Rivals", query="globex", label=ListeningQuery.Label.COMPETITOR
    )


def test_a_batch_received_twice_is_stored_once(acme, queries):
    batch = Batch(posts=[post("1", "Acme Bank froze my card again"), post("2", "globex is fine")])
    first = receive(acme, batch)
    second = receive(acme, batch)
    assert len(first.created) == 2
    assert second.created == []
    assert second.duplicates == 2
    assert Post.objects.filter(workspace=acme).count() == 2


def test_inline_triage_matches_classifies_scores_and_links_the_author(acme, queries):
    receive(
        acme,
        Batch(posts=[post("1", "@AcmeBank still charged twice, no refund. Unacceptable!")]),
    )
    stored = Post.objects.get(external_id="1")
    assert [q.name for q in stored.queries.all()] == ["Brand"]
    assert stored.sentiment == "negative"
    assert stored.intent == "complaint"
    assert stored.priority >= 50
    assert stored.triaged_at is not None
    assert stored.identity == Identity.objects.get(network="mastodon", external_id="109")
    assert stored.identity.contact is None


def test_edits_replace_the_text_and_deletions_remove_it(acme):
    receive(acme, Batch(posts=[post("1", "first version")]))
    edited = post("1", "second version", edited_at=T0 + timedelta(minutes=5))
    assert receive(acme, Batch(posts=[edited])).updated == 1
    assert Post.objects.get(external_id="1").text == "second version"
    gone = post("1", "", deleted=True)
    assert receive(acme, Batch(posts=[gone])).deleted == 1
    stored = Post.objects.get(external_id="1")
    assert stored.text == ""
    assert stored.deleted_at is not None


def test_bad_items_are_quarantined_and_the_rest_is_stored(acme):
    batch = Batch(
        posts=[post("1", "fine post"), post("2", "   "), post("3", "x", network="myspace")],
        rejects=[Reject("not JSON: line 1", b"{oops")],
    )
    result = receive(acme, batch)
    assert len(result.created) == 1
    assert result.quarantined == 3
    reasons = set(QuarantinedPayload.objects.values_list("reason", flat=True))
    assert reasons == {"the post has no text", "unknown network 'myspace'", "not JSON: line 1"}
    assert bytes(QuarantinedPayload.objects.get(reason__startswith="not JSON").raw) == b"{oops"


@pytest.mark.parametrize("where", ["labelling", "inserting"])
def test_a_crash_mid_batch_stores_nothing_and_the_retry_stores_all(acme, monkeypatch, heard, where):
    from rapport.listening import ingest
    from rapport.triage import wiring

    batch = Batch(posts=[post(str(i), f"post number {i}") for i in range(5)])

    def crash(*args, **kwargs):
        raise RuntimeError("worker killed")

    monkeypatch.setattr(
        *((wiring, "process") if where == "labelling" else (ingest, "_insert")), crash
    )
    with pytest.raises(RuntimeError):
        receive(acme, batch)
    assert Post.objects.count() == 0
    assert heard == []  # nobody was told of posts that are not there
    monkeypatch.undo()
    assert len(receive(acme, batch).created) == 5
    assert Post.objects.filter(triaged_at__isnull=False).count() == 5


def test_copies_link_to_the_original(acme):
    text = "Acme Bank is giving away free money, click the link to claim now"
    receive(acme, Batch(posts=[post("1", text)]))
    receive(acme, Batch(posts=[post("2", "RT @dana: " + text + " https://t.co/x")]))
    original, copy = Post.objects.get(external_id="1"), Post.objects.get(external_id="2")
    assert copy.duplicate_of == original
    assert original.duplicate_of is None
    assert copy.sentiment == ""  # not classified again


def test_an_edit_is_triaged_again_and_its_matches_follow_the_new_text(acme, queries):
    receive(acme, Batch(posts=[post("1", "Acme Bank froze my card")]))
    assert [q.name for q in Post.objects.get(external_id="1").queries.all()] == ["Brand"]
    edited = post("1", "actually it was globex, sorry", edited_at=T0 + timedelta(minutes=5))
    result = receive(acme, Batch(posts=[edited]))
    assert result.updated == 1
    stored = Post.objects.get(external_id="1")
    assert [q.name for q in stored.queries.all()] == ["Rivals"]
    assert stored.text == "actually it was globex, sorry"


def test_copies_within_one_batch_are_stored_linked_to_their_original(acme, queries):
    text = "Acme Bank is giving away free money, click the link to claim now"
    batch = Batch(
        posts=[
            post("1", text),
            post("2", f"RT @dana: {text} #free", author=Author(external_id="7", handle="sam")),
            post("3", text, repost_of_id="1", author=Author(external_id="8", handle="kim")),
        ]
    )
    assert len(receive(acme, batch).created) == 3
    original = Post.objects.get(external_id="1")
    assert set(original.copies.values_list("external_id", flat=True)) == {"2", "3"}
    assert original.sentiment != ""
    assert Post.objects.get(external_id="3").sentiment == ""  # not classified again
    assert list(original.queries.values_list("name", flat=True)) == ["Brand"]


def test_a_batch_is_stored_labelled_and_told_once_after_commit(acme, queries, heard):
    batch = Batch(posts=[post(str(i), f"acme bank post {i}") for i in range(30)])
    with transaction.atomic():
        result = receive(acme, batch)
        assert heard == []  # nothing before the commit
    assert Post.objects.filter(triaged_at__isnull=True).count() == 0  # written once, labelled
    assert Post.objects.filter(matches__isnull=False).distinct().count() == 30
    told = {e.name: e for e in heard if e.name in ("post.stored", "post.triaged")}
    assert told["post.stored"].ids == tuple(result.created)
    assert told["post.triaged"].ids == tuple(result.created)
    assert [e.name for e in heard].count("post.stored") == 1


def test_edits_and_deletions_are_told_as_such(acme, queries, heard):
    receive(acme, Batch(posts=[post("1", "acme bank first"), post("2", "acme bank second")]))
    heard.clear()
    edited = post("1", "acme bank, edited", edited_at=T0 + timedelta(minutes=1))
    result = receive(acme, Batch(posts=[edited, post("2", "", deleted=True)]))
    by_name = {e.name: e.ids for e in heard}
    assert by_name["post.edited"] == tuple(result.edited)
    assert by_name["post.deleted"] == (Post.objects.get(external_id="2").pk,)
    assert by_name["post.triaged"] == tuple(result.edited)  # the edit was labelled again
    assert "post.stored" not in by_name


def test_a_deleted_post_stays_deleted_when_the_batch_comes_again(acme):
    receive(acme, Batch(posts=[post("1", "first version")]))
    gone = Batch(posts=[post("1", "", deleted=True)])
    assert receive(acme, gone).deleted == 1
    again = receive(acme, gone)
    assert (again.deleted, again.duplicates) == (0, 1)
    assert Post.objects.get(external_id="1").text == ""


def test_inserted_rows_get_their_ids_and_the_receive_time(acme):
    from rapport.core.bulk import bulk_insert

    rows = [
        Post(workspace=acme, network="x", external_id=str(i), text="t", posted_at=T0, raw=None)
        for i in range(3)
    ]
    bulk_insert(rows)
    assert [p.pk for p in rows] == list(
        Post.objects.filter(workspace=acme).order_by("pk").values_list("pk", flat=True)
    )
    stored = Post.objects.get(pk=rows[0].pk)
    assert stored.received_at == rows[0].received_at
    assert stored.raw is None


def test_a_post_s_javascript_link_is_not_kept(acme):
    receive(acme, Batch(posts=[
        post("1", "Acme Bank froze my card", url="javascript:alert(document.cookie)"),
        post("2", "Acme Bank again", url="data:text/html,<script>alert(1)</script>"),
        post("3", "Acme Bank fixed it", url="https://mastodon.example/@dana/3"),
    ]))  # fmt: skip
    urls = dict(Post.objects.filter(workspace=acme).values_list("external_id", "url"))
    assert urls == {"1": "", "2": "", "3": "https://mastodon.example/@dana/3"}
