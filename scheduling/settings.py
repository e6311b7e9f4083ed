"""One plain settings module, driven by the environment.

SQLite by default; PostgreSQL when DATABASE_URL is set; the django-q2 broker is the ORM unless
REDIS_URL is set. Production runs with DEBUG off and SECRET_KEY from the environment.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


# Development is the default (as in healthchecks); production sets DEBUG=0 and SECRET_KEY.
DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise RuntimeError("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "development-only-insecure-key-not-for-production"  # noqa: S105

ALLOWED_HOSTS = [
    h for h in os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1,testserver").split(",") if h
]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",
    # The learning library's search field (SearchVectorField); its lookups register only on
    # a PostgreSQL connection, so SQLite is unchanged.
    "django.contrib.postgres",
    "ninja",  # serves Swagger UI's own files for /api/docs (no CDN)
    "django_q",
    "simple_history",
    "axes",
    "scheduling.apps.SchedulingConfig",
    "peers.apps.PeersConfig",
    "sessions.apps.OfferSessionsConfig",
    "privacy.apps.PrivacyConfig",
]

MIDDLEWARE = [
    # First: every request's id, its one JSON log line and its latency (scheduling/request_log.py).
    "scheduling.request_log.RequestLogMiddleware",
    "scheduling.middleware.ClientAddressMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Records who made each change (the history of bookings, sessions, seats, registrations).
    # API token calls are seen too: the token's user is set on this same request.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "scheduling.urls"
WSGI_APPLICATION = "scheduling.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "peers.context_processors.roles",
            ],
        },
    },
]

# Form widgets render from the project's templates too (the date input's day/month/year).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# SQLite (the default, or DATABASE_URL=sqlite:///...): WAL so readers do not block the writer,
# IMMEDIATE so a booking transaction takes the write lock up front (no lock upgrade deadlock),
# and a busy timeout so writers queue. Tests use a file beside the database, never memory, so
# that concurrent requests share it.
SQLITE_PATH = os.environ.get("SQLITE_PATH", str(BASE_DIR / "var" / "db.sqlite3"))
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}
DATABASE_URL = os.environ.get("DATABASE_URL", "")
# DATABASE_TRANSACTION_POOLING=1 when DATABASE_URL names pgbouncer in transaction mode (or a
# managed service's pooler): each transaction may run on a different server connection, so
# no server-side cursors (a cursor lives in one connection). The code takes only
# transaction-level advisory locks and uses no LISTEN/NOTIFY; psycopg binds on the client, so
# there are no prepared statements. Health checks make a request after a pooler or database
# restart open a fresh connection instead of failing on the dead one.
DATABASE_TRANSACTION_POOLING = env_bool("DATABASE_TRANSACTION_POOLING")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
    }
    if DATABASE_TRANSACTION_POOLING:
        DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
else:
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": SQLITE_PATH}}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    sqlite_file = Path(DATABASES["default"]["NAME"])
    DATABASES["default"]["OPTIONS"] = {**SQLITE_OPTIONS, **DATABASES["default"].get("OPTIONS", {})}
    DATABASES["default"]["TEST"] = {
        "NAME": os.environ.get(
            "SQLITE_TEST_PATH",
            str(BASE_DIR / "var" / "test.sqlite3")
            if not DATABASE_URL
            else str(sqlite_file.with_name(f"test_{sqlite_file.name}")),
        )
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "scheduling.auth.SignInLockout",
    "django.contrib.auth.backends.ModelBackend",
]
# Sign-in lockout (django-axes, counts in the database so every process shares them): five
# wrong passwords for one username from one address lock that pair out for 15 minutes; a
# right password resets the count.
AXES_FAILURE_LIMIT = int(os.environ.get("SIGN_IN_FAILURE_LIMIT", "5"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("SIGN_IN_COOLOFF_MINUTES", "15")))
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# The addresses (or networks, e.g. 10.0.0.0/8) of the reverse proxies in front of the service:
# only a request from one of these has its X-Forwarded-For read for the client's address.
TRUSTED_PROXIES = [p.strip() for p in os.environ.get("TRUSTED_PROXIES", "").split(",") if p.strip()]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
# static/build holds the pages' assets that `make install` builds from frontend/ (npm).
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded files (pre-reading) are kept through the default storage: files under MEDIA_ROOT,
# never served from it directly (each download is checked). An S3-compatible store works by
# naming django-storages' backend here instead (README, "Pre-reading").
MEDIA_ROOT = os.environ.get("MEDIA_ROOT", str(BASE_DIR / "var" / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Mail: files under var/mail in development (one .eml a message); SMTP when EMAIL_HOST is set.
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "LGA peer support <peer-scheduling@local.gov.uk>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if os.environ.get("EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ["EMAIL_HOST"],
                "port": int(os.environ.get("EMAIL_PORT", "587")),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                # STARTTLS (587) by default; EMAIL_USE_SSL=1 for implicit TLS (465) instead.
                "use_tls": env_bool("EMAIL_USE_TLS", not env_bool("EMAIL_USE_SSL")),
                "use_ssl": env_bool("EMAIL_USE_SSL"),
                "timeout": int(os.environ.get("EMAIL_TIMEOUT", "30")),
            },
        }
    }
else:
    MAILERS = {
        "default": {
            "BACKEND": "scheduling.mail_files.EmlFileBackend",
            "OPTIONS": {
                "file_path": os.environ.get("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail"))
            },
        }
    }

# The organiser's mailbox, read over IMAP every MAILBOX_READ_MINUTES by the task worker
# (sessions/services/mailbox.py): calendar replies, bounces and automatic replies. Off unless
# IMAP_HOST is set. TLS from the first byte (993) by default; IMAP_STARTTLS=1 upgrades a plain
# connection (143); IMAP_TLS=0 only for a server on loopback (the tests' Dovecot). Microsoft 365
# refuses passwords: give an OAuth2 access token (XOAUTH2) in IMAP_OAUTH2_TOKEN or, as tokens
# last an hour, in a file that something else keeps fresh (IMAP_OAUTH2_TOKEN_FILE).
IMAP_HOST = os.environ.get("IMAP_HOST", "")
IMAP_PORT = int(os.environ.get("IMAP_PORT", "993"))
IMAP_USER = os.environ.get("IMAP_USER", "")
IMAP_PASSWORD = os.environ.get("IMAP_PASSWORD", "")
IMAP_OAUTH2_TOKEN = os.environ.get("IMAP_OAUTH2_TOKEN", "")
IMAP_OAUTH2_TOKEN_FILE = os.environ.get("IMAP_OAUTH2_TOKEN_FILE", "")
IMAP_TLS = env_bool("IMAP_TLS", True)
IMAP_STARTTLS = env_bool("IMAP_STARTTLS", False)
IMAP_TIMEOUT = int(os.environ.get("IMAP_TIMEOUT", "30"))
IMAP_FOLDER = os.environ.get("IMAP_FOLDER", "INBOX")
IMAP_PROCESSED_FOLDER = os.environ.get("IMAP_PROCESSED_FOLDER", "Processed")
IMAP_SET_ASIDE_FOLDER = os.environ.get("IMAP_SET_ASIDE_FOLDER", "Set aside")
MAILBOX_READ_MINUTES = int(os.environ.get("MAILBOX_READ_MINUTES", "1"))
# Limits: a larger message, or one with more MIME parts, is set aside unread (and logged).
MAILBOX_MESSAGE_MAX_BYTES = int(os.environ.get("MAILBOX_MESSAGE_MAX_BYTES", str(2 * 1024 * 1024)))
MAILBOX_MESSAGE_MAX_PARTS = int(os.environ.get("MAILBOX_MESSAGE_MAX_PARTS", "20"))
MAILBOX_MESSAGES_PER_PASS = int(os.environ.get("MAILBOX_MESSAGES_PER_PASS", "500"))

# A request for an offer that needs approval holds its panel's time for this many working days
# (weekends and England and Wales bank holidays do not count), then expires.
REQUEST_WORKING_DAYS = int(os.environ.get("REQUEST_WORKING_DAYS", "5"))

# Task queue: django-q2 on the ORM broker by default, Redis when REDIS_URL is set.
# timeout must stay below retry, or a slow task is started twice.
REDIS_URL = os.environ.get("REDIS_URL", "")
# The history of changes is read-only: a booking, seat or webinar changes through its services
# (which send the invites that go with each change), never by reverting a row in the admin.
SIMPLE_HISTORY_REVERT_DISABLED = True

Q_CLUSTER = {
    "name": "lga-scheduling",
    "workers": int(os.environ.get("Q_WORKERS", "2")),
    "timeout": 120,
    "retry": 180,
    "max_attempts": 5,
    "ack_failures": True,
    "catch_up": False,
    "label": "Task queue",
    # Exactly one task worker runs the schedules; every other sets Q_SCHEDULER=0.
    "scheduler": env_bool("Q_SCHEDULER", True),
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"

# The cache must be one that every process shares: Redis when REDIS_URL is set (the throttles
# count in it), else the database's (its table is made by a migration, scheduling/migrations;
# the throttles then count in peers' ThrottleCount rows). Never the per-process local memory.
DATABASE_CACHE_TABLE = "cache_entries"
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "lga",
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": DATABASE_CACHE_TABLE,
        }
    }

if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Content-Security-Policy (Django's own): everything from this site only; an inline script
# runs only with the request's nonce (`<script nonce="{{ csp_nonce }}">`); no plugins, no
# framing, forms post only here. The API docs' Swagger UI draws its icons from data: URLs.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Logs: one JSON line per record (LOG_FORMAT=json, the default), each with the request id of
# the request or task it belongs to (scheduling/request_log.py); LOG_FORMAT=plain for reading.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "scheduling.request_log.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "scheduling.request_log.JsonLineFormatter"},
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "json" if LOG_FORMAT == "json" else "plain",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# Health (/readyz): the worker's heartbeat must be younger than this, and the oldest due
# message in the outbox must have waited less than this, or the service is not ready.
HEALTH_HEARTBEAT_SECONDS = int(os.environ.get("HEALTH_HEARTBEAT_SECONDS", "300"))
HEALTH_OUTBOX_SECONDS = int(os.environ.get("HEALTH_OUTBOX_SECONDS", "900"))
# A load balancer may check health over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
# /metrics answers signed-in staff, or a scraper sending "Authorization: Bearer <this>".
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")

# Peers' busy-calendar feeds are fetched server-side: loopback addresses are refused (request
# forgery) unless this is on, which only the tests do.
BUSY_CALENDAR_ALLOW_LOOPBACK = env_bool("BUSY_CALENDAR_ALLOW_LOOPBACK", False)
# An API answer whose status the OpenAPI schema does not list raises (a defect shows at once)
# instead of being logged; on in development and the tests.
API_STRICT_STATUSES = env_bool("API_STRICT_STATUSES", DEBUG)
# Slot searches one web process runs at once (the rest wait; other requests do not).
SEARCHES_AT_ONCE = int(os.environ.get("SEARCHES_AT_ONCE", "2"))

# Pre-reading: the largest document, and the most a booking's documents may add up to, in MB.
PACK_FILE_MAX_MB = int(os.environ.get("PACK_FILE_MAX_MB", "10"))
PACK_BOOKING_MAX_MB = int(os.environ.get("PACK_BOOKING_MAX_MB", "30"))
# A webinar's own file (a short video, reading or slides), in MB.
WEBINAR_FILE_MAX_MB = int(os.environ.get("WEBINAR_FILE_MAX_MB", "100"))

# Retention: how long personal data is kept, applied every day by the retention task
# (privacy/retention.py) and stated on the privacy notice. Each can be set in the environment.
RETENTION = {
    # A webinar registration (and its history) this many days after the webinar.
    "webinar_registration_days": int(os.environ.get("RETAIN_WEBINAR_REGISTRATION_DAYS", "365")),
    # A peer's imported busy times once they are behind the kept window (today): no setting.
    # Pre-reading (documents and files) this many days after its booking's last session.
    "pre_reading_days": int(os.environ.get("RETAIN_PRE_READING_DAYS", "90")),
    # The people a council named to attend a panel (names, roles, addresses, answers) and their
    # history, this many days after the booking's last session.
    "participant_days": int(os.environ.get("RETAIN_PARTICIPANT_DAYS", "365")),
    # Revoked feed and API tokens, unconfirmed registration requests whose signed link has run
    # out, ended sign-in sessions and lockout records: at expiry, plus this many days.
    "expired_token_days": int(os.environ.get("RETAIN_EXPIRED_TOKEN_DAYS", "0")),
    # Records of messages sent (invites, reminders) and of changes (history), in years.
    "sent_mail_years": int(os.environ.get("RETAIN_SENT_MAIL_YEARS", "6")),
    "history_years": int(os.environ.get("RETAIN_HISTORY_YEARS", "6")),
    # Development mail files under EMAIL_FILE_PATH, in days.
    "development_mail_days": int(os.environ.get("RETAIN_DEVELOPMENT_MAIL_DAYS", "14")),
}
