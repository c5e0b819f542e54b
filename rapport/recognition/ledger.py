"""From journalled events to contributions: what each event credits, to whom, and whether it
crossed departments.

Everything a derivation reads is the event itself (with the actor's teams at the time, kept by
the journal), earlier journalled events, earlier contributions, or rows that never change once
written (a published reply's network id), so `rebuild` — the journal replayed, oldest first,
into an empty ledger — gives the ledger the live listeners wrote. Each contribution is unique on
(event, kind, member): hearing an event twice records it once.

"Crossed" means help outside the person's own teams: the conversation's or case's team at the
time is not one of theirs, or, for help a colleague asked for (a hand-off, a mention, an
approval, kudos), none of the asker's teams is theirs.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import connection, transaction

from rapport.core.events import Event, replay
from rapport.core.models import JournalEntry, Membership, Workspace
from rapport.engagement.models import Reply
from rapport.listening.models import Post, Sentiment
from rapport.recognition import tally
from rapport.recognition.models import Contribution, Kind


@dataclass(frozen=True, slots=True)
class Credit:
    member_id: int
    kind: str
    object_type: str
    object_id: int
    team_id: int | None
    object_team_id: int | None = None
    crossed: bool = False
    colleague_id: int | None = None


def record(event: Event, credits: Iterable[Credit]) -> int:
    """Writes the credits of `event` (once: a second hearing adds nothing)."""
    rows = [
        Contribution(
            workspace_id=event.workspace_id,
            member_id=c.member_id,
            kind=str(c.kind),  # the value, whatever a database driver makes of an enum
            at=event.at,
            event=event.seq or 0,
            object_type=c.object_type,
            object_id=c.object_id,
            team_id=c.team_id,
            object_team_id=c.object_team_id,
            crossed=c.crossed,
            colleague_id=c.colleague_id,
        )
        for c in credits
    ]
    if not rows or event.seq is None:
        return 0
    # The first of each kind per member, as the unique key keeps (praise for two posts of one
    # batch is one credit).
    firsts: dict[tuple[str, int], Contribution] = {}
    for r in rows:
        firsts.setdefault((r.kind, r.member_id), r)
    rows = list(firsts.values())
    with transaction.atomic():
        tally.add(event.workspace_id, _write_new(rows))
    return len(rows)


def _write_new(rows: list[Contribution]) -> list[Contribution]:
    """Inserts the rows not written before (by event, kind and member) and returns those: the
    tallies count only what the ledger gained, even when two processes hear the same event."""
    fields = [f for f in Contribution._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    columns = ", ".join(quote(str(f.column)) for f in fields)
    sql = (
        f"INSERT INTO {quote(Contribution._meta.db_table)} "  # noqa: S608
        f"({columns}) VALUES {', '.join([row] * len(rows))} "
        f"ON CONFLICT DO NOTHING RETURNING {quote('member_id')}, {quote('kind')}"
    )
    params = [f.get_db_prep_save(getattr(r, f.attname), connection) for r in rows for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        written = set(cursor.fetchall())
    return [r for r in rows if (r.member_id, r.kind) in written]


def first_team(teams: Sequence[int]) -> int | None:
    return min(teams) if teams else None


def outside(teams: Sequence[int], object_team: int | None) -> bool:
    """Work on an object of a team the person is not in."""
    return object_team is not None and object_team not in teams


def apart(teams: Sequence[int], others: Sequence[int]) -> bool:
    """Help for somebody who shares no team with the person (both in some team)."""
    return bool(teams) and bool(others) and not set(teams) & set(others)


def earlier(event: Event, name: str, object_id: int) -> list[JournalEntry]:
    """Journalled `name` events about `object_id` before `event`, newest first."""
    return list(
        JournalEntry.objects.filter(
            workspace_id=event.workspace_id, name=name, object_id=object_id, pk__lt=event.seq
        ).order_by("-pk")
    )


def credited_since(
    workspace_id: int, member_id: int, kind: str, object_type: str, object_id: int, seq: int
) -> bool:
    """Whether the member already has this kind of credit for the object from event `seq` on
    (looked up by the object, the index a ledger of millions answers from at once)."""
    return Contribution.objects.filter(
        workspace_id=workspace_id,
        member_id=member_id,
        kind=kind,
        object_type=object_type,
        object_id=object_id,
        event__gte=seq,
    ).exists()


# What each event credits --------------------------------------------------------------------


def own_work(event: Event, kind: str, object_type: str, object_id: int) -> list[Credit]:
    """A credit to the actor for work on an object of the team `event.data["team"]`."""
    if event.actor_id is None:
        return []
    team = event.data.get("team")
    teams = event.actor_teams
    return [
        Credit(
            event.actor_id, kind, object_type, object_id, first_team(teams), team,
            outside(teams, team),
        )
    ]  # fmt: skip


def for_capture(event: Event) -> list[Credit]:
    return own_work(event, Kind.CAPTURED, "conversation", int(event.data["conversation"]))


def for_reply(event: Event) -> list[Credit]:
    """A first response, a public reply, and an expert answer when the conversation was handed
    to this person (or their team) and they had not answered since."""
    if event.actor_id is None or event.object_id is None:
        return []
    me, teams, conv = event.actor_id, event.actor_teams, event.object_id
    team = event.data.get("team")
    mine, crossed = first_team(teams), outside(teams, team)
    credits = []
    if event.data.get("first_response"):
        credits.append(Credit(me, Kind.FIRST_RESPONSE, "conversation", conv, mine, team, crossed))
    if event.data.get("visibility") == Reply.Visibility.PUBLIC:
        credits.append(Credit(me, Kind.PUBLIC_REPLY, "conversation", conv, mine, team, crossed))
    for handoff in earlier(event, "conversation.handed_off", conv)[:1]:
        asked_me = handoff.data.get("to") == me or (
            handoff.data.get("to") is None and handoff.data.get("team") in teams
        )
        answered = credited_since(
            event.workspace_id, me, Kind.EXPERT_ANSWER, "conversation", conv, handoff.pk
        )
        if asked_me and handoff.actor_id != me and not answered:
            credits.append(
                Credit(
                    me,
                    Kind.EXPERT_ANSWER,
                    "conversation",
                    conv,
                    first_team(teams),
                    first_team(handoff.actor_teams),
                    apart(teams, handoff.actor_teams) or outside(teams, team),
                    handoff.actor_id,
                )
            )
    return credits


def for_note(event: Event) -> list[Credit]:
    """A note by somebody a colleague's earlier note on the conversation named."""
    if event.actor_id is None or event.object_id is None:
        return []
    me, teams, conv = event.actor_id, event.actor_teams, event.object_id
    for note in earlier(event, "conversation.noted", conv):
        if note.actor_id == me:
            return []  # answered already (or wrote the last note themselves)
        if me in (note.data.get("mentions") or []):
            if credited_since(
                event.workspace_id, me, Kind.COLLEAGUE_HELP, "conversation", conv, note.pk
            ):
                return []
            return [
                Credit(
                    me,
                    Kind.COLLEAGUE_HELP,
                    "conversation",
                    conv,
                    first_team(teams),
                    first_team(note.actor_teams),
                    apart(teams, note.actor_teams) or outside(teams, event.data.get("team")),
                    note.actor_id,
                )
            ]
    return []


