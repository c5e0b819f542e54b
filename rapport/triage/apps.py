from django.apps import AppConfig


class TriageConfig(AppConfig):
    name = "rapport.triage"
    label = "triage"
    verbose_name = "Triage"
