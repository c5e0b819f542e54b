"""Capture a post: any employee who sees a post anywhere brings it into the inbox.

With a URL, the network's connector fetches the post where it can (a source of the workspace for
that network, with its credentials, or a connector that needs none). Otherwise the employee
pastes the text and the author. Either way the post is received like any other
(`listening.ingest.receive`, triaged inline, grouped and routed), and the conversation records
who captured it.
"""

import hashlib
import logging
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.utils import timezone

from rapport.connectors.base import Author, Batch, Capability, Connector, NormalisedPost
from rapport.connectors.registry import CONNECTORS, connector_class
from rapport.core import http
from rapport.core.audit import action, record_by
from rapport.core.events import emit
from rapport.core.models import Membership
from rapport.core.permissions import Verb, require
from rapport.inbox.events import POST_CAPTURED
from rapport.inbox.intake import intake_stored
from rapport.inbox.models import Activity, Conversation, ConversationPost
from rapport.listening import crypto
from rapport.listening.ingest import MAX_TEXT, receive
from rapport.listening.models import Post, Source
from rapport.listening.sources import build_connector

logger = logging.getLogger(__name__)

URL_MAX = 1000
PASTED_NETWORK = "webhook"  # a pasted post from a place Rapport has no connector for


@dataclass
class Captured:
    conversation: Conversation
    post: Post
    fetched: bool  # the connector fetched it (else it was pasted)
    new: bool  # Rapport had not heard this post before


def clean_url(url: str) -> str:
    url = (url or "").strip()
    if not url:
        return ""
    if len(url) > URL_MAX:
        raise ValidationError({"url": f"A post's address has at most {URL_MAX} characters."})
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError({"url": f"{url!r} is not a web address (http:// or https://)."})
    return url


def _fetchers(actor: Membership) -> list[tuple[str, Connector]]:
    """Connectors that can fetch a post by URL: the workspace's sources first, then any that
    needs no configuration."""
    found: list[tuple[str, Connector]] = []
    covered: set[str] = set()
    for source in Source.objects.filter(workspace=actor.workspace).order_by("pk"):
        try:
            cls = connector_class(source.connector)
            if Capability.FETCH not in cls.capabilities:
                continue
            found.append((source.connector, build_connector(source)))
            covered.add(source.connector)
        except (KeyError, ImportError, ValueError, crypto.CredentialsUnreadable):
            continue
    for name in CONNECTORS:
        if name in covered:
            continue
        try:
            cls = connector_class(name)
        except (KeyError, ImportError):
            continue
        if Capability.FETCH in cls.capabilities:
            found.append((name, _unconfigured(cls)))
    return found


def _unconfigured(cls: type[Connector]) -> Connector:
    """A connector with no source behind it: its search settings (a query, feeds) are not
    needed to fetch one post by its address, so they are left unset rather than invented."""
    try:
        return cls()
    except Exception:  # pydantic: a required search setting is missing
        connector = cls.__new__(cls)
        connector.config = cls.Config.model_construct()
        connector.credentials = cls.Credentials.model_construct()
        connector.http = http.session()
        return connector


def fetch(actor: Membership, url: str) -> NormalisedPost | None:
    """The post at `url` from the first connector that knows such addresses; None when none
    does. A connector that knows the address but cannot read it raises ValidationError."""
    for name, connector in _fetchers(actor):
        try:
            return connector.fetch(url)
        except Exception as error:
            message = str(error)
            if " is not " in message and repr(url) in message:
                continue  # not an address of this network
            logger.info("capture: %s could not fetch %s: %s", name, url, message)
            raise ValidationError(
                {
                    "url": f"{connector.label} could not fetch this post: "
                    f"{message or 'no answer'}. Check the address, or paste the post's "
                    "text and author instead."
                }
            ) from error
    return None


