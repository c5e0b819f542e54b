from django.apps import AppConfig


class SlaConfig(AppConfig):
    name = "rapport.sla"
    label = "sla"
    verbose_name = "SLAs and business hours"
