from django.apps import AppConfig


class ListeningConfig(AppConfig):
    name = "rapport.listening"
    label = "listening"
    verbose_name = "Listening"