def pasted(
    *, url: str, text: str, author: str, network: str, author_name: str = ""
) -> NormalisedPost:
    text = (text or "").strip()
    author = (author or "").strip().lstrip("@")
    errors = {}
    if not text:
        errors["text"] = "Paste the post's text."
    elif len(text) > MAX_TEXT:
        errors["text"] = f"A post has at most {MAX_TEXT:,} characters."
    if not author:
        errors["author"] = "Say who wrote it (their handle or name)."
    elif len(author) > 200:
        errors["author"] = "An author has at most 200 characters."
    network = network or PASTED_NETWORK
    if network not in CONNECTORS:
        errors["network"] = f"Unknown network {network!r}; use one of {', '.join(CONNECTORS)}."
    if errors:
        raise ValidationError(errors)
    # The same address captured twice is one post; a paste without an address is always new.
    external_id = (
        "capture:" + hashlib.sha256(url.encode()).hexdigest()[:40]
        if url
        else f"capture:{uuid.uuid4().hex}"
    )
    return NormalisedPost(
        network=network,
        external_id=external_id,
        text=text,
        author=Author(
            external_id=f"capture:{author.lower()}", handle=author, display_name=author_name
        ),
        created_at=timezone.now(),
        url=url,
        raw={"captured": True, "url": url, "author": author, "text": text},
    )


@action("conversation.capture")
def capture(
    actor: Membership,
    *,
    url: str = "",
    text: str = "",
    author: str = "",
    network: str = "",
) -> Captured:
    """Brings a post seen anywhere into the inbox and credits `actor` with raising it."""
    require(actor, Verb.CAPTURE_POSTS)
    url = clean_url(url)
    if not url and not (text or "").strip():
        raise ValidationError({"url": "Give the post's address, or paste its text and author."})
    post_in = fetch(actor, url) if url else None
    fetched = post_in is not None
    if post_in is None:
        if not (text or "").strip():
            host = urlsplit(url).hostname
            raise ValidationError(
                {
                    "text": f"Rapport cannot fetch posts from {host}. Paste the post's text "
                    "and its author below, and capture it again."
                }
            )
        post_in = pasted(url=url, text=text, author=author, network=network)
    result = receive(actor.workspace, Batch(posts=[post_in]))
    post = (
        Post.objects.filter(
            workspace=actor.workspace, network=post_in.network, external_id=post_in.external_id
        )
        .select_related("duplicate_of")
        .first()
    )
    if post is None:
        raise ValidationError({"url": "This post could not be stored (it may have been deleted)."})
    held = post.duplicate_of or post
    # The person waits for the conversation: placed now, not when the batch's event is heard
    # (which then finds it placed).
    intake_stored(actor.workspace_id, [held.pk])
    link = ConversationPost.objects.filter(post=held).select_related("conversation").first()
    if link is None:
        raise ValidationError({"url": "This post was removed by its author; nothing to capture."})
    conv = link.conversation
    while conv.merged_into_id:
        conv = Conversation.objects.get(pk=conv.merged_into_id)
    if link.added_by_id is None:
        link.added_by = actor
        link.save(update_fields=["added_by"])
    if conv.captured_by_id is None:
        conv.captured_by = actor
        conv.save(update_fields=["captured_by"])
    how = "fetched from its network" if fetched else "pasted"
    Activity.objects.create(
        workspace_id=conv.workspace_id,
        conversation=conv,
        kind=Activity.Kind.CAPTURED,
        actor=actor,
        message=f"{actor.user.display_name} captured a post by @{post.author_handle} ({how})",
        data={"post": post.pk, "url": url, "fetched": fetched},
    )
    record_by(
        actor,
        verb="conversation.capture",
        obj=conv,
        after={"post": post.pk, "url": url, "fetched": fetched, "new": bool(result.created)},
    )
    emit(
        POST_CAPTURED,
        actor.workspace_id,
        actor=actor,
        object_id=post.pk,
        conversation=conv.pk,
        new=bool(result.created),
        fetched=fetched,
        team=conv.team_id,
    )
    return Captured(conversation=conv, post=post, fetched=fetched, new=bool(result.created))
