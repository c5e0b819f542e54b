from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "rapport.inbox"
    label = "inbox"
    verbose_name = "Inbox"

    def ready(self) -> None:
        from rapport.core.audit import domain_event
        from rapport.inbox.receivers import on_domain_event

        domain_event.connect(on_domain_event, dispatch_uid="inbox.on_domain_event")
