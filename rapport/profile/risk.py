"""Risk signals: what puts a customer at risk, from what the profile already read.

Complaints and cases opened in the last 90 days; sentiment that fell (the last 30 days' mean
below the 90 days before by 0.4 or more, on -1…1); accounts in arrears.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from rapport.contacts.models import Account

COMPLAINT_DAYS = 90
SENTIMENT_RECENT_DAYS = 30
SENTIMENT_BEFORE_DAYS = 120
SENTIMENT_DROP = 0.4
SCORE_OF = {"positive": 1.0, "neutral": 0.0, "negative": -1.0}


@dataclass(frozen=True)
class Risk:
    code: str  # complaints, sentiment, arrears
    severity: str  # high, medium
    sentence: str


def post_score(sentiment: str, score: float | None) -> float | None:
    if score is not None:
        return float(score)
    return SCORE_OF.get(sentiment)


def risk_signals(
    *,
    complaints: int,
    cases_opened: int,
    sentiments: Iterable[tuple[object, str, float | None]],
    accounts: Iterable[Account],
    now: object = None,
) -> list[Risk]:
    """Risk signals from what the profile already read: complaints and cases in the last 90
    days, sentiment that fell (the last 30 days' mean below the 90 days before by 0.4 or more,
    on -1…1), and accounts in arrears."""
    risks: list[Risk] = []
    if complaints or cases_opened:
        parts = []
        if complaints:
            parts.append(f"{complaints} complaint{'s' if complaints != 1 else ''}")
        if cases_opened:
            parts.append(f"{cases_opened} case{'s' if cases_opened != 1 else ''} opened")
        severity = "high" if complaints + cases_opened >= 3 else "medium"
        risks.append(
            Risk(
                "complaints", severity, f"{' and '.join(parts)} in the last {COMPLAINT_DAYS} days."
            )
        )
    current = timezone.now() if now is None else now
    recent_edge = current - timedelta(days=SENTIMENT_RECENT_DAYS)  # type: ignore[operator]
    recent: list[float] = []
    before: list[float] = []
    for posted_at, label, score in sentiments:
        value = post_score(label, score)
        if value is None:
            continue
        (recent if posted_at >= recent_edge else before).append(value)  # type: ignore[operator]
    if recent and before:
        now_mean, then_mean = sum(recent) / len(recent), sum(before) / len(before)
        if then_mean - now_mean >= SENTIMENT_DROP:
            risks.append(
                Risk(
                    "sentiment",
                    "high" if now_mean < -0.3 else "medium",
                    f"Sentiment is falling: {now_mean:+.1f} in the last {SENTIMENT_RECENT_DAYS} "
                    f"days against {then_mean:+.1f} before (from -1 to +1).",
                )
            )
    arrears = [a for a in accounts if a.status == Account.State.IN_ARREARS]
    if arrears:
        kinds = ", ".join(a.kind for a in arrears)
        risks.append(Risk("arrears", "high", f"In arrears on: {kinds}."))
    return risks
