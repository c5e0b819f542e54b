from django.apps import AppConfig


class IdeasConfig(AppConfig):
    name = "rapport.ideas"
    label = "ideas"
    verbose_name = "Ideas"
