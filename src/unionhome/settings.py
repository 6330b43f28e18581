"""unionhome settings: one module, configured by environment variables only.

Every value that differs between a laptop and production comes from the environment. Helpers fail
loudly on a value they cannot parse, so a typo in production stops the process instead of silently
running with a default. Secrets that are absent are generated once into an untracked local file
(``var/local_secrets.json``) so that ``make run`` and ``make test`` work on a fresh machine.
"""

from __future__ import annotations

import base64
import importlib.util
import json
import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

SRC_DIR = Path(__file__).resolve().parent
BASE_DIR = SRC_DIR.parent.parent
VAR_DIR = Path(os.environ.get("UNIONHOME_VAR_DIR", BASE_DIR / "var"))

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1/0, true/false, yes/no)")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer") from None


def env_float(name: str, default: float, minimum: float | None = None) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a number") from None
    if minimum is not None and not value >= minimum:
        raise ImproperlyConfigured(f"{name}={raw!r} must be at least {minimum}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def _local_secrets() -> dict[str, str]:
    """Secrets generated on first run, kept out of git; the environment always wins over them."""
    path = VAR_DIR / "local_secrets.json"
    stored = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    wanted = {
        "SECRET_KEY": lambda: secrets.token_urlsafe(50),
        # A Fernet key (32 random bytes, URL-safe base64) without importing `cryptography`.
        "UNIONHOME_FIELD_KEYS": lambda: base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        "UNIONHOME_INDEX_KEY": lambda: secrets.token_urlsafe(32),
    }
    missing = [key for key in wanted if key not in stored and not os.environ.get(key)]
    if missing:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        for key in missing:
            stored[key] = wanted[key]()
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(stored, indent=2), encoding="utf-8")
        tmp.chmod(0o600)
        tmp.replace(path)
    return stored


_SECRETS = _local_secrets()


def secret(name: str) -> str:
    return os.environ.get(name) or _SECRETS[name]


SECRET_KEY = secret("SECRET_KEY")
# Comma-separated Fernet keys; the first encrypts, all decrypt (rotation: prepend a new key, then
# run `manage.py rotate_field_keys`, then drop the old key).
UNIONHOME_FIELD_KEYS = [k.strip() for k in secret("UNIONHOME_FIELD_KEYS").split(",") if k.strip()]
# Keyed HMAC for blind indexes (exact lookup of encrypted values). Never rotate casually: every
# index would need recomputing from the decrypted values.
UNIONHOME_INDEX_KEY = secret("UNIONHOME_INDEX_KEY")

DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# django-ninja's docs page needs its templates and static files (Swagger UI, served locally,
# never from a CDN) but not the app itself: as an installed app it would import ninja and
# pydantic into every web worker at start-up (the API loads lazily, see urls.py).
NINJA_DIR = Path(importlib.util.find_spec("ninja").submodule_search_locations[0])

INSTALLED_APPS = [
    # django.contrib.admin, discovering ModelAdmins on first use instead of in every worker's
    # start-up (core/lazy_admin.py).
    "unionhome.core.lazy_admin.LazyAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "treebeard",
    "django_htmx",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "unionhome.core",
    "unionhome.text",
    "unionhome.accounts",
    "unionhome.orgs",
    "unionhome.members",
    "unionhome.demands",
    "unionhome.stations",
    "unionhome.assistance",
    "unionhome.dashboards",
    "unionhome.digests",
    "unionhome.api.apps.ApiConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes requires: it turns a lockout into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "unionhome.urls"
WSGI_APPLICATION = "unionhome.wsgi.application"
ASGI_APPLICATION = "unionhome.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [SRC_DIR / "templates", NINJA_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "unionhome.core.context_processors.unread_notifications",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------------
# Embedded SQLite (WAL, immediate transactions so concurrent writers queue instead of failing)
# unless DATABASE_URL names another database, e.g. postgres://user@127.0.0.1:5432/unionhome.
_DATABASE_URL = os.environ.get("DATABASE_URL", "").strip()
if _DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(_DATABASE_URL, conn_max_age=60)}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    _SQLITE_PATH = os.environ.get("UNIONHOME_SQLITE_PATH", str(VAR_DIR / "unionhome.sqlite3"))

    def _sqlite(name: str) -> dict:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": name,
            # Kept open between requests, as on PostgreSQL: opening one (its PRAGMAs and
            # Django's SQL functions) was a quarter of a form POST's CPU.
            "CONN_MAX_AGE": 60,
            "OPTIONS": {
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                ),
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }

    DATABASES = {
        "default": _sqlite(_SQLITE_PATH),
        # The web form's queue (receipts, rate counters) in a file of its own: SQLite has one
        # writer per file, and a form POST must not wait while the intake worker records
        # demands (core.dbrouter). PostgreSQL needs no such split.
        "intake": _sqlite(
            os.environ.get(
                "UNIONHOME_SQLITE_INTAKE_PATH",
                str(Path(_SQLITE_PATH).with_name(Path(_SQLITE_PATH).stem + "-intake.sqlite3")),
            )
        ),
    }
