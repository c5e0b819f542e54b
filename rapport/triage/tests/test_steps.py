"""Each triage step alone, on posts saved or not, and the runner that chains them."""

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest

from rapport.contacts.models import Contact, Identity
from rapport.listening.models import ListeningQuery, Post
from rapport.triage import steps
from rapport.triage.classifier import LexiconClassifier
from rapport.triage.pipeline import Context, Drop, context_for, key, process_posts, run

T0 = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


def make_post(workspace, external_id="1", text="hello", *, save=False, **fields) -> Post:
    post = Post(
        workspace=workspace,
        network=fields.pop("network", "mastodon"),
        external_id=external_id,
        text=text,
        posted_at=fields.pop("posted_at", T0),
        author_external_id=fields.pop("author_external_id", "109"),
        author_handle=fields.pop("author_handle", "dana"),
        **fields,
    )
    if save:
        post.save()
    return post


@pytest.fixture
def ctx(acme) -> Context:
    ListeningQuery.objects.create(workspace=acme, name="Brand", query='"acme bank" OR @acmebank')
    ListeningQuery.objects.create(
        workspace=acme, name="Rivals", query="globex", label=ListeningQuery.Label.COMPETITOR
    )
    return context_for(acme.pk, LexiconClassifier())


def one(step, post: Post, ctx: Context) -> Post | Drop:
    step.prepare([post], ctx)
    return step(post, ctx)


# -- normalise ----------------------------------------------------------------------------------


def test_normalise_composes_unicode_strips_invisible_characters_and_tidies_space(acme, ctx):
    post = make_post(acme, text="  Cafe\u0301\u200b  is\t\tshut\n\n\n\nagain\u0007 ")
    one(steps.Normalise(), post, ctx)
    assert post.text == "Café is shut\n\nagain"


def test_copies_share_a_content_hash_whatever_their_links_mentions_and_rt_prefix(acme, ctx):
    text = "Acme Bank is giving away free money, click the link to claim now"
    a = make_post(acme, "1", text)
    b = make_post(acme, "2", f"RT @dana: {text.upper()} https://t.co/x #win")
    normalise = steps.Normalise()
    normalise(a, ctx)
    normalise(b, ctx)
    assert a.content_hash
    assert a.content_hash == b.content_hash
    short = make_post(acme, "3", "ok thanks")
    normalise(short, ctx)
    assert short.content_hash == ""  # too short to call two posts copies


# -- dedupe -------------------------------------------------------------------------------------


def test_a_repost_links_to_its_stored_original_and_goes_no_further(acme, ctx):
    original = make_post(acme, "1", "the original", save=True)
    repost = make_post(acme, "2", "the original", repost_of_external_id="1")
    assert isinstance(one(steps.Dedupe(), repost, ctx), Drop)
    assert repost.duplicate_of_id == original.pk


def test_a_copy_links_to_the_stored_post_with_the_same_hash(acme, ctx):
    original = make_post(acme, "1", "x", content_hash="h" * 32, posted_at=ctx.now, save=True)
    copy = make_post(acme, "2", "x", content_hash="h" * 32, posted_at=ctx.now)
    assert isinstance(one(steps.Dedupe(), copy, ctx), Drop)
    assert copy.duplicate_of_id == original.pk


def test_a_copy_older_than_the_window_is_not_linked(acme, ctx):
    old = ctx.now - steps.Dedupe.window - timedelta(hours=1)
    make_post(acme, "1", "x", content_hash="h" * 32, posted_at=old, save=True)
    post = make_post(acme, "2", "x", content_hash="h" * 32, posted_at=ctx.now)
    assert one(steps.Dedupe(), post, ctx) is post
    assert post.duplicate_of_id is None


def test_the_window_is_measured_from_the_copy_so_imported_history_dedupes_too(acme, ctx):
    last_year = ctx.now - timedelta(days=365)
    original = make_post(acme, "1", "x", content_hash="h" * 32, posted_at=last_year, save=True)
    copy = make_post(acme, "2", "x", content_hash="h" * 32, posted_at=last_year + timedelta(days=2))
    assert isinstance(one(steps.Dedupe(), copy, ctx), Drop)
    assert copy.duplicate_of_id == original.pk


def test_copies_within_a_batch_link_to_the_first_even_unsaved(acme, ctx):
    first, second, third = (
        make_post(acme, str(i), "x", content_hash="h" * 32) for i in range(1, 4)
    )
    repost_of_copy = make_post(acme, "4", "x", repost_of_external_id="2")
    dedupe = steps.Dedupe()
    batch = [first, second, third, repost_of_copy]
    dedupe.prepare(batch, ctx)
    results = [dedupe(p, ctx) for p in batch]
    assert results[0] is first
    assert all(isinstance(r, Drop) for r in results[1:])
    assert second.duplicate_of is first
    assert third.duplicate_of is first
    assert repost_of_copy.duplicate_of is first  # the original, not the copy it reposted


# -- match queries ------------------------------------------------------------------------------


def test_match_queries_records_the_ids_of_the_matching_queries(acme, ctx):
    brand, rivals = ListeningQuery.objects.order_by("name")
    post = make_post(acme, text="@AcmeBank vs Globex: who has lower fees?")
    one(steps.MatchQueries(), post, ctx)
    assert sorted(ctx.matches[key(post)]) == sorted([brand.pk, rivals.pk])
    other = make_post(acme, "2", text="nothing relevant")
    one(steps.MatchQueries(), other, ctx)
    assert key(other) not in ctx.matches