def for_case_comment(event: Event) -> list[Credit]:
    """A public update answers the customer (a public reply); a person's first internal note
    on a case counts once, however many they write."""
    if event.actor_id is None or event.object_id is None:
        return []
    me, teams, case = event.actor_id, event.actor_teams, event.object_id
    team = event.data.get("team")
    kind = Kind.PUBLIC_REPLY if event.data.get("public") else Kind.CASE_NOTE
    if kind == Kind.CASE_NOTE and credited_since(event.workspace_id, me, kind, "case", case, 0):
        return []
    return [Credit(me, kind, "case", case, first_team(teams), team, outside(teams, team))]


def for_task(event: Event) -> list[Credit]:
    return own_work(event, Kind.TASK_DONE, "case", int(event.data["case"]))


def for_resolution(event: Event) -> list[Credit]:
    if event.object_id is None:
        return []
    return own_work(event, Kind.CASE_RESOLVED, "case", event.object_id)


def for_approval(event: Event) -> list[Credit]:
    """An approval decided before it was due to be escalated; the colleague helped is who
    asked for it."""
    if event.actor_id is None or event.object_id is None or not event.data.get("in_time"):
        return []
    asked = earlier(event, "approval.requested", event.object_id)[-1:]
    asker, asker_teams = (asked[0].actor_id, asked[0].actor_teams) if asked else (None, [])
    return [
        Credit(
            event.actor_id,
            Kind.APPROVAL_IN_TIME,
            "approval",
            event.object_id,
            first_team(event.actor_teams),
            first_team(asker_teams),
            apart(event.actor_teams, asker_teams),
            asker if asker != event.actor_id else None,
        )
    ]


PROMOTED_FROM = {"post", "conversation", "case"}


