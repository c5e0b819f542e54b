"""Reading one cell: numbers, yes/no, dates and times, as exports write them."""

import datetime
import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from rapport.contacts.normalize import parse_date

TRUE = {"true", "1", "yes", "y", "t", "x"}
FALSE = {"false", "0", "no", "n", "f", ""}
_MONEY_JUNK = re.compile(r"[£$€¥\s]|^[A-Z]{3}(?=\s*[\d-])|(?<=\d)\s*[A-Z]{3}$")
_TIME_TAIL = re.compile(r"^(.*?)[ t](\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?\s*(am|pm)?$", re.I)


def parse_bool(raw: str) -> bool:
    value = (raw or "").strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise ValidationError(f"{raw!r} is not yes or no (use true/false, yes/no or 1/0).")


def parse_decimal(raw: str, *, minimum: Decimal | None = Decimal("0")) -> Decimal:
    """ "1,234.50", "£12.00", "12,50" (a decimal comma) -> Decimal."""
    value = _MONEY_JUNK.sub("", (raw or "").strip())
    if "," in value and "." in value:
        value = value.replace(",", "")
    elif "," in value:
        head, _, tail = value.rpartition(",")
        value = f"{head.replace(',', '')}.{tail}" if len(tail) != 3 else value.replace(",", "")
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise ValidationError(f"{raw!r} is not a number.") from None
    if not number.is_finite():
        raise ValidationError(f"{raw!r} is not a number.")
    if minimum is not None and number < minimum:
        raise ValidationError(f"{raw!r} is below {minimum}.")
    if abs(number) >= Decimal("1e12"):
        raise ValidationError(f"{raw!r} is too large.")
    return number.quantize(Decimal("0.01"))


def parse_quantity(raw: str) -> int:
    value = (raw or "").strip()
    try:
        number = Decimal(value.replace(",", ""))
    except InvalidOperation:
        raise ValidationError(f"{raw!r} is not a quantity.") from None
    if number != number.to_integral_value() or number < 1 or number > 1_000_000:
        raise ValidationError(f"{raw!r} is not a whole quantity of 1 or more.")
    return int(number)


def parse_when(raw: str, *, day_first: bool | None = None) -> datetime.datetime:
    """A date or date and time; a date alone is midnight UTC, a time without zone is UTC."""
    value = (raw or "").strip()
    if not value:
        raise ValidationError("The date is empty.")
    parsed = None
    try:
        parsed = parse_datetime(value.replace(" +", "+"))
    except ValueError:
        raise ValidationError(f"{raw!r} is not a real date and time.") from None
    if parsed is None:
        if m := _TIME_TAIL.match(value):
            day = parse_date(m[1], day_first=day_first)
            hour, minute, second = int(m[2]), int(m[3]), int(m[4] or 0)
            if m[5]:
                if not 1 <= hour <= 12:
                    raise ValidationError(f"{raw!r} has an hour that is not 1 to 12 with am/pm.")
                hour = hour % 12 + (12 if m[5].lower() == "pm" else 0)
            try:
                parsed = datetime.datetime.combine(day, datetime.time(hour, minute, second))
            except ValueError:
                raise ValidationError(f"{raw!r} is not a real time.") from None
        else:
            parsed = datetime.datetime.combine(
                parse_date(value, day_first=day_first), datetime.time()
            )
    if timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=datetime.UTC)
    return parsed


def date_part(raw: str) -> str:
    """The date of a date-and-time cell, for judging day/month order."""
    value = (raw or "").strip()
    m = _TIME_TAIL.match(value)
    return m[1] if m else value
