from django.apps import AppConfig


class CoreConfig(AppConfig):
    """What every app uses: roles and capabilities, scoping, the GOV.UK form
    base, small-number suppression, the financial year, site-wide template
    tags. It has no models and imports no other app of the product."""

    name = "core"
    verbose_name = "Core"

    def ready(self):
        from django.db.models.signals import post_migrate

        from .roles import role_groups_after_migrate

        # Every role's group and the Officer group's permissions come with
        # the database, not with the demo: on every migrate and flush.
        post_migrate.connect(
            role_groups_after_migrate, dispatch_uid="core.role_groups_after_migrate"
        )
