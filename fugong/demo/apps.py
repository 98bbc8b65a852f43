from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "fugong.demo"
    label = "demo"
    verbose_name = "Demo"
