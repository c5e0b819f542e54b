"""A support mailbox: IMAP in (stdlib imaplib), SMTP out (stdlib smtplib).

Polling reads the configured folder read-only: with a cursor, every message whose UID is above
the last one seen (while UIDVALIDITY holds); without one, the UNSEEN messages. Messages are
fetched with BODY.PEEK, so nothing is marked read. Each RFC 822 message is parsed with the
stdlib `email` package: the subject is the title, the text/plain part is preferred over
stripped HTML, From is the author (the address is the id), Message-ID the external id, and
In-Reply-To / References give the reply and the thread. Replies go out over SMTP with
`In-Reply-To`, `References` and a "Re:" subject, so mail clients thread them.

`imap_factory` and `smtp_factory` build the clients; tests replace them.
"""

import contextlib
import email
import email.utils
import imaplib
import re
import smtplib
import time
from collections.abc import Callable
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, SecretStr

from rapport.connectors.base import (
    MAX_PAYLOAD_BYTES,
    Author,
    Batch,
    Capability,
    Connector,
    ConnectorError,
    NormalisedPost,
    PublishedReply,
    Reject,
)
from rapport.connectors.text import html_to_text

MAX_MESSAGE_BYTES = MAX_PAYLOAD_BYTES
MAX_MESSAGES_PER_POLL = 500
_MSGID = re.compile(r"<([^<>\s]+)>")


