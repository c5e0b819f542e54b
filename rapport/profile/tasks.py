"""Background tasks of the profile: the suggestion rules, recomputed before their cache runs out."""

from django_tasks import task

from rapport.profile.suggestions import refresh_all


@task()
def refresh_suggestion_rules() -> int:
    """Recomputes every workspace's next-best-action rules before their cache runs out."""
    return refresh_all()
