from django.apps import AppConfig


class SlaConfig(AppConfig):
    name = "rapport.sla"
    label = "sla"
    verbose_name = "SLAs and business hours"

    def ready(self) -> None:
        from rapport.core import schedule
        from rapport.sla import receivers
        from rapport.sla.tasks import sweep_slas

        receivers.connect()
        schedule.every("sla.sweep", seconds=60, task=sweep_slas)