def test_match_queries_reads_the_title_too(acme, ctx):
    post = make_post(acme, text="see inside", title="Globex raises fees")
    one(steps.MatchQueries(), post, ctx)
    assert len(ctx.matches[key(post)]) == 1


# -- resolve identity ---------------------------------------------------------------------------


def test_a_known_identity_links_the_post_to_its_contact(acme, ctx):
    contact = Contact.objects.create(workspace=acme, name="Dana Scully")
    identity = Identity.objects.create(
        workspace=acme, network="mastodon", external_id="109", handle="dana", contact=contact
    )
    post = make_post(acme)
    one(steps.ResolveIdentity(), post, ctx)
    assert post.identity == identity
    assert post.identity.contact == contact


def test_a_new_author_gets_an_identity_without_a_contact(acme, ctx):
    post = make_post(acme, author_external_id="555", author_handle="sam", author_reach=900)
    one(steps.ResolveIdentity(), post, ctx)
    identity = Identity.objects.get(workspace=acme, network="mastodon", external_id="555")
    assert post.identity_id == identity.pk
    assert (identity.handle, identity.reach, identity.contact) == ("sam", 900, None)


def test_identities_follow_handle_changes_and_real_reach_changes_only(acme, ctx):
    identity = Identity.objects.create(
        workspace=acme, network="mastodon", external_id="109", handle="dana", reach=1000
    )
    one(steps.ResolveIdentity(), make_post(acme, author_reach=1050), ctx)
    identity.refresh_from_db()
    assert identity.reach == 1000  # a few followers more is not worth a write
    one(steps.ResolveIdentity(), make_post(acme, author_reach=2000, author_handle="dana2"), ctx)
    identity.refresh_from_db()
    assert (identity.handle, identity.reach) == ("dana2", 2000)


# -- language -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "text", "expected"),
    [
        ("en-GB", "whatever", "en"),  # the network's word wins
        ("FR", "whatever", "fr"),
        ("", "Le service client ne répond jamais, c'est inadmissible", "fr"),
        ("und", "El banco me cobró dos veces y nadie responde", "es"),
        ("", "", ""),
    ],
)
def test_language_is_the_networks_else_detected(acme, ctx, given, text, expected):
    post = make_post(acme, text=text, language=given)
    one(steps.DetectLanguage(), post, ctx)
    assert post.language == expected


# -- classify and score -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "sentiment", "intent"),
    [
        (
            "@acmebank charged twice, still no refund after 3 days. Unacceptable!",
            "negative",
            "complaint",
        ),
        ("Thanks @acmebank, brilliant and friendly support, love it", "positive", "praise"),
        ("How do I change my address in the app?", "neutral", "question"),
        ("Looking for a bank for my small business, any recommendations?", "neutral", "lead"),
        ("It would be great if the app had dark mode", "positive", "idea"),
        ("Saw the new branch on the high street", "neutral", "other"),
    ],
)
def test_classify_sets_sentiment_complaint_probability_and_intent(
    acme, ctx, text, sentiment, intent
):
    post = make_post(acme, text=text)
    one(steps.Classify(), post, ctx)
    assert (post.sentiment, post.intent) == (sentiment, intent)
    assert post.complaint_probability is not None
    assert 0 <= post.complaint_probability <= 1
    assert post.sentiment_score is not None
    assert -1 <= post.sentiment_score <= 1


def test_score_puts_complaints_from_big_accounts_about_the_brand_first(acme, ctx):
    brand = ListeningQuery.objects.get(name="Brand")
    rivals = ListeningQuery.objects.get(name="Rivals")
    urgent = make_post(acme, "1", intent="complaint", sentiment="negative", author_reach=200_000)
    ctx.matches[key(urgent)] = [brand.pk]
    chatter = make_post(acme, "2", intent="other", sentiment="neutral", author_reach=10)
    ctx.matches[key(chatter)] = [rivals.pk]
    score = steps.Score()
    score(urgent, ctx)
    score(chatter, ctx)
    assert urgent.priority == 30 + 20 + 25 + 15
    assert chatter.priority == 4
    assert urgent.priority > chatter.priority


# -- the runner ---------------------------------------------------------------------------------


def test_a_dropped_post_skips_the_remaining_steps_and_the_reason_is_kept(acme, ctx):
    class DropAll:
        name = "gate"
        fields: tuple[str, ...] = ()

        def prepare(self, posts: Sequence[Post], ctx: Context) -> None:
            pass

        def __call__(self, post: Post, ctx: Context) -> Post | Drop:
            return Drop("closed")

    post = make_post(acme, text="Acme Bank is great")
    assert run([DropAll(), steps.Classify()], [post], ctx) == []
    assert ctx.dropped[key(post)] == "gate: closed"
    assert post.sentiment == ""


def test_process_posts_triages_stored_posts_and_saves_what_changed(acme, ctx):
    post = make_post(acme, text="  @AcmeBank   still charged twice!  ", save=True)
    assert process_posts(acme.pk, [post.pk]) == 1
    post.refresh_from_db()
    assert post.text == "@AcmeBank still charged twice!"
    assert post.triaged_at is not None
    assert post.intent == "complaint"
    assert [q.name for q in post.queries.all()] == ["Brand"]
