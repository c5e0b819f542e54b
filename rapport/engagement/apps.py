from django.apps import AppConfig


class EngagementConfig(AppConfig):
    name = "rapport.engagement"
    label = "engagement"
    verbose_name = "Engagement"

    def ready(self) -> None:
        from rapport.approvals import registry
        from rapport.core import schedule
        from rapport.engagement.actions import reply_approval_decided
        from rapport.engagement.models import Reply
        from rapport.engagement.tasks import publish_due_replies

        registry.register(Reply, reply_approval_decided, editable=("text",))
        schedule.every("engagement.outbox", seconds=60, task=publish_due_replies)
