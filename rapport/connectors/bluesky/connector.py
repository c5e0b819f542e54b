"""Bluesky through atproto (its HTTP sent through the seam) and Jetstream over a websocket."""

import re
from collections.abc import Iterator
from typing import Any, ClassVar
from urllib.parse import urlencode

from atproto import Client, models
from atproto_client.exceptions import AtProtocolError
from atproto_client.models.utils import get_model_as_dict
from atproto_client.request import Request
from pydantic import BaseModel, ConfigDict, Field
from websockets.exceptions import WebSocketException
from websockets.sync.client import connect

from rapport.connectors.base import (
    Batch,
    Capability,
    Connector,
    ConnectorError,
    NormalisedPost,
    PublishedReply,
)
from rapport.connectors.bluesky import parser
from rapport.core import http

POST_URL = re.compile(r"^https://bsky\.app/profile/([^/]+)/post/([A-Za-z0-9]+)/?$")


class SeamRequest(Request):
    """atproto's request wrapper, its httpx client swapped for one sending through the seam."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._client = http.httpx_client(follow_redirects=True)


class BlueskyConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    queries: list[str] = Field(default_factory=list)
    appview_url: str = "https://public.api.bsky.app"  # reads; a login switches to the user's PDS
    pds_url: str = "https://bsky.social"
    jetstream_url: str = (
        "wss://jetstream2.us-east.bsky.network/subscribe?wantedCollections=app.bsky.feed.post"
    )
    limit: int = Field(default=100, ge=1, le=100)


class BlueskyCredentials(BaseModel):
    model_config = ConfigDict(extra="forbid")

    handle: str = ""
    app_password: str = ""


class BlueskyConnector(Connector):
    name = "bluesky"
    label = "Bluesky"
    capabilities = frozenset(
        {Capability.POLL, Capability.STREAM, Capability.FETCH, Capability.PUBLISH, Capability.EDITS}
    )
    max_reply_length = 300
    Config: ClassVar[type[BaseModel]] = BlueskyConfig
    Credentials: ClassVar[type[BaseModel]] = BlueskyCredentials
    config: BlueskyConfig
    credentials: BlueskyCredentials

    def parse(self, payload: Any) -> Batch:
        return parser.parse(payload)

    def _client(self, *, login: bool = False) -> Client:
        if not login:
            return Client(
                base_url=f"{self.config.appview_url.rstrip('/')}/xrpc", request=SeamRequest()
            )
        if not (self.credentials.handle and self.credentials.app_password):
            raise ConnectorError("Bluesky needs a handle and an app password for this")
        client = Client(base_url=f"{self.config.pds_url.rstrip('/')}/xrpc", request=SeamRequest())
        self._call(
            "sign-in",
            client.login,
            self.credentials.handle,
            self.credentials.app_password,
            fetch_bsky_profile=False,
        )
        return client

    def _call(self, what: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except AtProtocolError as exc:
            detail = getattr(getattr(exc, "response", None), "content", None) or exc
            raise ConnectorError(f"Bluesky refused {what}: {detail}") from None

    def poll(self, cursor: dict[str, Any] | None) -> Batch:
        """The latest posts for each query created since the newest one seen."""
        if not self.config.queries:
            raise ConnectorError("Bluesky source has no queries to poll")
        since: dict[str, str] = dict((cursor or {}).get("since") or {})
        client = self._client(login=bool(self.credentials.handle))
        batch = Batch()
        for query in self.config.queries:
            params: dict[str, Any] = {"q": query, "sort": "latest", "limit": self.config.limit}
            if since.get(query):
                params["since"] = since[query]
            result = self._call(
                f"a search for {query!r}", client.app.bsky.feed.search_posts, params
            )
            page = parser.parse(get_model_as_dict(result))
            batch.posts.extend(page.posts)
            batch.rejects.extend(page.rejects)
            newest = [p.created_at.isoformat().replace("+00:00", "Z") for p in page.posts]
            if newest:
                since[query] = max([*newest, since.get(query, "")])
        batch.cursor = {"since": since}
        return batch

    def stream(self, cursor: dict[str, Any] | None) -> Iterator[Batch]:
        """Jetstream's post commits; each batch's cursor is the event's time_us, to resume from."""
        url = self.config.jetstream_url
        if cursor and cursor.get("time_us"):
            url += ("&" if "?" in url else "?") + urlencode({"cursor": int(cursor["time_us"])})
        try:
            with connect(
                url, open_timeout=http.TIMEOUT[0], user_agent_header=http.USER_AGENT
            ) as ws:
                for message in ws:
                    batch = parser.parse_jetstream_message(message)
                    if batch.posts or batch.rejects:
                        yield batch
        except (OSError, WebSocketException) as exc:
            raise ConnectorError(
                f"Jetstream at {self.config.jetstream_url} failed: {exc}"
            ) from None

    def fetch(self, url: str) -> NormalisedPost:
        match = POST_URL.match(url)
        if not match:
            raise ConnectorError(f"{url!r} is not the address of a Bluesky post")
        actor, rkey = match.groups()
        client = self._client()
        if not actor.startswith("did:"):
            resolved = self._call(
                f"the handle {actor}", client.com.atproto.identity.resolve_handle, {"handle": actor}
            )
            actor = resolved.did
        uri = f"at://{actor}/{parser.POST}/{rkey}"
        thread = self._call(
            "the post", client.app.bsky.feed.get_post_thread, {"uri": uri, "depth": 0}
        )
        batch = parser.parse(get_model_as_dict(thread))
        if not batch.posts:
            raise ConnectorError(f"{url} could not be read: {batch.rejects[0].reason}")
        return batch.posts[0]

    def publish(self, in_reply_to: NormalisedPost, text: str) -> PublishedReply:
        """A reply in the post's thread: Bluesky needs the parent's and the root's uri and cid."""
        raw = in_reply_to.raw or {}
        record = raw.get("record") or (raw.get("commit") or {}).get("record") or {}
        cid = raw.get("cid") or (raw.get("commit") or {}).get("cid")
        if not cid:
            raise ConnectorError("This Bluesky post was stored without its cid; capture it again")
        parent = models.ComAtprotoRepoStrongRef.Main(uri=in_reply_to.external_id, cid=cid)
        root_ref = (record.get("reply") or {}).get("root")
        root = models.ComAtprotoRepoStrongRef.Main(**root_ref) if root_ref else parent
        client = self._client(login=True)
        created = self._call(
            "the reply",
            client.send_post,
            text,
            profile_identify=self.credentials.handle,
            reply_to=models.AppBskyFeedPost.ReplyRef(parent=parent, root=root),
        )
        handle = self.credentials.handle
        return PublishedReply(external_id=created.uri, url=parser.web_url(handle, created.uri))