DATABASE_ROUTERS = ["unionhome.core.dbrouter.IntakeQueueRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts -------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First, as django-axes requires: refuses a locked-out username/IP before any password check.
    "axes.backends.AxesStandaloneBackend",
    "unionhome.accounts.backends.PhoneOrUsernameBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
# Lock the pair, so one attacker cannot lock a cadre out from everywhere by guessing from afar.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_ENABLED = env_bool("AXES_ENABLED", True)

# --- Internationalisation -------------------------------------------------------------------
# Chinese first: source strings are Simplified Chinese; zh-Hant and en are translations.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [
    ("zh-hans", "简体中文"),
    ("zh-hant", "繁體中文"),
    ("en", "English"),
]
LOCALE_PATHS = [SRC_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [SRC_DIR / "static", NINJA_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))

# --- Security -------------------------------------------------------------------------------
# Safe by default; `make run` sets DEBUG=1 and UNIONHOME_INSECURE_HTTP=1 for plain-HTTP localhost.
_SECURE = not env_bool("UNIONHOME_INSECURE_HTTP", DEBUG)
SESSION_COOKIE_SECURE = _SECURE
CSRF_COOKIE_SECURE = _SECURE
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", _SECURE)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if _SECURE else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("UNIONHOME_BEHIND_PROXY", False) else None
)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 12)
X_FRAME_OPTIONS = "DENY"

# --- Cache and background work --------------------------------------------------------------
# The cache carries rate-limit counters and the progress of long jobs between the worker and the
# web processes, so it must be shared by processes: Redis when REDIS_URL is set, else files.
_REDIS_URL = os.environ.get("REDIS_URL", "").strip()
if _REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": _REDIS_URL}}  # fmt: skip
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                          "LOCATION": str(VAR_DIR / "cache")}}  # fmt: skip

# Django's Tasks API (django-tasks): jobs are rows the `db_worker` command runs.
# UNIONHOME_TASK_BACKEND=immediate runs them inside the request instead (tests, tiny setups).
TASKS = {
    "default": {
        "BACKEND": {
            "db": "django_tasks_db.DatabaseBackend",
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
        }[os.environ.get("UNIONHOME_TASK_BACKEND", "db")]
    }
}

# --- Media (uploaded photos; served only through scoped views, never as public files) ----------
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media-not-public/"
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- Demands ----------------------------------------------------------------------------------
# The city this deployment serves by default: resolves ambiguous district names in addresses
# (朝阳区 alone is in both Beijing and Changchun). Empty for a national deployment.
UNIONHOME_HOME_CITY = os.environ.get("UNIONHOME_HOME_CITY", "")
# Days after resolution during which a worker's low rating reopens the demand; after it, unrated
# demands close by themselves.
UNIONHOME_FEEDBACK_WINDOW_DAYS = env_int("UNIONHOME_FEEDBACK_WINDOW_DAYS", 7)
# Weeks after closing to ask "is it still solved?".
UNIONHOME_FOLLOW_UP_DAYS = env_int("UNIONHOME_FOLLOW_UP_DAYS", 30)
# Public intake rate limit: submissions per IP address and per phone number in one hour.
UNIONHOME_INTAKE_LIMIT_PER_HOUR = env_int("UNIONHOME_INTAKE_LIMIT_PER_HOUR", 10)
# The web form acknowledges with a receipt; `manage.py intake_worker` records receipts as demands
# in batches. A receipt older than this many seconds means no worker is running: the web process
# then records the queue itself (and the tracking page shows the demand, not "received").
UNIONHOME_INTAKE_INLINE_AFTER = env_int("UNIONHOME_INTAKE_INLINE_AFTER", 10)
UNIONHOME_PHOTO_MAX_BYTES = env_int("UNIONHOME_PHOTO_MAX_BYTES", 5 * 1024 * 1024)
UNIONHOME_PHOTO_MAX_COUNT = env_int("UNIONHOME_PHOTO_MAX_COUNT", 4)
# Where text messages go: "log" (default: written to the log only) or a dotted path to a sender.
UNIONHOME_SMS_BACKEND = os.environ.get(
    "UNIONHOME_SMS_BACKEND", "unionhome.core.notify.LoggingSmsSender"
)

