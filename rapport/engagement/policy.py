"""The engagement policy checker: `check(draft, policy) -> findings`, each with a severity, a
code, a plain explanation naming the problem and where it is in the text (1-based characters).

Severities: `block` (the reply cannot be sent), `needs_approval` (it waits for an approver),
`warning` (the author should look again, but may send). Personal data (card and account numbers,
emails, phone numbers) blocks a public reply and warns in a private one.
"""

import enum
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db.models import Q

from rapport.connectors.base import Capability, Connector
from rapport.connectors.registry import CONNECTORS, connector_class
from rapport.contacts.models import Identity
from rapport.core.mentions import NETWORK_MENTION
from rapport.core.models import Membership, Workspace
from rapport.core.roles import Role
from rapport.engagement.models import EngagementPolicy, Reply
from rapport.listening.models import Post
from rapport.triage.classifier import get_classifier

NEGATIVE_TONE = 0.5  # the sentiment model's probability of "negative" that draws a warning


class Severity(enum.StrEnum):
    BLOCK = "block"
    NEEDS_APPROVAL = "needs_approval"
    WARNING = "warning"


_ORDER = {Severity.BLOCK: 0, Severity.NEEDS_APPROVAL: 1, Severity.WARNING: 2}


@dataclass(frozen=True)
class Finding:
    severity: Severity
    code: str
    message: str
    start: int | None = None  # 0-based offset of the problem in the text
    end: int | None = None

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["severity"] = str(self.severity)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Finding":
        return cls(
            severity=Severity(data["severity"]),
            code=data["code"],
            message=data["message"],
            start=data.get("start"),
            end=data.get("end"),
        )


@dataclass
class Draft:
    """A reply as it is being written: what is checked."""

    text: str
    post: Post
    author: Membership
    visibility: str = Reply.Visibility.PUBLIC
    network: str = ""
    thread_handles: set[str] = field(default_factory=set)  # filled by `check` when empty

    def __post_init__(self) -> None:
        self.network = self.network or self.post.network


