"""Every write of recognition, audited, in one transaction each: kudos, the weights, the
leaderboard switch and who is left out of it. Contributions are never written here: the
ledger derives them from events (`ledger.py`)."""

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.urls import reverse

from rapport.cases.models import Case
from rapport.core.access import require_same_workspace
from rapport.core.audit import action, record_by
from rapport.core.events import emit
from rapport.core.models import Membership, team_ids
from rapport.core.permissions import Verb, require
from rapport.ideas.links import idea_path
from rapport.ideas.models import Idea
from rapport.inbox.models import Conversation
from rapport.notifications.actions import notify
from rapport.notifications.models import Kind as NotificationKind
from rapport.recognition.events import KUDOS_GIVEN
from rapport.recognition.models import Exclusion, Kind, Kudos, Settings, Weight
from rapport.recognition.scores import weights

MESSAGE_MAX = 1000
POINTS_MAX = 100


def kudos_target(workspace_id: int, about: str, object_id: object) -> tuple[str, str]:
    """What the kudos is for, in words, and its page; refuses an object of another workspace
    or one that does not exist."""
    models: dict[str, type[Conversation] | type[Case] | type[Idea]] = {
        "conversation": Conversation,
        "case": Case,
        "idea": Idea,
    }
    if about not in models:
        raise ValidationError({"about": "Kudos are for a conversation, a case or an idea."})
    try:
        obj = (
            models[about]
            .objects.select_related("workspace")
            .get(pk=int(str(object_id)), workspace_id=workspace_id)
        )
    except (ValueError, TypeError, OverflowError, models[about].DoesNotExist):
        raise ValidationError(
            {"object_id": f"There is no such {about} in this workspace."}
        ) from None
    if isinstance(obj, Conversation):
        return f"conversation “{obj.subject}”", reverse(
            "web:conversation", args=[obj.workspace.slug, obj.pk]
        )
    if isinstance(obj, Case):
        return f"case #{obj.pk}", reverse("web:case", args=[obj.workspace.slug, obj.pk])
    return f"idea “{obj.title}”", idea_path(obj)


@action("recognition.kudos")
def give_kudos(
    actor: Membership, receiver: Membership, about: str, object_id: object, message: str
) -> Kudos:
    """Thanks a colleague for a conversation, a case or an idea; they are told."""
    require(actor, Verb.GIVE_KUDOS)
    if receiver.workspace_id != actor.workspace_id:
        raise ValidationError({"receiver": "Kudos go to a colleague in this workspace."})
    if receiver.pk == actor.pk:
        raise ValidationError({"receiver": "Kudos are for a colleague, not for yourself."})
    text = (message or "").strip() if isinstance(message, str) else ""
    if not text:
        raise ValidationError({"message": "Say what you are thanking them for."})
    if len(text) > MESSAGE_MAX:
        raise ValidationError(
            {"message": f"The message is {len(text)} characters; at most {MESSAGE_MAX}."}
        )
    what, url = kudos_target(actor.workspace_id, about, object_id)
    kudos = Kudos.objects.create(
        workspace_id=actor.workspace_id,
        giver=actor,
        receiver=receiver,
        about=about,
        object_id=int(str(object_id)),
        message=text,
    )
    record_by(
        actor,
        verb="recognition.kudos",
        obj=kudos,
        after={
            "receiver": receiver.pk,
            "about": about,
            "object": kudos.object_id,
        },
    )
    teams = list(team_ids(receiver.pk))
    emit(
        KUDOS_GIVEN,
        actor.workspace_id,
        actor=actor,
        object_id=kudos.pk,
        receiver=receiver.pk,
        receiver_teams=teams,
        about=about,
        object=kudos.object_id,
    )
    notify(
        receiver,
        NotificationKind.KUDOS,
        f"{actor.user.display_name} thanked you for the {what}: {text}"[:500],
        url,
        actor,
    )
    return kudos


def clean_weights(values: Mapping[str, object]) -> dict[str, int]:
    """A whole weight table: every kind of contribution, a whole number of points from 0 to
    100 each; the message names what is wrong."""
    unknown = sorted(set(values) - set(Kind.values))
    if unknown:
        raise ValidationError({"weights": f"Unknown kinds of contribution: {', '.join(unknown)}."})
    missing = [Kind(k).label for k in Kind.values if k not in values or values[k] in (None, "")]
    if missing:
        raise ValidationError({"weights": f"Give a weight for: {', '.join(missing)}."})
    clean: dict[str, int] = {}
    for kind in Kind:
        raw = values[kind.value]
        try:
            points = int(str(raw).strip())
        except (TypeError, ValueError):
            raise ValidationError(
                {"weights": f"{kind.label}: the weight must be a whole number, not {raw!r}."}
            ) from None
        if points < 0:
            raise ValidationError({"weights": f"{kind.label}: a weight cannot be negative."})
        if points > POINTS_MAX:
            raise ValidationError({"weights": f"{kind.label}: at most {POINTS_MAX} points."})
        clean[kind.value] = points
    return clean


@action("recognition.weights")
def set_weights(actor: Membership, values: Mapping[str, object]) -> dict[str, int]:
    """Replaces the workspace's weight table (every kind at once, validated before anything
    is written); scores everywhere are counted with it from now on, the past included."""
    require(actor, Verb.RECOGNITION_SETTINGS)
    clean = clean_weights(values)
    before = weights(actor.workspace_id)
    for kind, points in clean.items():
        Weight.objects.update_or_create(
            workspace_id=actor.workspace_id, kind=kind, defaults={"points": points}
        )
    settings_row = _settings(actor)
    record_by(actor, verb="recognition.weights", obj=settings_row, before=before, after=clean)
    return clean


def _settings(actor: Membership) -> Settings:
    row, _ = Settings.objects.get_or_create(workspace_id=actor.workspace_id)
    return row


@action("recognition.leaderboards")
def set_leaderboards(actor: Membership, on: bool) -> Settings:
    """Shows or hides the ranked lists of people on the team view (the explained counts per
    team stay)."""
    require(actor, Verb.RECOGNITION_SETTINGS)
    row = _settings(actor)
    before = row.leaderboards
    row.leaderboards = bool(on)
    row.save(update_fields=["leaderboards"])
    record_by(
        actor,
        verb="recognition.leaderboards",
        obj=row,
        before={"leaderboards": before},
        after={"leaderboards": row.leaderboards},
    )
    return row


@action("recognition.exclude")
def exclude(actor: Membership, member: Membership, reason: str = "") -> Exclusion:
    """Leaves a person out of leaderboards at their request (their ledger is still theirs)."""
    require(actor, Verb.RECOGNITION_SETTINGS)
    require_same_workspace(actor, member)
    row, _ = Exclusion.objects.update_or_create(
        member=member,
        defaults={"workspace_id": actor.workspace_id, "reason": (reason or "").strip()[:200]},
    )
    record_by(actor, verb="recognition.exclude", obj=row, after={"member": member.pk})
    return row


@action("recognition.include")
def include(actor: Membership, member: Membership) -> None:
    """Puts an excluded person back on the leaderboards."""
    require(actor, Verb.RECOGNITION_SETTINGS)
    require_same_workspace(actor, member)
    row = Exclusion.objects.filter(member=member, workspace_id=actor.workspace_id).first()
    if row is None:
        raise ValidationError(f"{member.user.display_name} is not left out of leaderboards.")
    record_by(actor, verb="recognition.include", obj=row, before={"member": member.pk})
    row.delete()
