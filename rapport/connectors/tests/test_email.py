"""Email connector: captured .eml messages, IMAP polling through a fake client, SMTP replies
sent to a real (tiny) SMTP server on 127.0.0.1."""

import email
import imaplib
import socketserver
import threading
from datetime import UTC, datetime, timedelta
from email import policy
from pathlib import Path

import pytest

from rapport.connectors.base import Capability, ConnectorError
from rapport.connectors.email.connector import EmailConnector
from rapport.connectors.registry import connector_class

FIXTURES = Path(__file__).parents[1] / "email" / "fixtures"
CONFIG = {
    "address": "support@acmebank.example",
    "imap_host": "imap.acmebank.example",
    "smtp_host": "127.0.0.1",
    "smtp_starttls": False,
}
CREDENTIALS = {"username": "support", "password": ""}


def connector() -> EmailConnector:
    return EmailConnector(CONFIG, CREDENTIALS)


def eml(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def test_registry_names_the_connector_and_its_capabilities():
    assert connector_class("email") is EmailConnector
    assert EmailConnector.capabilities == {Capability.POLL, Capability.PUBLISH}


def test_a_reply_is_threaded_by_in_reply_to_and_references():
    (post,) = connector().parse(eml("rfc2822-reply.eml")).posts
    assert post.external_id == "3456@example.net"
    assert post.text == "This is a reply to your hello."
    assert post.title == "Re: Saying Hello"
    assert post.author.external_id == "mary@example.net"
    assert post.author.display_name == "Mary Smith"
    assert post.reply_to_id == "1234@local.machine.example"
    assert post.thread_id == "1234@local.machine.example"
    assert post.created_at == datetime(1997, 11, 21, 16, 1, 10, tzinfo=UTC)
    assert post.network == "email"


def test_the_plain_text_part_is_preferred_over_html_and_attachments():
    (post,) = connector().parse(eml("gmail-multipart.eml")).posts
    assert post.text == "Hi this is the body\nHi this is the body"
    assert post.title == "test eml"
    assert post.author.external_id == "abc.94@gmail.com"
    assert post.created_at.utcoffset() == timedelta(hours=5, minutes=30)


def test_a_message_without_date_headers_is_rejected_when_parsed_alone():
    batch = connector().parse(eml("yandex-html-only.eml"))
    assert batch.posts == []
    assert batch.rejects[0].reason == (
        "message 20110815165837.A26162B2802A@yaback1.mail.yandex.net has no usable Date header"
    )


def test_messages_without_id_sender_or_text_are_rejected_one_by_one():
    good = eml("rfc2822-reply.eml")
    no_id = b"From: a@b.example\r\nDate: Fri, 21 Nov 1997 10:01:10 -0600\r\n\r\nhi\r\n"
    no_text = good.replace(b"This is a reply to your hello.", b"   ")
    batch = connector().parse([no_id, good, no_text])
    assert [p.external_id for p in batch.posts] == ["3456@example.net"]
    assert [r.reason for r in batch.rejects] == [
        "message has no Message-ID",
        "message 3456@example.net has no text",
    ]


class FakeImap:
    """Answers the imaplib calls the connector makes, for a folder of captured messages."""

    def __init__(self, messages: dict[int, bytes], validity: int = 7) -> None:
        self.messages, self.validity = messages, validity
        self.searched: list[str] = []
        self.selected: tuple[str, bool] | None = None
        self.logged_out = False

    def login(self, user, password):
        if password == "wrong":
            raise imaplib.IMAP4.error("[AUTHENTICATIONFAILED] Invalid credentials")
        return "OK", [b"Logged in"]

    def select(self, folder, readonly=False):
        self.selected = (folder, readonly)
        return "OK", [str(len(self.messages)).encode()]

    def response(self, code):
        return code, [str(self.validity).encode()]

    def uid(self, command, *args):
        if command == "SEARCH":
            self.searched.append(args[1])
            return "OK", [b" ".join(str(uid).encode() for uid in sorted(self.messages))]
        uid = int(args[0])
        date = b'INTERNALDATE "15-Aug-2011 16:58:37 +0000"'
        return "OK", [
            (f"{uid} (UID {uid} ".encode() + date + b" BODY[] {1}", self.messages[uid]),
            b")",
        ]

    def logout(self):
        self.logged_out = True


def test_poll_reads_unseen_messages_then_continues_after_the_last_uid():
    fake = FakeImap({41: eml("rfc2822-reply.eml"), 42: eml("yandex-html-only.eml")})
    mailbox = connector()
    mailbox.imap_factory = lambda host, port, ssl: fake

    batch = mailbox.poll(None)
    assert fake.searched == ["UNSEEN"]
    assert fake.selected == ('"INBOX"', True)
    assert fake.logged_out
    mary, yandex = batch.posts
    assert mary.text == "This is a reply to your hello."
    assert yandex.title == "Соберите всю почту в этот ящик"
    assert yandex.author.external_id == "hello@yandex.ru"
    assert yandex.text.startswith("Здравствуйте!")
    assert yandex.created_at == datetime(2011, 8, 15, 16, 58, 37, tzinfo=UTC)
    assert batch.cursor == {"uidvalidity": 7, "last_uid": 42}

    again = mailbox.poll(batch.cursor)
    assert fake.searched[-1] == "UID 43:*"
    assert again.posts == []
    assert again.cursor == {"uidvalidity": 7, "last_uid": 42}


def test_a_failed_imap_login_is_a_clear_error():
    mailbox = EmailConnector(CONFIG, {"username": "support", "password": "wrong"})
    mailbox.imap_factory = lambda host, port, ssl: FakeImap({})
    with pytest.raises(ConnectorError, match=r"IMAP login to imap\.acmebank\.example:993 failed"):
        mailbox.poll(None)


class _SmtpHandler(socketserver.StreamRequestHandler):
    def handle(self):
        self.wfile.write(b"220 localhost ESMTP test\r\n")
        while line := self.rfile.readline():
            command = line.strip().upper()
            if command.startswith((b"EHLO", b"HELO")):
                self.wfile.write(b"250 localhost\r\n")
            elif command == b"DATA":
                self.wfile.write(b"354 go ahead\r\n")
                data = b""
                while (chunk := self.rfile.readline()) != b".\r\n":
                    data += chunk
                self.server.received.append(data)  # type: ignore[attr-defined]
                self.wfile.write(b"250 queued\r\n")
            elif command == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


@pytest.fixture
def smtp_server():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SmtpHandler)
    server.received = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_publish_sends_a_threaded_re_reply_over_smtp(smtp_server):
    mailbox = EmailConnector({**CONFIG, "smtp_port": smtp_server.server_address[1]}, CREDENTIALS)
    (original,) = mailbox.parse(eml("rfc2822-reply.eml")).posts

    published = mailbox.publish(original, "Thanks Mary, we are on it.")

    (data,) = smtp_server.received
    sent = email.message_from_bytes(data, policy=policy.default)
    assert sent["To"] == "mary@example.net"
    assert sent["From"] == "support@acmebank.example"
    assert sent["Subject"] == "Re: Saying Hello"
    assert sent["In-Reply-To"] == "<3456@example.net>"
    assert sent["References"] == "<1234@local.machine.example> <3456@example.net>"
    assert sent.get_content().strip() == "Thanks Mary, we are on it."
    assert sent["Message-ID"] == f"<{published.external_id}>"
    assert published.external_id.endswith("@acmebank.example")


def test_publish_when_smtp_is_unreachable_is_a_clear_error():
    mailbox = EmailConnector({**CONFIG, "smtp_port": 1}, CREDENTIALS)
    (original,) = mailbox.parse(eml("rfc2822-reply.eml")).posts
    with pytest.raises(ConnectorError, match=r"Sending the reply through 127\.0\.0\.1:1 failed"):
        mailbox.publish(original, "hello")


def test_config_checks_the_mailbox_address():
    with pytest.raises(ValueError, match="not an email address"):
        EmailConnector({**CONFIG, "address": "support"}, CREDENTIALS)