def blocks(findings: Iterable[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == Severity.BLOCK]


def needs_approval(findings: Iterable[Finding]) -> bool:
    return any(f.severity == Severity.NEEDS_APPROVAL for f in findings)


def network_label(network: str) -> str:
    try:
        return connector_class(network).label
    except (KeyError, ImportError):
        return network.title() or "this network"


def network_facts(network: str) -> type[Connector]:
    """The connector that knows what `network` allows a reply (its length, links, privacy);
    the base class, which allows anything and publishes nothing, for a network without one."""
    return connector_class(network) if network in CONNECTORS else Connector


def reply_limit(network: str) -> int | None:
    """The longest reply the network takes (None: no limit Rapport knows of)."""
    return network_facts(network).max_reply_length


def publishes(network: str) -> bool:
    return Capability.PUBLISH in network_facts(network).capabilities


def sends_private(network: str) -> bool:
    """Whether Rapport can send a private message there (only email, so far)."""
    facts = network_facts(network)
    return facts.private_replies or facts.private_only


def private_only(network: str) -> bool:
    """Whether every reply there is private (an email goes to its author only)."""
    return network_facts(network).private_only


_URL = re.compile(r"\bhttps?://[^\s<>\"']+", re.IGNORECASE)


def reply_length(text: str, network: str) -> int:
    """The length the network counts: some count each link as a fixed number of characters."""
    fixed = network_facts(network).link_length
    if fixed is None:
        return len(text)
    return len(_URL.sub("x" * fixed, text))


def where(start: int, end: int) -> str:
    return f"at characters {start + 1} to {end}"


def policy_for(workspace: Workspace) -> EngagementPolicy:
    """The workspace's policy, or the default one (unsaved) when nobody has set it yet."""
    policy = EngagementPolicy.objects.filter(workspace=workspace).first()
    if policy is None:
        policy = EngagementPolicy(workspace=workspace, disclosure=f"I work at {workspace.name}.")
    return policy


def is_designated(policy: EngagementPolicy, author: Membership) -> bool:
    """Speaks for the company without a disclosure: the designated role, or a designated team."""
    if author.has_role(Role(policy.designated_role)):
        return True
    if policy.pk is None:
        return False
    return policy.designated_teams.filter(members=author).exists()


# Personal data ------------------------------------------------------------------------------


def luhn_valid(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def iban_valid(iban: str) -> bool:
    iban = iban.replace(" ", "").upper()
    if not 15 <= len(iban) <= 34:
        return False
    moved = iban[4:] + iban[:4]
    number = "".join(str(int(ch, 36)) for ch in moved)
    return int(number) % 97 == 1


_CARD = re.compile(r"(?<![\d-])(?:\d[ -]?){12,18}\d(?![\d])")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b")
_SORT_ACCOUNT = re.compile(r"\b\d{2}-\d{2}-\d{2}\b(?:[ ,/]+(?:account\s*)?\d{6,10}\b)?", re.I)
_ACCOUNT = re.compile(r"\b(?:account|acct|a/c)\s*(?:number|no\.?|num|#)?\s*:?\s*(\d{6,12})\b", re.I)
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
_PHONE = re.compile(r"(?<![\w+])(?:\+|\(?0)?[\d(][\d\s().-]{6,}\d(?!\w)")


def _mask(digits: str) -> str:
    return f"ending {digits[-4:]}"


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _personal_data(text: str, policy: EngagementPolicy) -> list[tuple[str, str, int, int]]:
    """(code, what, start, end) of each piece of personal data, without overlaps."""
    found: list[tuple[str, str, int, int]] = []
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in taken)

    def add(code: str, what: str, start: int, end: int) -> None:
        taken.append((start, end))
        found.append((code, what, start, end))

    allowed = {c.strip().lower() for c in policy.public_contacts if "@" in c}
    allowed_phones = {_digits(c) for c in policy.public_contacts if "@" not in c and _digits(c)}

    if policy.block_card_numbers:
        for m in _CARD.finditer(text):
            digits = _digits(m.group())
            if 13 <= len(digits) <= 19 and luhn_valid(digits):
                add("card_number", f"a card number ({_mask(digits)})", m.start(), m.end())
    if policy.block_account_numbers:
        for m in _IBAN.finditer(text):
            if free(m.start(), m.end()) and iban_valid(m.group()):
                add("account_number", f"an IBAN ({_mask(m.group())})", m.start(), m.end())
        for m in _SORT_ACCOUNT.finditer(text):
            if free(m.start(), m.end()):
                add("account_number", "a sort code and account number", m.start(), m.end())
        for m in _ACCOUNT.finditer(text):
            if free(m.start(1), m.end(1)):
                add("account_number", f"an account number ({_mask(m.group(1))})", *m.span(1))
    if policy.block_emails:
        for m in _EMAIL.finditer(text):
            if free(m.start(), m.end()) and m.group().lower() not in allowed:
                add("email", f"an email address ({m.group()})", m.start(), m.end())
    if policy.block_phone_numbers:
        # IBAN-shaped references (even invalid ones) are not phone numbers
        taken.extend(m.span() for m in _IBAN.finditer(text))
        for m in _PHONE.finditer(text):
            raw = m.group().rstrip(" .-")
            digits = _digits(raw)
            looks_like_phone = (
                raw.startswith(("+", "0", "(")) or len(re.findall(r"[\s.-]", raw)) >= 2
            )
            end = m.start() + len(raw)
            if (
                9 <= len(digits) <= 15
                and looks_like_phone
                and free(m.start(), end)
                and digits not in allowed_phones
            ):
                add("phone_number", f"a phone number ({_mask(digits)})", m.start(), end)
    return sorted(found, key=lambda f: f[2])


# Words and phrases ------------------------------------------------------------------------------


def _phrase(phrase: str) -> re.Pattern[str]:
    words = [re.escape(w) for w in phrase.split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", re.IGNORECASE)


def _occurrences(text: str, phrases: Iterable[str]) -> list[tuple[str, int, int]]:
    hits = []
    for phrase in phrases:
        if not phrase.strip():
            continue
        m = _phrase(phrase).search(text)
        if m:
            hits.append((phrase.strip(), m.start(), m.end()))
    return sorted(hits, key=lambda h: h[1])


def _handle_forms(handle: str) -> set[str]:
    """@dana@mastodon.social is also @dana; bluesky's dana.bsky.social is also dana."""
    handle = handle.lower().lstrip("@").rstrip(".")
    forms = {handle}
    if "@" in handle:
        forms.add(handle.split("@")[0])
    return forms


def thread_handles(post: Post) -> set[str]:
    """Handles known in the post's conversation: its author, the thread's authors, its mentions."""
    handles = {post.author_handle} if post.author_handle else set()
    thread = post.thread_external_id or post.reply_to_external_id or post.external_id
    related = Post.objects.filter(workspace_id=post.workspace_id, network=post.network).filter(
        _thread_q(thread)
    )
    handles.update(h for h in related.values_list("author_handle", flat=True)[:200] if h)
    for text in [post.text, *related.values_list("text", flat=True)[:200]]:
        handles.update(m.group(1) for m in NETWORK_MENTION.finditer(text or ""))
    known: set[str] = set()
    for h in handles:
        known |= _handle_forms(h)
    return known


def _thread_q(thread: str) -> Q:
    return Q(thread_external_id=thread) | Q(external_id=thread) | Q(reply_to_external_id=thread)


def _known_identity(post: Post, handle: str) -> bool:
    return Identity.objects.filter(
        workspace_id=post.workspace_id, network=post.network, handle__iexact=handle
    ).exists()


# The checker ------------------------------------------------------------------------------------


def check(draft: Draft, policy: EngagementPolicy) -> list[Finding]:
    """Every finding on `draft` under `policy`, blocks first, each in the order of the text."""
    text, network = draft.text, draft.network
    label = network_label(network)
    public = draft.visibility == Reply.Visibility.PUBLIC
    findings: list[Finding] = []

    def add(
        severity: Severity,
        code: str,
        message: str,
        start: int | None = None,
        end: int | None = None,
    ) -> None:
        findings.append(Finding(severity, code, message, start, end))

    # Can it be sent at all?
    if not text.strip():
        add(Severity.BLOCK, "empty", "The reply is empty: write something to send.")
    if draft.post.deleted_at is not None:
        add(
            Severity.BLOCK,
            "post_deleted",
            "The post was deleted on the network: there is nothing to reply to any more.",
        )
    if not policy.record_only:
        if not publishes(network):
            add(
                Severity.BLOCK,
                "cannot_publish",
                f"Rapport cannot publish replies on {label}: "
                "answer there yourself, or add a note to the conversation.",
            )
        elif draft.post.source_id is None:
            add(
                Severity.BLOCK,
                "no_account",
                "This post reached Rapport without a source, so "
                f"there is no {label} account to reply from.",
            )
    if not public and not sends_private(network):
        add(
            Severity.BLOCK,
            "no_private",
            f"Rapport can only reply publicly on {label}; invite them to message you instead.",
        )
    if public and private_only(network):
        add(
            Severity.BLOCK,
            "private_only",
            f"A {label} reply goes to its author only: send it as a private message.",
        )
    limit = reply_limit(network)
    length = reply_length(text, network)
    if limit is not None and length > limit:
        add(
            Severity.BLOCK,
            "too_long",
            f"The reply is {length} characters; {label} allows {limit}. Cut {length - limit}.",
            limit,
            len(text),
        )

    # Forbidden phrases and personal data.
    for phrase, start, end in _occurrences(text, policy.forbidden_phrases):
        add(
            Severity.BLOCK,
            "forbidden_phrase",
            f"“{phrase}” is a forbidden phrase in the engagement policy ({where(start, end)}).",
            start,
            end,
        )
    for code, what, start, end in _personal_data(text, policy):
        if public:
            add(
                Severity.BLOCK,
                code,
                f"The reply contains {what} {where(start, end)}: personal "
                "data is never posted publicly. Invite them to a private channel instead.",
                start,
                end,
            )
        else:
            add(
                Severity.WARNING,
                code,
                f"The reply contains {what} {where(start, end)}: "
                "send personal data only when they asked for it.",
                start,
                end,
            )

    # Disclosure of employment.
    if public and policy.disclosure.strip() and not is_designated(policy, draft.author):
        said = " ".join(text.split()).lower()
        if " ".join(policy.disclosure.split()).lower().rstrip(".") not in said:
            add(
                Severity.BLOCK,
                "disclosure_missing",
                "You are not on the designated social "
                "team, so a public reply must say you work here: add "
                f"“{policy.disclosure.strip()}”.",
            )

    # What needs an approval.
    if draft.author.role in policy.approval_roles:
        role = Role(draft.author.role).label.lower()
        approver = Role(policy.approver_role).label.lower()
        add(
            Severity.NEEDS_APPROVAL,
            "role_needs_approval",
            f"Replies by an {role} wait for a {approver}'s approval before they are posted."
            if role[0] in "aeiou"
            else f"Replies by a {role} wait for a {approver}'s approval before they are posted.",
        )
    for topic, start, end in _occurrences(text, policy.sensitive_topics):
        add(
            Severity.NEEDS_APPROVAL,
            "sensitive_topic",
            f"Mentions “{topic}”, a topic marked "
            f"sensitive ({where(start, end)}): a {Role(policy.approver_role).label.lower()} "
            "approves such replies before they are posted.",
            start,
            end,
        )

    # Warnings: mentions, links, tone.
    known = draft.thread_handles or thread_handles(draft.post)
    for m in NETWORK_MENTION.finditer(text):
        handle = m.group(1).rstrip(".")
        if not (_handle_forms(handle) & known) and not _known_identity(draft.post, handle):
            add(
                Severity.WARNING,
                "unknown_mention",
                f"@{handle} is not in this conversation "
                f"({where(m.start(), m.start() + len(handle) + 1)}): check the handle.",
                m.start(),
                m.start() + len(handle) + 1,
            )
    for m in _URL.finditer(text):
        if m.group().lower().startswith("http://"):
            add(
                Severity.WARNING,
                "insecure_link",
                f"The link {m.group()} is not https ({where(m.start(), m.end())}).",
                m.start(),
                m.end(),
            )
    if policy.tone_check and text.strip():
        prediction = get_classifier().predict([text])[0]
        negative = prediction.sentiment_probabilities.get("negative", 0.0)
        if prediction.sentiment == "negative" and negative >= NEGATIVE_TONE:
            add(
                Severity.WARNING,
                "negative_tone",
                f"The reply reads negative ({round(negative * 100)}% "
                "by the sentiment model): customers hear the tone first. Read it once more.",
            )

    return sorted(
        findings, key=lambda f: (_ORDER[f.severity], f.start if f.start is not None else -1)
    )
