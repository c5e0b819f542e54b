from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "rapport.governance"
    label = "governance"
    verbose_name = "Governance"
