"""The names people give things in a workspace (a team, a routing rule, a case type, a saved view):
tidied the same way everywhere, and never two of a kind that differ only in case.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

NAME_MAX = 100


def _a(noun: str) -> str:
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


def clean_name(name: object, *, noun: str, limit: int = NAME_MAX) -> str:
    """The name with its runs of spaces collapsed; refused when empty or longer than `limit`."""
    if name is not None and not isinstance(name, str):
        raise ValidationError({"name": f"{_a(noun).capitalize()}'s name must be text."})
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": f"{_a(noun).capitalize()} needs a name."})
    if len(name) > limit:
        raise ValidationError(
            {"name": f"{_a(noun).capitalize()}'s name has at most {limit} characters."}
        )
    return name


def name_taken(noun: str, name: str, *, yours: bool = False) -> ValidationError:
    """The refusal of a name another row of the kind has already."""
    return ValidationError(
        {
            "name": f"You already have {_a(noun)} called {name!r}."
            if yours
            else f"There is already {_a(noun)} called {name!r}."
        }
    )


def unique_name(
    name: object,
    *,
    taken: QuerySet[Any],
    noun: str,
    limit: int = NAME_MAX,
    exclude: int | None = None,
    yours: bool = False,
) -> str:
    """`clean_name`, then refused when a row of `taken` (the rows it must not clash with: those
    of this workspace, or of this owner with `yours`) other than `exclude` has it in any case.
    """
    name = clean_name(name, noun=noun, limit=limit)
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if taken.filter(name__iexact=name).exists():
        raise name_taken(noun, name, yours=yours)
    return name
