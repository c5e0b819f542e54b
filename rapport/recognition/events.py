"""What the recognition domain tells the others (see `rapport.core.events`)."""

from rapport.core.events import declare

KUDOS_GIVEN = declare(
    "kudos.given",
    "A member thanked a colleague (`receiver`, in `receiver_teams` at the time) for a "
    "conversation, case or idea (`about`, `object`).",
    about="recognition.kudos",
    data={"receiver": int, "receiver_teams": list, "about": str, "object": int},
)
