from django.apps import AppConfig


class ApprovalsConfig(AppConfig):
    name = "rapport.approvals"
    label = "approvals"
    verbose_name = "Approvals"
