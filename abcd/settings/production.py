"""Production: refuses to start without its secrets and the council's identity.

SECRET_KEY, DATABASE_URL and ALLOWED_HOSTS have no defaults here, and nor
has any of the council's identity (core.identity), so a missing one stops
the process with ImproperlyConfigured instead of running with a development
or demo value.
"""

from django.core.exceptions import ImproperlyConfigured

# The council's identity and the secrets ---------------------------------------
# Checked before base.py reads anything, so that one message names every
# required setting that is missing or malformed, and says what it should be.
from core import identity

from .environment import env as _environment

_problems = identity.production_problems(
    {
        name: _environment.str(name, default="")
        for name in identity.REQUIRED_IN_PRODUCTION
    }
)
if _problems:
    raise ImproperlyConfigured(identity.refusal(_problems))
# ------------------------------------------------------------------------------

from .base import *
from .base import env

DEBUG = False
SECRET_KEY = env("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must name at least one host")
DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "abcd.storage.StaticFilesStorage"},
}

# https://docs.djangoproject.com/en/5.2/topics/security/
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Two-factor sign-in is always required of officers in production.
OFFICER_2FA_REQUIRED = True
# Sign-in lockouts are kept in the database, shared by every worker.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
