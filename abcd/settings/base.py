"""Settings shared by every environment.

Every value that differs between machines is read from the environment through
django-environ (see .env.example, which documents each variable). dev.py and
test.py give safe local defaults; production.py requires the secrets.
"""

from datetime import timedelta
from urllib.parse import urlsplit

from csp.constants import NONE, SELF

# The environment, and a developer's own .env (environment.py).
from .environment import BASE_DIR, env

LOCAL_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/abcd"
LOCAL_REDIS_URL = "redis://127.0.0.1:6379/0"

# https://docs.djangoproject.com/en/5.2/ref/settings/#debug
DEBUG = env.bool("DEBUG", default=False)

# The council running the programme: its name appears in the header, emails
# and reports. No council's identity lives here: production requires the
# council's own (core.identity), and development and tests fill in the demo
# council's (dev.py, test.py).
COUNCIL_NAME = env("COUNCIL_NAME", default="")
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
    # Widget templates come from the project's templates (see FORM_RENDERER).
    "django.forms",
    "crispy_forms",
    "crispy_forms_gds",
    # Trust: sign-in lockout, two-factor sign-in, the Content Security Policy
    # and the trigger-based audit trail.
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    "pgtrigger",
    "pghistory",
    # The product's apps, in the one direction their dependencies point.
    "core",
    "communities",
    "assets",
    "grants",
    "evaluation",
    # Personal data, audit and security: reads every app but evaluation.
    "trust",
    # Demo and benchmark data (`manage.py seed_demo`): reads the domain apps,
    # and none of them reads it.
    "demo",
]
# `seed_demo` loads a fictional programme with demo accounts that share one
# password: only the settings for development, the tests and the benchmark
# allow it. Anywhere else it refuses unless told
# --i-know-this-is-not-a-council-database (demo/guard.py).
SEED_DEMO_ALLOWED = False

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every page needs sign-in unless its view says otherwise
    # (@login_not_required): a new staff page is private by default.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Officers without a verified second factor go to the two-factor page.
    "trust.middleware.OfficerTwoFactorMiddleware",
    # Who made each change, for the audit trail's triggers.
    "trust.middleware.AuditContextMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
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
CSRF_FAILURE_VIEW = "core.views.csrf_failure"
LOGIN_REDIRECT_URL = "role-home"
LOGOUT_REDIRECT_URL = "home"

# Passwords per OWASP ASVS 5.0 level 2 (chapter V6): at least 12 characters,
# long passphrases welcome (up to 128), common and breached-style passwords
# (a common password with digits, symbols or l33t swaps around it) refused,
# and no composition rules.
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "trust.passwords.MaximumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "trust.passwords.BreachedPatternValidator"},
    {"NAME": "trust.passwords.ContextWordsValidator"},
]

# django-axes locks a username out after repeated failed sign-ins
# (https://django-axes.readthedocs.io/en/latest/4_configuration.html).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, reading a signed-in user's roles in the same
    # query as the user: one query fewer on every page.
    "communities.backends.SignInBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
# Locking the account (not the address) stops a guesser who changes address,
# and never locks out a whole council office behind one address.
AXES_LOCKOUT_PARAMETERS = ["username"]
# axes.W006 warns that a lockout without the IP address can be dodged by
# changing cookies or user agent; a lockout by username cannot.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "trust/locked_out.html"
AXES_VERBOSE = False

# Two-factor sign-in (TOTP, django-otp). Officers see every resident's
# record, so production requires a second factor of them; the local demo may
# relax it.
OFFICER_2FA_REQUIRED = env.bool("OFFICER_2FA_REQUIRED", default=True)
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", default="") or SERVICE_NAME

# Sessions end after a working day and when the browser closes. They are
# read from Redis and kept in PostgreSQL too, so a Redis restart signs nobody
# out, and most requests do not touch the session table.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 10)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# Static files: the project's own under static/, and the npm packages that
# `make static` copies into static/vendor and compiles into static/build.
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# No URL serves MEDIA_ROOT (see abcd/urls.py): files are sent by views that
# check who asks (core.uploads). MEDIA_URL is set only because Django wants one.
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")

# Form widgets render through the project's templates, so templates/django/
# forms/ can replace one of Django's (the select, written for speed).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# Forms: GOV.UK Design System markup through crispy-forms-gds.
CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"

# Email: console in development; an SMTP URL such as
# smtp+tls://user:password@smtp.example.org:587 in production.
# An empty value counts as unset (as in a .env copied from .env.example);
# production requires all three (core.identity).
EMAIL_CONFIG = env.email_url_config(
    env.str("EMAIL_URL", default="") or "consolemail://"
)
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = (
    env.str("DEFAULT_FROM_EMAIL", default="") or "community-building@example.gov.uk"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The address the service is reached at, for links in emails.
SITE_URL = env.str("SITE_URL", default="") or "http://127.0.0.1:8000"

# Small sparks grants data is published in the 360Giving Data Standard: grant
# identifiers begin with the council's registered 360Giving prefix, and the
# funder is named by its organisation identifier (https://org-id.guide, such
# as GB-LAE- and the council's register code). The 360Giving export refuses
# to publish while either is missing or malformed.
THREESIXTYGIVING_PREFIX = env("THREESIXTYGIVING_PREFIX", default="")
THREESIXTYGIVING_FUNDER_ID = env("THREESIXTYGIVING_FUNDER_ID", default="")

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

# The client's address, for rate limits: how many proxies of ours stand in
# front of the service, each adding the address it saw to X-Forwarded-For (0:
# none, the connection's own address is the client's).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# Small sparks: starting an application emails a link, so the public form
# is rate limited, per client address and per email address, over a window
# (0 turns a limit off). Counted in the cache.
GRANTS_START_LIMIT_PER_ADDRESS = env.int("GRANTS_START_LIMIT_PER_ADDRESS", default=20)
GRANTS_START_LIMIT_PER_EMAIL = env.int("GRANTS_START_LIMIT_PER_EMAIL", default=3)
GRANTS_START_LIMIT_MINUTES = env.int("GRANTS_START_LIMIT_MINUTES", default=60)

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
# The town an address is in when it does not say, for Open Referral; empty
# leaves such an address's town blank (a council of several towns may
# prefer that to naming the wrong one).
ASSETS_DEFAULT_TOWN = env("ASSETS_DEFAULT_TOWN", default="")

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

# Content Security Policy (django-csp 4): no inline script or style. The one
# inline script, GOV.UK Frontend's js-enabled snippet in base.html, is allowed
# by its SHA-256 hash (trust/tests/test_headers.py proves the hash matches).
GOVUK_JS_ENABLED_HASH = "'sha256-GUQ5ad8JK5KmEWmROf3LZd9ge94daqNvd8xy9YS1iDw='"
_tiles = urlsplit(ASSETS_MAP_TILE_URL.replace("{s}", "a"))
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, GOVUK_JS_ENABLED_HASH],
        "style-src": [SELF],
        "img-src": [SELF, "data:"]
        + ([f"{_tiles.scheme}://{_tiles.netloc}"] if _tiles.netloc else []),
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Personal data retention (trust.retention): residents with no activity for
# this many days are anonymised by a nightly task; 0 turns it off.
RETENTION_RESIDENT_INACTIVE_DAYS = env.int(
    "RETENTION_RESIDENT_INACTIVE_DAYS", default=3 * 365
)
# Grant applications never sent: deleted after this many days; 0 turns it off.
RETENTION_DRAFT_APPLICATION_DAYS = env.int(
    "RETENTION_DRAFT_APPLICATION_DAYS", default=180
)
