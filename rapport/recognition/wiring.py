"""The contribution ledger hears the spine: every listener here is replayable, so its event is
journalled and `ledger.rebuild` can give it to the listener again (`docs/recognition.md`)."""

from collections.abc import Callable

from rapport.core.events import Event, listen
from rapport.recognition import ledger


def _credit(derive: Callable[[Event], list[ledger.Credit]]) -> Callable[[Event], None]:
    def hear(event: Event) -> None:
        ledger.record(event, derive(event))

    hear.__name__ = hear.__qualname__ = derive.__name__.replace("for_", "credit_")
    hear.__module__ = __name__
    return hear


credit_capture = listen("post.captured", replayable=True)(_credit(ledger.for_capture))
credit_reply = listen("conversation.replied", replayable=True)(_credit(ledger.for_reply))
credit_note = listen("conversation.noted", replayable=True)(_credit(ledger.for_note))
credit_case_comment = listen("case.commented", replayable=True)(_credit(ledger.for_case_comment))
credit_task = listen("task.completed", replayable=True)(_credit(ledger.for_task))
credit_resolution = listen("case.resolved", replayable=True)(_credit(ledger.for_resolution))
credit_approval = listen("approval.decided", replayable=True)(_credit(ledger.for_approval))
credit_idea = listen("idea.created", replayable=True)(_credit(ledger.for_idea))
credit_idea_status = listen("idea.status_changed", replayable=True)(_credit(ledger.for_idea_status))
credit_kudos = listen("kudos.given", replayable=True)(_credit(ledger.for_kudos))
credit_praise = listen("post.triaged", replayable=True)(_credit(ledger.for_praise))


@listen("conversation.handed_off", replayable=True)
def remember_hand_off(event: Event) -> None:
    """Nothing to credit yet: the journal keeps who asked, from which team, for the expert's
    answer (`ledger.for_reply`)."""


@listen("approval.requested", replayable=True)
def remember_request(event: Event) -> None:
    """Nothing to credit yet: the journal keeps who asked for the approval, from which team."""


#: Every listener of the ledger, for `ledger.rebuild`.
LEDGER = [
    credit_capture,
    credit_reply,
    credit_note,
    credit_case_comment,
    credit_task,
    credit_resolution,
    credit_approval,
    credit_idea,
    credit_idea_status,
    credit_kudos,
    credit_praise,
    remember_hand_off,
    remember_request,
]
