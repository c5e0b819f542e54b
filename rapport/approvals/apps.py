from django.apps import AppConfig


class ApprovalsConfig(AppConfig):
    name = "rapport.approvals"
    label = "approvals"
    verbose_name = "Approvals"

    def ready(self) -> None:
        from rapport.approvals.tasks import expire_approvals, remind_and_escalate_approvals
        from rapport.core import schedule

        schedule.every("approvals.expire", seconds=60, task=expire_approvals)
        schedule.every("approvals.remind", seconds=600, task=remind_and_escalate_approvals)