def for_idea(event: Event) -> list[Credit]:
    if event.actor_id is None or event.object_id is None:
        return []
    if event.data.get("origin") not in PROMOTED_FROM:
        return []
    return [
        Credit(
            event.actor_id,
            Kind.IDEA_PROMOTED,
            "idea",
            event.object_id,
            first_team(event.actor_teams),
        )
    ]


def for_idea_status(event: Event) -> list[Credit]:
    """An idea shipped: credit to the member who submitted or promoted it (once per idea)."""
    if event.data.get("after") != "shipped" or event.object_id is None:
        return []
    created = earlier(event, "idea.created", event.object_id)[-1:]
    if not created or created[0].actor_id is None:
        return []
    who = created[0].actor_id
    if credited_since(event.workspace_id, who, Kind.IDEA_SHIPPED, "idea", event.object_id, 0):
        return []
    return [
        Credit(who, Kind.IDEA_SHIPPED, "idea", event.object_id, first_team(created[0].actor_teams))
    ]


def for_kudos(event: Event) -> list[Credit]:
    if event.object_id is None or event.actor_id is None:
        return []
    receiver_teams = list(event.data.get("receiver_teams") or [])
    return [
        Credit(
            int(event.data["receiver"]),
            Kind.KUDOS,
            "kudos",
            event.object_id,
            first_team(receiver_teams),
            first_team(event.actor_teams),
            apart(receiver_teams, event.actor_teams),
            event.actor_id,
        )
    ]


def for_praise(event: Event) -> list[Credit]:
    """Positive posts that answer a member's published reply, or name a member in full: a
    credit to that member (the team of their latest contribution before it)."""
    positive = list(
        Post.objects.filter(pk__in=event.ids, sentiment=Sentiment.POSITIVE).only(
            "pk", "text", "reply_to_external_id"
        )
    )
    if not positive:
        return []
    praised: dict[int, set[int]] = {}  # post -> members
    answered = [p.reply_to_external_id for p in positive if p.reply_to_external_id]
    if answered:
        authors = dict(
            Reply.objects.filter(
                workspace_id=event.workspace_id, network_id__in=answered, author__isnull=False
            ).values_list("network_id", "author_id")
        )
        for post in positive:
            author = authors.get(post.reply_to_external_id)
            if author is not None:
                praised.setdefault(post.pk, set()).add(author)
    names = member_names(event.workspace_id)
    if names:
        pattern = re.compile(r"\b(" + "|".join(re.escape(n) for n in names) + r")\b", re.I)
        for post in positive:
            for found in pattern.findall(post.text or ""):
                praised.setdefault(post.pk, set()).add(names[found.casefold()])
    credits = []
    for post_id, members in sorted(praised.items()):
        for member in sorted(members):
            last = (
                Contribution.objects.filter(
                    workspace_id=event.workspace_id, member_id=member, event__lt=event.seq
                )
                .order_by("-event")
                .values_list("team_id", flat=True)
                .first()
            )
            credits.append(Credit(member, Kind.PRAISE, "post", post_id, last))
    return credits


def member_names(workspace_id: int) -> dict[str, int]:
    """Members' full names (two words or more), folded, to find them named in a post."""
    names: dict[str, int] = {}
    rows = Membership.objects.filter(workspace_id=workspace_id).values_list(
        "pk", "user__full_name", "user__first_name", "user__last_name"
    )
    for pk, full_name, first, last in rows:
        # People name themselves in `full_name` (what the app shows); Django's first and last
        # names are kept for accounts that have them.
        for full in (" ".join(full_name.split()), f"{first} {last}" if first and last else ""):
            if len(full.split()) >= 2:
                names.setdefault(full.casefold(), pk)
    return names


# Rebuilding ---------------------------------------------------------------------------------


def rebuild(workspace: Workspace) -> int:
    """Empties the workspace's ledger and replays its journal into it; returns the number of
    contributions. What the ledger's listeners hear is what they heard the first time."""
    from rapport.recognition import wiring

    with transaction.atomic():
        Contribution.objects.filter(workspace=workspace).delete()
        tally.forget(workspace.pk)
        replay(workspace.pk, wiring.LEDGER)
    return Contribution.objects.filter(workspace=workspace).count()


def as_rows(workspace: Workspace) -> list[tuple[object, ...]]:
    """The ledger as comparable rows (for the rebuild test and `rapport recognition check`)."""
    return list(
        Contribution.objects.filter(workspace=workspace)
        .order_by("event", "kind", "member_id")
        .values_list(
            "event",
            "kind",
            "member_id",
            "at",
            "object_type",
            "object_id",
            "team_id",
            "object_team_id",
            "crossed",
            "colleague_id",
        )
    )
