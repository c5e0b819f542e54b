from django.apps import AppConfig


class ProfileConfig(AppConfig):
    name = "rapport.profile"
    label = "profile"
    verbose_name = "Customer profiles"