def _address(value: str) -> str:
    value = value.strip()
    if not re.fullmatch(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+", value):
        raise ValueError(f"{value!r} is not an email address")
    return value


Address = Annotated[str, AfterValidator(_address)]


class EmailConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    address: Address = Field(description="The support mailbox's address; replies come from it")
    imap_host: str = Field(min_length=1)
    imap_port: int = Field(default=993, ge=1, le=65535)
    imap_ssl: bool = True
    folder: str = Field(default="INBOX", min_length=1)
    smtp_host: str = Field(min_length=1)
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_starttls: bool = True


class EmailCredentials(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1)
    password: SecretStr
    smtp_username: str = ""  # empty: the IMAP login
    smtp_password: SecretStr | None = None


def _default_imap(host: str, port: int, ssl: bool) -> Any:
    return imaplib.IMAP4_SSL(host, port, timeout=30) if ssl else imaplib.IMAP4(host, port, 30)


def _default_smtp(host: str, port: int) -> Any:
    return smtplib.SMTP(host, port, timeout=30)


class EmailConnector(Connector):
    name = "email"
    label = "Email"
    capabilities = frozenset({Capability.POLL, Capability.PUBLISH})
    private_replies = True
    private_only = True  # an answer goes to its sender only
    Config: ClassVar[type[BaseModel]] = EmailConfig
    Credentials: ClassVar[type[BaseModel]] = EmailCredentials

    config: EmailConfig
    credentials: EmailCredentials
    imap_factory: Callable[[str, int, bool], Any] = staticmethod(_default_imap)
    smtp_factory: Callable[[str, int], Any] = staticmethod(_default_smtp)

    def poll(self, cursor: dict[str, Any] | None) -> Batch:
        host = f"{self.config.imap_host}:{self.config.imap_port}"
        try:
            client = self.imap_factory(
                self.config.imap_host, self.config.imap_port, self.config.imap_ssl
            )
        except OSError as error:
            raise ConnectorError(f"Cannot reach the IMAP server {host}: {error}") from error
        try:
            try:
                client.login(
                    self.credentials.username, self.credentials.password.get_secret_value()
                )
            except imaplib.IMAP4.error as error:
                raise ConnectorError(f"IMAP login to {host} failed: {error}") from error
            return self._read_folder(client, cursor or {})
        except imaplib.IMAP4.error as error:
            raise ConnectorError(f"IMAP server {host} refused: {error}") from error
        except OSError as error:
            raise ConnectorError(f"IMAP connection to {host} failed: {error}") from error
        finally:
            with contextlib.suppress(imaplib.IMAP4.error, OSError):
                client.logout()

    def _read_folder(self, client: Any, cursor: dict[str, Any]) -> Batch:
        status, _ = client.select(_quote(self.config.folder), readonly=True)
        if status != "OK":
            raise ConnectorError(f"The mail folder {self.config.folder!r} cannot be opened")
        _, data = client.response("UIDVALIDITY")
        validity = int(data[0]) if data and data[0] else 0
        last = int(cursor.get("last_uid") or 0) if cursor.get("uidvalidity") == validity else 0
        criteria = f"UID {last + 1}:*" if last else "UNSEEN"
        _, found = client.uid("SEARCH", None, criteria)
        uids = sorted(int(uid) for uid in (found[0] or b"").split() if int(uid) > last)
        uids = uids[:MAX_MESSAGES_PER_POLL]
        batch = Batch()
        for uid in uids:
            _, parts = client.uid("FETCH", str(uid), "(INTERNALDATE BODY.PEEK[])")
            for part in parts or []:
                if isinstance(part, tuple) and len(part) == 2:
                    received = imaplib.Internaldate2tuple(part[0])
                    when = datetime.fromtimestamp(time.mktime(received), UTC) if received else None
                    found_batch = self._parse_one(part[1], received_at=when)
                    batch.posts.extend(found_batch.posts)
                    batch.rejects.extend(found_batch.rejects)
            last = max(last, uid)
        batch.cursor = {"uidvalidity": validity, "last_uid": last}
        return batch

    def parse(self, payload: Any) -> Batch:
        """One RFC 822 message (bytes), or a list of them, as a batch."""
        messages = payload if isinstance(payload, list) else [payload]
        batch = Batch()
        for message in messages:
            if isinstance(message, str):
                message = message.encode("utf-8")
            if not isinstance(message, bytes | bytearray):
                raise ConnectorError(f"A message is bytes, not {type(message).__name__}")
            found = self._parse_one(bytes(message))
            batch.posts.extend(found.posts)
            batch.rejects.extend(found.rejects)
        return batch

    def _parse_one(self, raw: bytes, received_at: datetime | None = None) -> Batch:
        if len(raw) > MAX_MESSAGE_BYTES:
            return Batch(rejects=[Reject(f"message is {len(raw)} bytes; the limit is 10 MB", b"")])
        try:
            return Batch(posts=[_message_to_post(raw, received_at)])
        except (ValueError, LookupError) as error:
            return Batch(rejects=[Reject(reason=str(error), raw=raw)])

    def publish(self, in_reply_to: NormalisedPost, text: str) -> PublishedReply:
        original = in_reply_to.raw if isinstance(in_reply_to.raw, dict) else {}
        references = [*original.get("references", []), in_reply_to.external_id]
        message = EmailMessage()
        message["From"] = self.config.address
        message["To"] = in_reply_to.author.external_id
        subject = in_reply_to.title or ""
        message["Subject"] = subject if subject.lower().startswith("re:") else f"Re: {subject}"
        message["In-Reply-To"] = f"<{in_reply_to.external_id}>"
        message["References"] = " ".join(f"<{ref}>" for ref in dict.fromkeys(references))
        message["Date"] = email.utils.formatdate(localtime=False)
        message_id = email.utils.make_msgid(domain=self.config.address.rpartition("@")[2])
        message["Message-ID"] = message_id
        message.set_content(text)
        host = f"{self.config.smtp_host}:{self.config.smtp_port}"
        try:
            smtp = self.smtp_factory(self.config.smtp_host, self.config.smtp_port)
            try:
                if self.config.smtp_starttls:
                    smtp.starttls()
                password = self.credentials.smtp_password or self.credentials.password
                if password.get_secret_value():
                    smtp.login(
                        self.credentials.smtp_username or self.credentials.username,
                        password.get_secret_value(),
                    )
                smtp.send_message(message)
            finally:
                smtp.quit()
        except (smtplib.SMTPException, OSError) as error:
            raise ConnectorError(f"Sending the reply through {host} failed: {error}") from error
        return PublishedReply(external_id=message_id.strip("<>"))


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _ids(value: str | None) -> list[str]:
    return _MSGID.findall(value or "")


def _message_to_post(raw: bytes, received_at: datetime | None) -> NormalisedPost:
    message = email.message_from_bytes(raw, policy=policy.default)
    message_ids = _ids(message.get("Message-ID"))
    if not message_ids:
        raise ValueError("message has no Message-ID")
    external_id = message_ids[0]
    sender = message.get("From")
    addresses = getattr(sender, "addresses", ()) if sender is not None else ()
    if not addresses or not addresses[0].addr_spec or "@" not in addresses[0].addr_spec:
        raise ValueError(f"message {external_id} has no From address")
    address = addresses[0].addr_spec.lower()
    created_at = received_at
    if message.get("Date"):
        try:
            created_at = email.utils.parsedate_to_datetime(str(message["Date"]))
        except (TypeError, ValueError):
            created_at = received_at
    if created_at is None or created_at.tzinfo is None:
        raise ValueError(f"message {external_id} has no usable Date header")
    body = message.get_body(preferencelist=("plain", "html"))
    links: list[str] = []
    text = ""
    if body is not None:
        content = body.get_content()
        if body.get_content_subtype() == "html":
            text, links = html_to_text(content)
        else:
            text = content.strip()
    if not text:
        raise ValueError(f"message {external_id} has no text")
    references = _ids(message.get("References"))
    in_reply_to = _ids(message.get("In-Reply-To"))
    reply_to_id = in_reply_to[0] if in_reply_to else (references[-1] if references else "")
    language = str(message.get("Content-Language") or "")[:2].lower()
    return NormalisedPost(
        network="email",
        external_id=external_id,
        text=text,
        author=Author(external_id=address, handle=address, display_name=addresses[0].display_name),
        created_at=created_at,
        title=str(message.get("Subject") or ""),
        language=language if language.isalpha() else "",
        reply_to_id=reply_to_id,
        thread_id=references[0] if references else reply_to_id,
        links=links,
        raw={
            "message_id": external_id,
            "references": references,
            "rfc822": raw.decode("utf-8", errors="replace"),
        },
    )
