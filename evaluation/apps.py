from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "evaluation"
    verbose_name = "Evaluation and reports"

    def ready(self):
        # Imported once the models are loaded, as Django requires: signals
        # connects the receivers, and tasks registers the Celery tasks in
        # every process, so that a report run's build message, sent by the
        # task's name (evaluation.report_runs), finds its task here too.
        from . import signals, tasks  # noqa: F401
