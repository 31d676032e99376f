# Load Celery with Django so that shared tasks use this app.
from .celery import app as celery_app

__all__ = ("celery_app",)
