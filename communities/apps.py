from django.apps import AppConfig


class CommunitiesConfig(AppConfig):
    name = "communities"
    verbose_name = "Communities: places and people"

    def ready(self):
        from . import signals  # noqa: F401  (connects the ward signals)
