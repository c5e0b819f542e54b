"""The triage steps, in the order the pipeline runs them. Each is small and tested alone."""

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from datetime import timedelta

from django.db.models import Q

from rapport.contacts.models import Identity
from rapport.listening.matcher import features
from rapport.listening.models import Post
from rapport.triage.pipeline import Context, Drop

_CONTROL = re.compile(
    r"[\u0000-\u0008\u000b-\u001f\u007f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]"
)
_SPACES = re.compile(r"[ \t\u00a0]+")
_LINES = re.compile(r"\n{3,}")
_URL = re.compile(r"https?://\S+")
_NOISE = re.compile(r"^(rt\s+)?@\w+:?\s*|[@#]\w+|\W+")


class Normalise:
    """Unicode NFC, no control or zero-width characters, tidy whitespace; a content hash."""

    name = "normalise"
    fields: tuple[str, ...] = ("text", "content_hash")

    def prepare(self, posts: Sequence[Post], ctx: Context) -> None:
        pass

    def __call__(self, post: Post, ctx: Context) -> Post:
        text = unicodedata.normalize("NFC", post.text)
        text = _CONTROL.sub("", text)
        text = _LINES.sub("\n\n", _SPACES.sub(" ", text)).strip()
        post.text = text
        # Copies differ in links, mentions and "RT @x:" prefixes; the hash ignores those.
        core = _NOISE.sub(" ", _URL.sub(" ", text.casefold())).strip()
        post.content_hash = (
            hashlib.md5(core.encode(), usedforsecurity=False).hexdigest() if len(core) >= 20 else ""
        )
        return post


class Dedupe:
    """Reposts and copies link to their original and go no further; originals go on."""

    name = "dedupe"
    fields: tuple[str, ...] = ("duplicate_of",)
    window = timedelta(days=7)

    def prepare(self, posts: Sequence[Post], ctx: Context) -> None:
        reposts = {(p.network, p.repost_of_external_id) for p in posts if p.repost_of_external_id}
        hashes = {p.content_hash for p in posts if p.content_hash}
        originals: dict[object, int] = {}
        if reposts:
            q = Q()
            for network, external_id in reposts:
                q |= Q(network=network, external_id=external_id)
            for pk, network, external_id in Post.objects.filter(
                q, workspace_id=ctx.workspace_id
            ).values_list("pk", "network", "external_id"):
                originals[(network, external_id)] = pk
        if hashes:
            batch_ids = [p.pk for p in posts]
            for pk, content_hash in (
                Post.objects.filter(
                    workspace_id=ctx.workspace_id,
                    content_hash__in=hashes,
                    posted_at__gte=ctx.now - self.window,
                    duplicate_of__isnull=True,
                )
                .exclude(pk__in=batch_ids)
                .order_by("-pk")
                .values_list("pk", "content_hash")
            ):
                originals[content_hash] = pk
        ctx.scratch["originals"] = originals

    def __call__(self, post: Post, ctx: Context) -> Post | Drop:
        originals: dict[object, int] = ctx.scratch["originals"]  # type: ignore[assignment]
        original = None
        if post.repost_of_external_id:
            original = originals.get((post.network, post.repost_of_external_id))
        if original is None and post.content_hash:
            original = originals.get(post.content_hash)
            if original is None:
                originals[post.content_hash] = post.pk  # later copies in this batch point here
                return post
        if original is None or original == post.pk:
            return post
        post.duplicate_of_id = original
        return Drop("a copy of an earlier post")


class MatchQueries:
    name = "match"
    fields: tuple[str, ...] = ()

    def prepare(self, posts: Sequence[Post], ctx: Context) -> None:
        pass

    def __call__(self, post: Post, ctx: Context) -> Post:
        found = ctx.matcher.match(
            features(
                f"{post.title} {post.text}",
                language=post.language,
                author=post.author_handle,
                network=post.network,
            )
        )
        if found:
            ctx.matches[post.pk] = found
        return post


