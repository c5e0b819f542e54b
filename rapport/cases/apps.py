from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "rapport.cases"
    label = "cases"
    verbose_name = "Cases"
