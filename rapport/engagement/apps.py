from django.apps import AppConfig


class EngagementConfig(AppConfig):
    name = "rapport.engagement"
    label = "engagement"
    verbose_name = "Engagement"
