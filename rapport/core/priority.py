"""How urgent something is: the one scale conversations, cases, SLA policies and routing rules
share, so a conversation's "high" is still "high" on the case opened from it.
"""

from django.core.exceptions import ValidationError
from django.db import models


class Priority(models.IntegerChoices):
    LOW = 0, "Low"
    NORMAL = 1, "Normal"
    HIGH = 2, "High"
    URGENT = 3, "Urgent"


#: How people, rules and the API name a priority: "low" -> 0 … "urgent" -> 3.
PRIORITY_NAMES = {label.lower(): value for value, label in Priority.choices}


def priority_name(priority: int) -> str:
    """A priority as it reads in a sentence: "high" for 2."""
    return Priority(priority).label.lower()


def clean_priority(priority: object) -> int:
    """A priority by its name (any case) or its number; anything else is a ValidationError."""
    if isinstance(priority, str) and priority.lower() in PRIORITY_NAMES:
        return PRIORITY_NAMES[priority.lower()]
    if isinstance(priority, int) and not isinstance(priority, bool) and priority in Priority.values:
        return priority
    raise ValidationError(
        {"priority": f"Unknown priority {priority!r}; use one of {', '.join(PRIORITY_NAMES)}."}
    )
