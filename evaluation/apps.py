from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "evaluation"
    verbose_name = "Evaluation and reports"

    def ready(self):
        from . import signals  # noqa: F401 - connects the receivers
