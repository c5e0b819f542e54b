from django.apps import AppConfig


class PlaybooksConfig(AppConfig):
    name = "rapport.playbooks"
    label = "playbooks"
    verbose_name = "Playbooks"
