from django.apps import AppConfig


class CoreConfig(AppConfig):
    """What every app uses: roles and capabilities, scoping, the GOV.UK form
    base, small-number suppression, the financial year, site-wide template
    tags. It has no models and imports no other app of the product."""

    name = "core"
    verbose_name = "Core"