# --- Stations and maps -------------------------------------------------------------------------
# Map tiles for the station pages: a Leaflet URL template such as
# "https://webrd0{s}.example.cn/appmaptile?x={x}&y={y}&z={z}". Empty (the default): no map,
# the pages show lists only (offline-safe). Chinese tile providers draw in GCJ-02, so markers are
# shifted to it unless UNIONHOME_MAP_TILES_GCJ02=0 (e.g. OpenStreetMap tiles, which are WGS-84).
UNIONHOME_MAP_TILE_URL = os.environ.get("UNIONHOME_MAP_TILE_URL", "").strip()
if UNIONHOME_MAP_TILE_URL and not all(
    part in UNIONHOME_MAP_TILE_URL for part in ("{x}", "{y}", "{z}")
):
    raise ImproperlyConfigured("UNIONHOME_MAP_TILE_URL must contain {x}, {y} and {z}")
UNIONHOME_MAP_TILE_ATTRIBUTION = os.environ.get("UNIONHOME_MAP_TILE_ATTRIBUTION", "")
UNIONHOME_MAP_TILE_SUBDOMAINS = os.environ.get("UNIONHOME_MAP_TILE_SUBDOMAINS", "abc")  # for {s}
UNIONHOME_MAP_TILES_GCJ02 = env_bool("UNIONHOME_MAP_TILES_GCJ02", True)
# The 15-minute service circle: walking speed, minutes, and the detour factor that turns
# straight-line distance into walking distance (see stations/geo.py).
UNIONHOME_WALK_SPEED_KMH = env_float("UNIONHOME_WALK_SPEED_KMH", 4.5, minimum=0.5)
UNIONHOME_WALK_MINUTES = env_float("UNIONHOME_WALK_MINUTES", 15, minimum=1)
UNIONHOME_WALK_DETOUR_FACTOR = env_float("UNIONHOME_WALK_DETOUR_FACTOR", 1.3, minimum=1)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# Early warnings and digests (digests app): thresholds an operator may tune per deployment.
UNIONHOME_ALERT_BURST_COUNT = env_int("UNIONHOME_ALERT_BURST_COUNT", 5)
UNIONHOME_ALERT_BURST_DAYS = env_int("UNIONHOME_ALERT_BURST_DAYS", 3)
UNIONHOME_ALERT_SURGE_WEEKS = env_int("UNIONHOME_ALERT_SURGE_WEEKS", 8)
UNIONHOME_ALERT_SURGE_K = env_float("UNIONHOME_ALERT_SURGE_K", 3.0, minimum=0)
UNIONHOME_ALERT_SURGE_MIN = env_int("UNIONHOME_ALERT_SURGE_MIN", 5)
UNIONHOME_ALERTS_ON_SUBMIT_ENABLED = env_bool("UNIONHOME_ALERTS_ON_SUBMIT_ENABLED", True)
UNIONHOME_DIGEST_INLINE_LIMIT = env_int("UNIONHOME_DIGEST_INLINE_LIMIT", 3000)

# Web workers give their heap's free pages back to the system after each response (glibc's
# malloc_trim, ≈ 30 µs; core/memory.py).
UNIONHOME_MALLOC_TRIM_ENABLED = env_bool("UNIONHOME_MALLOC_TRIM_ENABLED", True)
