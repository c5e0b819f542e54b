"""The triage steps, in the order the pipeline runs them. Each is small and tested alone."""

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from datetime import datetime, timedelta

from rapport.contacts.linkage.resolve import resolve_identities
from rapport.contacts.models import Identity
from rapport.core.bulk import bulk_insert, row_maker
from rapport.listening.matcher import features
from rapport.listening.models import Post
from rapport.triage.language import NOT_A_LANGUAGE, detect_language
from rapport.triage.pipeline import Context, Drop, key

_CONTROL = re.compile(
    r"[\u0000-\u0008\u000b-\u001f\u007f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]"
)
_SPACES = re.compile(r"[ \t\u00a0]+")
_LINES = re.compile(r"\n{3,}")
_URL = re.compile(r"https?://\S+")
_NOISE = re.compile(r"^(rt\s+)?@\w+:?\s*|[@#]\w+|[^\w@#]+")  # punctuation leaves sigils


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
    """Reposts and copies link to their original and go no further; originals go on.

    The original is looked for in this batch first, then among stored posts: a repost by the
    network's id of the original, a copy by content hash among posts made within the window
    before it (measured from the copy's own time, so an import of last year's posts dedupes the
    same as today's stream).
    """

    name = "dedupe"
    fields: tuple[str, ...] = ("duplicate_of",)
    window = timedelta(days=7)

    def prepare(self, posts: Sequence[Post], ctx: Context) -> None:
        in_batch: dict[object, Post | int] = {(p.network, p.external_id): p for p in posts}
        reposts: dict[str, set[str]] = {}
        for p in posts:
            if p.repost_of_external_id and (p.network, p.repost_of_external_id) not in in_batch:
                reposts.setdefault(p.network, set()).add(p.repost_of_external_id)
        hashes = {p.content_hash for p in posts if p.content_hash}
        stored: dict[object, int] = {}
        for network, external_ids in reposts.items():
            for pk, external_id in Post.objects.filter(
                workspace_id=ctx.workspace_id, network=network, external_id__in=external_ids
            ).values_list("pk", "external_id"):
                stored[(network, external_id)] = pk
        by_hash: dict[str, list[tuple[datetime, int]]] = {}
        if hashes:
            # No window or order in SQL: either would lead SQLite away from the hash index.
            batch_ids = {p.pk for p in posts if p.pk is not None}
            for pk, content_hash, posted_at in (
                Post.objects.filter(
                    workspace_id=ctx.workspace_id,
                    content_hash__in=hashes,
                    duplicate_of__isnull=True,
                )
                .order_by()
                .values_list("pk", "content_hash", "posted_at")
            ):
                if pk not in batch_ids:
                    by_hash.setdefault(content_hash, []).append((posted_at, pk))
        ctx.scratch["originals"] = {**stored, **in_batch}
        ctx.scratch["stored_by_hash"] = by_hash
        ctx.scratch["copies"] = {}  # key(copy) -> its original, so copies of copies link to it

    def _stored_copy_of(self, post: Post, ctx: Context) -> int | None:
        """The latest stored post with this one's content, made within the window before it."""
        by_hash: dict[str, list[tuple[datetime, int]]] = ctx.scratch["stored_by_hash"]  # type: ignore[assignment]
        since = post.posted_at - self.window
        found = [pk for posted_at, pk in by_hash.get(post.content_hash, ()) if posted_at >= since]
        return max(found) if found else None

    def __call__(self, post: Post, ctx: Context) -> Post | Drop:
        originals: dict[object, Post | int] = ctx.scratch["originals"]  # type: ignore[assignment]
        copies: dict[int, Post | int] = ctx.scratch["copies"]  # type: ignore[assignment]
        original: Post | int | None = None
        if post.repost_of_external_id:
            original = originals.get((post.network, post.repost_of_external_id))
        if original is None and post.content_hash:
            original = originals.get(post.content_hash) or self._stored_copy_of(post, ctx)
            if original is None:
                originals[post.content_hash] = post  # later copies in this batch point here
                return post
        if isinstance(original, Post):
            original = copies.get(key(original), original)
        if original is None or original is post or (post.pk and original == post.pk):
            return post
        copies[key(post)] = original
        if isinstance(original, Post):
            post.duplicate_of = original  # may be unsaved yet: its id is set when both are saved
        else:
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
            ctx.matches[key(post)] = found
        return post


