from django.apps import AppConfig


class ConnectorsConfig(AppConfig):
    name = "rapport.connectors"
    label = "connectors"
    verbose_name = "Connectors"
