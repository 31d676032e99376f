from django.apps import AppConfig


class AssetsConfig(AppConfig):
    name = "assets"
    verbose_name = "Assets: the community asset map"

    def ready(self):
        from . import signals  # noqa: F401