class ResolveIdentity:
    """Links each post to its author's Identity, creating one (without a contact) when new."""

    name = "identity"
    fields: tuple[str, ...] = ("identity",)

    def prepare(self, posts: Sequence[Post], ctx: Context) -> None:
        authors = {(p.network, p.author_external_id): p for p in posts if p.author_external_id}
        by_network: dict[str, list[str]] = {}
        for network, external_id in authors:
            by_network.setdefault(network, []).append(external_id)
        known = self._known(ctx.workspace_id, by_network)  # (network, id) -> (pk, handle, reach)
        seen = set(known)
        make = row_maker(Identity)
        missing = [
            make(
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
            bulk_insert(missing, ignore_conflicts=True)
            new: dict[str, list[str]] = {}
            for identity in missing:
                new.setdefault(identity.network, []).append(identity.external_id)
            known |= self._known(ctx.workspace_id, new)
            # new authors only: deterministic keys (same handle, email, phone), indexed lookups
            new_ids = [known[k][0] for k in authors if k not in seen and k in known]
            resolve_identities(ctx.workspace_id, new_ids)
        stale = [
            Identity(pk=pk, handle=p.author_handle, reach=p.author_reach)
            for key, p in authors.items()
            for pk, handle, reach in [known[key]]
            if p.author_handle and (handle != p.author_handle or _drifted(reach, p.author_reach))
        ]
        if stale:
            Identity.objects.bulk_update(stale, ["reach", "handle"], batch_size=500)
        ctx.scratch["identities"] = {key: pk for key, (pk, _, _) in known.items()}

    @staticmethod
    def _known(
        workspace_id: int, by_network: dict[str, list[str]]
    ) -> dict[tuple[str, str], tuple[int, str, int]]:
        known = {}
        for network, ids in by_network.items():
            for start in range(0, len(ids), 500):
                for pk, external_id, handle, reach in Identity.objects.filter(
                    workspace_id=workspace_id,
                    network=network,
                    external_id__in=ids[start : start + 500],
                ).values_list("pk", "external_id", "handle", "reach"):
                    known[(network, external_id)] = (pk, handle, reach)
        return known

    def __call__(self, post: Post, ctx: Context) -> Post:
        known: dict[tuple[str, str], int] = ctx.scratch["identities"]  # type: ignore[assignment]
        post.identity_id = known.get((post.network, post.author_external_id))
        return post

    def saved(self, posts: Sequence[Post], ctx: Context) -> None:
        from rapport.profile.timeline import record_posts

        record_posts(ctx.workspace_id, posts)  # a known customer's posts join their timeline


def _drifted(known: int, now: int) -> bool:
    """Reach is a rough figure for scoring: a 10% change is worth a write, a few followers not."""
    return abs(now - known) > known / 10


class DetectLanguage:
    """The network's language when it gives one, else a guess from the text (`detect_language`)."""

    name = "language"
    fields: tuple[str, ...] = ("language",)

    def prepare(self, posts: Sequence[Post], ctx: Context) -> None:
        pass

    def __call__(self, post: Post, ctx: Context) -> Post:
        language = post.language.lower().split("-")[0][:8]
        if language in NOT_A_LANGUAGE:
            language = detect_language(post.text) if post.text else ""
        post.language = language
        return post


class Classify:
    """Sentiment, complaint probability and intent from the model, for the batch at once."""

    name = "classify"
    fields: tuple[str, ...] = ("sentiment", "sentiment_score", "complaint_probability", "intent")

    #: Posts per model call: the model's matrices for a whole 5,000-post batch held ~40 MB more
    #: at the peak, for no gain in speed.
    chunk = 1000

    def prepare(self, posts: Sequence[Post], ctx: Context) -> None:
        for start in range(0, len(posts), self.chunk):
            part = posts[start : start + self.chunk]
            predictions = ctx.classifier.predict([f"{p.title} {p.text}".strip() for p in part])
            ctx.predictions.update(
                {key(p): pred for p, pred in zip(part, predictions, strict=True)}
            )

    def __call__(self, post: Post, ctx: Context) -> Post:
        prediction = ctx.predictions[key(post)]
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
        labels = [ctx.query_labels.get(q, "") for q in ctx.matches.get(key(post), ())]
        score += max((LABEL_WEIGHT.get(label, 0) for label in labels), default=0)
        post.priority = min(100, score)
        return post


class Route:
    """Hands each saved post to the inbox: its conversation, then the routing rules.

    The inbox needs the posts' ids, which new posts only have after the batch is inserted, so
    the hand-over happens in `saved(posts, ctx)`, which the pipeline calls then
    (`pipeline.saved`). With `ctx.hand_over` (bulk ingestion, the triage worker) it queues one
    inbox task for the batch after commit, so ingesting never waits for grouping; otherwise
    (a captured post, the demo backlog) the inbox takes the posts at once.
    """

    name = "route"
    fields: tuple[str, ...] = ()

    def prepare(self, posts: Sequence[Post], ctx: Context) -> None:
        ctx.scratch.setdefault("route", [])

    def __call__(self, post: Post, ctx: Context) -> Post:
        ctx.scratch["route"].append(post)  # type: ignore[attr-defined]
        return post

    def saved(self, posts: Sequence[Post], ctx: Context) -> None:
        from rapport.inbox.intake import hand_over, intake

        routed: list[Post] = ctx.scratch.pop("route", [])  # type: ignore[assignment]
        if not routed:
            return
        if ctx.hand_over:
            hand_over(ctx.workspace_id, [p.pk for p in routed if p.pk is not None])
        else:
            intake(ctx.workspace_id, routed, ctx.matches, ctx.query_labels)
