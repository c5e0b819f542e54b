from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class CoreConfig(AppConfig):
    name = "rapport.core"
    label = "core"
    verbose_name = "Workspaces and people"

    def ready(self) -> None:
        # Each domain's declared events and hooks, then what it plugs into the others: its
        # listeners, hooks, registry entries and schedules (as Django's admin finds admin.py).
        autodiscover_modules("events")
        autodiscover_modules("wiring")

        from django_tasks.signals import task_finished

        from rapport.core import failures

        task_finished.connect(failures.task_finished, dispatch_uid="rapport.core.failures")
