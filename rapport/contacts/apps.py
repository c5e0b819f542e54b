from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "rapport.contacts"
    label = "contacts"
    verbose_name = "Contacts"

    def ready(self) -> None:
        from rapport.contacts import timeline
        from rapport.contacts.linkage import batch
        from rapport.core.audit import domain_event

        domain_event.connect(timeline.on_domain_event, dispatch_uid="contacts.timeline")
        domain_event.connect(batch.on_domain_event, dispatch_uid="contacts.linkage")
