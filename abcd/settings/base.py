"""Settings shared by every environment.

Every value that differs between machines is read from the environment through
django-environ (see .env.example, which documents each variable). dev.py and
test.py give safe local defaults; production.py requires the secrets.
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# A developer's own .env (copied from .env.example) is optional; the
# environment always wins over it.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

LOCAL_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/abcd"
LOCAL_REDIS_URL = "redis://127.0.0.1:6379/0"

# https://docs.djangoproject.com/en/5.2/ref/settings/#debug
DEBUG = env.bool("DEBUG", default=False)

# The council running the programme: its name appears in the header, emails
# and reports.
COUNCIL_NAME = env("COUNCIL_NAME", default="Gloucester City Council")
SERVICE_NAME = env("SERVICE_NAME", default="Community Building")

# https://docs.djangoproject.com/en/5.2/ref/settings/#installed-apps
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "abcd",
    "crispy_forms",
    "crispy_forms_gds",
    # The product's apps, in the one direction their dependencies point.
    "communities",
    "assets",
    "grants",
    "evaluation",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every page needs sign-in unless its view says otherwise
    # (@login_not_required): a new staff page is private by default.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "abcd.urls"
WSGI_APPLICATION = "abcd.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "abcd.context_processors.service",
            ],
        },
    },
]

# https://docs.djangoproject.com/en/5.2/ref/settings/#databases
DATABASES = {"default": env.db("DATABASE_URL", default=LOCAL_DATABASE_URL)}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Builders, officers, panel and cabinet members all sign in as this user.
AUTH_USER_MODEL = "communities.User"
LOGIN_URL = "login"
CSRF_FAILURE_VIEW = "communities.views.csrf_failure"
LOGIN_REDIRECT_URL = "role-home"
LOGOUT_REDIRECT_URL = "home"

# https://docs.djangoproject.com/en/5.2/ref/settings/#auth-password-validators
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# Static files: the project's own under static/, and the npm packages that
# `make static` copies into static/vendor and compiles into static/build.
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")

# Forms: GOV.UK Design System markup through crispy-forms-gds.
CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"

# Email: console in development; an SMTP URL such as
# smtp+tls://user:password@smtp.example.org:587 in production.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env(
    "DEFAULT_FROM_EMAIL", default="community-building@example.gov.uk"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The address the service is reached at, for links in emails.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

# Small sparks grants data is published in the 360Giving Data Standard: grant
# identifiers begin with the council's 360Giving prefix, and the funder is
# named by its organisation identifier (https://org-id.guide), which defaults
# to the prefix when the council has none.
THREESIXTYGIVING_PREFIX = env("THREESIXTYGIVING_PREFIX", default="360G-gloucestercc")
THREESIXTYGIVING_FUNDER_ID = (
    env("THREESIXTYGIVING_FUNDER_ID", default="") or THREESIXTYGIVING_PREFIX
)

# Redis is Celery's broker and result store, and the health check's target.
REDIS_URL = env("REDIS_URL", default=LOCAL_REDIS_URL)

# https://docs.djangoproject.com/en/5.2/topics/cache/#redis
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env("CACHE_URL", default=REDIS_URL),
        "KEY_PREFIX": "abcd",
    }
}

# Celery (https://docs.celeryq.dev/en/stable/userguide/configuration.html);
# the schedules themselves are in abcd/celery.py.
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_RESULT_EXPIRES = 60 * 60 * 24
# Tasks are idempotent, so a task whose worker dies is delivered again rather
# than lost.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# Assets: the map's tiles (any XYZ tile server; empty shows the map with no
# background, as the tests do), and when an import runs in the background.
ASSETS_MAP_TILE_URL = env(
    "ASSETS_MAP_TILE_URL", default="https://tile.openstreetmap.org/{z}/{x}/{y}.png"
)
ASSETS_MAP_TILE_ATTRIBUTION = env(
    "ASSETS_MAP_TILE_ATTRIBUTION",
    default='&copy; <a href="https://www.openstreetmap.org/copyright">'
    "OpenStreetMap</a> contributors",
)
# Files with more rows than this import as a Celery task with a progress page.
ASSETS_IMPORT_INLINE_ROWS = env.int("ASSETS_IMPORT_INLINE_ROWS", default=500)
# The town an address is in when it does not say (Open Referral needs one).
ASSETS_DEFAULT_TOWN = env("ASSETS_DEFAULT_TOWN", default="Gloucester")

# Evaluation: how many days a survey link residents answer without an
# account keeps working after it was made.
EVALUATION_SURVEY_LINK_DAYS = env.int("EVALUATION_SURVEY_LINK_DAYS", default=120)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # WeasyPrint logs every step of every PDF at INFO.
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}
