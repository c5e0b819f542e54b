from django.apps import AppConfig


class RecognitionConfig(AppConfig):
    name = "rapport.recognition"
    label = "recognition"
    verbose_name = "Recognition"
