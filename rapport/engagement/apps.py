from django.apps import AppConfig


class EngagementConfig(AppConfig):
    name = "rapport.engagement"
    label = "engagement"
    verbose_name = "Engagement"

    def ready(self) -> None:
        from rapport.approvals import registry
        from rapport.engagement.actions import reply_approval_decided
        from rapport.engagement.models import Reply

        registry.register(Reply, reply_approval_decided, editable=("text",))
