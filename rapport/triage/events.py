"""What triage tells the other domains: posts labelled, and labels a person corrected."""

from rapport.core.events import declare

POST_TRIAGED = declare(
    "post.triaged",
    "Stored posts went through triage (matched, deduplicated, labelled, scored): one event per "
    "batch, copies of earlier posts included.",
    about="listening.post",
)
POST_RELABELLED = declare(
    "post.relabelled",
    "A person corrected a post's sentiment, intent or complaint label.",
    about="listening.post",
    data={"field": str, "before": str, "after": str},
)