class ResolveIdentity:
    """Links each post to its author's Identity, creating one (without a contact) when new."""

    name = "identity"
    fields: tuple[str, ...] = ("identity",)

    def prepare(self, posts: Sequence[Post], ctx: Context) -> None:
        authors = {(p.network, p.author_external_id): p for p in posts if p.author_external_id}
        known: dict[tuple[str, str], Identity] = {}
        by_network: dict[str, list[str]] = {}
        for network, external_id in authors:
            by_network.setdefault(network, []).append(external_id)
        for network, ids in by_network.items():
            for identity in Identity.objects.filter(
                workspace_id=ctx.workspace_id, network=network, external_id__in=ids
            ):
                known[(identity.network, identity.external_id)] = identity
        missing = [
            Identity(
                workspace_id=ctx.workspace_id,
                network=p.network,
                external_id=p.author_external_id,
                handle=p.author_handle or p.author_external_id,
                display_name=p.author_name,
                reach=p.author_reach,
                verified=p.author_verified,
            )
            for key, p in authors.items()
            if key not in known
        ]
        if missing:
            Identity.objects.bulk_create(missing, ignore_conflicts=True)
            for network in {i.network for i in missing}:
                ids = [i.external_id for i in missing if i.network == network]
                for identity in Identity.objects.filter(
                    workspace_id=ctx.workspace_id, network=network, external_id__in=ids
                ):
                    known[(identity.network, identity.external_id)] = identity
        stale = []
        for key, p in authors.items():
            current = known.get(key)
            if (
                current is not None
                and (current.reach != p.author_reach or current.handle != p.author_handle)
                and p.author_handle
            ):
                current.reach, current.handle = p.author_reach, p.author_handle
                stale.append(current)
        if stale:
            Identity.objects.bulk_update(stale, ["reach", "handle"])
        ctx.scratch["identities"] = known

    def __call__(self, post: Post, ctx: Context) -> Post:
        known: dict[tuple[str, str], Identity] = ctx.scratch["identities"]  # type: ignore[assignment]
        found = known.get((post.network, post.author_external_id))
        if found is not None:
            post.identity = found
        return post


class DetectLanguage:
    """The network's language when it gives one, else a guess from the text (py3langid)."""

    name = "language"
    fields: tuple[str, ...] = ("language",)

    def prepare(self, posts: Sequence[Post], ctx: Context) -> None:
        pass

    def __call__(self, post: Post, ctx: Context) -> Post:
        if not post.language and post.text:
            post.language = detect_language(post.text)
        post.language = post.language.lower().split("-")[0][:8]
        return post


def detect_language(text: str) -> str:
    import py3langid

    language, _ = py3langid.classify(text[:500])
    return str(language)


class Classify:
    """Sentiment, complaint probability and intent from the model, for the batch at once."""

    name = "classify"
    fields: tuple[str, ...] = ("sentiment", "sentiment_score", "complaint_probability", "intent")

    def prepare(self, posts: Sequence[Post], ctx: Context) -> None:
        predictions = ctx.classifier.predict([f"{p.title} {p.text}".strip() for p in posts])
        ctx.predictions.update({p.pk: pred for p, pred in zip(posts, predictions, strict=True)})

    def __call__(self, post: Post, ctx: Context) -> Post:
        prediction = ctx.predictions[post.pk]
        post.sentiment = prediction.sentiment
        post.sentiment_score = prediction.sentiment_score
        post.complaint_probability = prediction.complaint_probability
        post.intent = prediction.intent
        return post


LABEL_WEIGHT = {"brand": 15, "product": 12, "person": 10, "campaign": 6, "competitor": 4}
INTENT_WEIGHT = {"complaint": 30, "lead": 28, "question": 20, "idea": 10, "praise": 5, "other": 0}


class Score:
    """Priority 0-100: what needs a person first (negative, complaints, leads, big audiences)."""

    name = "score"
    fields: tuple[str, ...] = ("priority",)

    def prepare(self, posts: Sequence[Post], ctx: Context) -> None:
        pass

    def __call__(self, post: Post, ctx: Context) -> Post:
        score = INTENT_WEIGHT.get(post.intent, 0)
        if post.sentiment == "negative":
            score += 20
        reach = post.author_reach
        score += 25 if reach >= 100_000 else 15 if reach >= 10_000 else 8 if reach >= 1_000 else 0
        labels = [ctx.query_labels.get(q, "") for q in ctx.matches.get(post.pk, ())]
        score += max((LABEL_WEIGHT.get(label, 0) for label in labels), default=0)
        post.priority = min(100, score)
        return post
