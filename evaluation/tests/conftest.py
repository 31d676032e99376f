import importlib

import pytest
from django.apps import apps

framework = importlib.import_module("evaluation.migrations.0002_seed_leeds_framework")


@pytest.fixture(autouse=True)
def leeds_framework(db):
    """Leeds' outcomes, indicators and cohesion questions, as the data
    migration seeds them. Seeded again here because a browser test (which
    empties every table) may have run against the reused test database."""
    framework.seed(apps, None)
