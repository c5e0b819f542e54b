from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "rapport.contacts"
    label = "contacts"
    verbose_name = "Contacts"

    def ready(self) -> None:
        from rapport.contacts import timeline
        from rapport.contacts.linkage import batch
        from rapport.contacts.tasks import refresh_suggestion_rules
        from rapport.core import schedule
        from rapport.core.audit import domain_event

        domain_event.connect(timeline.on_domain_event, dispatch_uid="contacts.timeline")
        # the suggestion rules are cached for 6 h: recompute them well before, off the request
        schedule.every("contacts.suggestion_rules", seconds=3 * 3600, task=refresh_suggestion_rules)
        domain_event.connect(batch.on_domain_event, dispatch_uid="contacts.linkage")
