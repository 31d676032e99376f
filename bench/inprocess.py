"""For the benchmark's in-process steps (query counts, the annual review):
Django set up with the benchmark's settings and database on import, and a
test client signed in as the city's officer with a second factor, as
production settings require of officers."""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "abcd.settings.bench")

import django

django.setup()

from django.conf import settings
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from bench.pages import OFFICER
from communities.models import User

settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]


def officer_device() -> TOTPDevice:
    """The officer's authenticator, made on the first run."""
    officer = User.objects.get(username=OFFICER)
    device = TOTPDevice.objects.devices_for_user(officer, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=officer, name="Benchmark authenticator", confirmed=True
        )
    return device


def officer_client() -> Client:
    """A client signed in as the officer, second factor verified."""
    device = officer_device()
    client = Client()
    client.force_login(device.user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client
