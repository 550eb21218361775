"""Settings, read from the environment and an optional `.env` file.

Every variable is listed in `.env.example` and in the README. Values are parsed
strictly: a malformed one stops start-up with `ImproperlyConfigured` naming it.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# The .env file is optional; real environment variables win over it.
if (BASE_DIR / ".env").is_file():
    env.read_env(BASE_DIR / ".env", overwrite=False)


def _env(cast, name, default):
    """Read one variable, turning a parse failure into a message that names it."""
    try:
        return cast(name, default=default)
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(f"Environment variable {name} is invalid: {exc}") from exc


_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off", ""}


def _strict_bool(name, default):
    """Like env.bool, but a value that is neither true nor false is an error, not False."""
    raw = env.str(name, default=None)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"expected true/false, got {raw!r}")


EXAMPLE_SECRET_PREFIX = "change-me"  # noqa: S105  (marks values that must be replaced)
_DEV_SECRET = "change-me-insecure-development-secret-key-do-not-use-in-production"  # noqa: S105  (refused when DEBUG=False)

DEBUG = _env(_strict_bool, "DEBUG", True)
SECRET_KEY = _env(env.str, "SECRET_KEY", _DEV_SECRET)
JWT_SECRET_KEY = _env(env.str, "JWT_SECRET_KEY", _DEV_SECRET + "-jwt")

if not DEBUG:
    for _name, _value in (("SECRET_KEY", SECRET_KEY), ("JWT_SECRET_KEY", JWT_SECRET_KEY)):
        if not _value or _value.startswith(EXAMPLE_SECRET_PREFIX) or len(_value) < 32:
            raise ImproperlyConfigured(
                f"{_name} must be set to a private random value of at least 32 characters "
                "when DEBUG=False (the example or development value is refused). Generate one "
                'with: python -c "import secrets; print(secrets.token_urlsafe(50))"'
            )

ALLOWED_HOSTS = _env(env.list, "ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CORS_ALLOWED_ORIGINS = _env(env.list, "CORS_ALLOWED_ORIGINS", [])

# This node's identity in sync: "HQ" or a center code. Written into `origin`.
NODE_CENTER = _env(env.str, "NODE_CENTER", "HQ").strip() or "HQ"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    # The bottom layer: synced base model, stamping, roles, scoping (discovers scopes.py).
    "apps.core",
    # apps.jobs comes before django_tasks_db so that its `db_worker` (the backend's worker
    # plus the dead-job reaper) is the one `manage.py db_worker` runs.
    "apps.jobs",
    "django_tasks",
    "django_tasks_db",
    "apps.sync",
    "apps.authentication",
    "apps.centers",
    "apps.exams",
    "apps.candidates",
    "apps.seating",
    "apps.examday",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "exam_system.urls"
WSGI_APPLICATION = "exam_system.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
DATA_DIR = Path(_env(env.str, "DATA_DIR", str(BASE_DIR / "data")))
_database_url = _env(env.str, "DATABASE_URL", "")
if _database_url:
    try:
        DATABASES = {"default": env.db_url_config(_database_url)}
    except Exception as exc:  # django-environ raises several types for a bad URL
        raise ImproperlyConfigured(f"Environment variable DATABASE_URL is invalid: {exc}") from exc
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["default"].setdefault("CONN_MAX_AGE", 60)
        DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "exam_system.sqlite3",
            "OPTIONS": {
                # WAL lets readers run while one writer writes; IMMEDIATE takes the write
                # lock at BEGIN so two writers queue on the busy timeout instead of
                # failing with "database is locked" half-way through a transaction.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "authentication.User"

# --- Cache (throttling) -------------------------------------------------------------
REDIS_URL = _env(env.str, "REDIS_URL", "")
CACHE_KEY_PREFIX = _env(env.str, "CACHE_KEY_PREFIX", "exam_system")
if REDIS_URL:
    if not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(
            "Environment variable REDIS_URL is invalid: it must start with redis://, rediss:// or unix://"
        )
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "exam-system",
            "KEY_PREFIX": CACHE_KEY_PREFIX,
        }
    }

# --- Auth ------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=_env(env.int, "JWT_ACCESS_MINUTES", 15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=_env(env.int, "JWT_REFRESH_DAYS", 1)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    "ALGORITHM": "HS256",
    "SIGNING_KEY": JWT_SECRET_KEY,
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "user_id",
}

# Failed logins allowed per username and per client address in one minute.
LOGIN_FAILURE_LIMIT = _env(env.int, "LOGIN_FAILURE_LIMIT", 5)
LOGIN_FAILURE_WINDOW_SECONDS = 60

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework_simplejwt.authentication.JWTAuthentication",
        # Lets a logged-in admin-site user browse the API; CSRF stays enforced for it.
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "utils.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": _env(env.str, "THROTTLE_ANON", "120/min"),
        "user": _env(env.str, "THROTTLE_USER", "2000/min"),
    },
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "utils.exceptions.api_exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Examination management API",
    "DESCRIPTION": "HQ and offline exam-center backend. Authenticate with POST /api/auth/login/.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema describes endpoints, not data; an offline center's docs are harmless.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "RoleEnum": "apps.core.roles.Role",
        "ExamStatusEnum": "apps.exams.models.ExamStatus",
        "CandidateStatusEnum": "apps.candidates.models.CandidateStatus",
        "AttendanceStatusEnum": "apps.examday.models.AttendanceStatus",
    },
}

# --- Background jobs ----------------------------------------------------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# Above this many rows a long operation runs as a background job even without ?async=1.
JOBS_ASYNC_THRESHOLD = _env(env.int, "JOBS_ASYNC_THRESHOLD", 5000)
# A running job whose worker has not sent a heartbeat for this long is marked failed.
JOBS_HEARTBEAT_TIMEOUT = _env(env.int, "JOBS_HEARTBEAT_TIMEOUT", 60)
# Finished jobs (and their files) older than this are deleted by `prune_jobs`.
JOBS_RETENTION_DAYS = _env(env.int, "JOBS_RETENTION_DAYS", 14)
# Seconds between two progress writes of a running job (throttles the writes).
JOBS_PROGRESS_INTERVAL = 0.5
for _name in ("JOBS_ASYNC_THRESHOLD", "JOBS_HEARTBEAT_TIMEOUT", "JOBS_RETENTION_DAYS"):
    if globals()[_name] < (0 if _name == "JOBS_ASYNC_THRESHOLD" else 1):
        raise ImproperlyConfigured(f"Environment variable {_name} is invalid: it must be a positive number")

# --- Candidates ------------------------------------------------------------------------
CANDIDATE_CATEGORIES = _env(env.list, "CANDIDATE_CATEGORIES", ["GEN", "OBC", "SC", "ST", "EWS"])

# --- Exam logistics --------------------------------------------------------------------
# Attendance can be marked from this many minutes before a session starts until it ends.
ATTENDANCE_OPEN_MINUTES_BEFORE = _env(env.int, "ATTENDANCE_OPEN_MINUTES_BEFORE", 60)

# --- Uploads and files ----------------------------------------------------------------
MEDIA_ROOT = Path(_env(env.str, "MEDIA_ROOT", str(DATA_DIR / "media")))
MEDIA_URL = "/media/"
STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
# Large spreadsheet uploads go to a temporary file, not memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
MAX_IMAGE_UPLOAD_BYTES = _env(env.int, "MAX_IMAGE_UPLOAD_BYTES", 2 * 1024 * 1024)
MAX_IMAGE_PIXELS = _env(env.int, "MAX_IMAGE_PIXELS", 4000 * 4000)
MAX_IMPORT_UPLOAD_BYTES = _env(env.int, "MAX_IMPORT_UPLOAD_BYTES", 200 * 1024 * 1024)
# Largest sync package accepted by POST /api/sync/import/ (a center with photos is big).
MAX_SYNC_UPLOAD_BYTES = _env(env.int, "MAX_SYNC_UPLOAD_BYTES", 2 * 1024 * 1024 * 1024)
# What an uploaded spreadsheet or package may unpack to, checked before it is read
# (docs/security.md, "Uploads and generated files").
MAX_SPREADSHEET_UNCOMPRESSED_BYTES = _env(env.int, "MAX_SPREADSHEET_UNCOMPRESSED_BYTES", 1024 * 1024 * 1024)
MAX_SPREADSHEET_ROWS = _env(env.int, "MAX_SPREADSHEET_ROWS", 1_048_576)
MAX_SPREADSHEET_COLUMNS = _env(env.int, "MAX_SPREADSHEET_COLUMNS", 200)
# The reader holds a sheet as a grid from A1 to its farthest cell, 32 bytes a cell (~1 GB).
MAX_SPREADSHEET_CELLS = _env(env.int, "MAX_SPREADSHEET_CELLS", 32_000_000)
# Unpacked / packed size of any part above 1 MiB of a spreadsheet or a package.
MAX_COMPRESSION_RATIO = _env(env.int, "MAX_COMPRESSION_RATIO", 100)
# manifest.json may be this large plus 512 bytes per file the package holds.
MAX_PACKAGE_MANIFEST_BYTES = _env(env.int, "MAX_PACKAGE_MANIFEST_BYTES", 16 * 1024 * 1024)
MAX_PACKAGE_MEMBER_BYTES = _env(env.int, "MAX_PACKAGE_MEMBER_BYTES", 8 * 1024 * 1024 * 1024)
MAX_PACKAGE_FILES = _env(env.int, "MAX_PACKAGE_FILES", 3_000_000)
for _name in (
    "MAX_SPREADSHEET_UNCOMPRESSED_BYTES",
    "MAX_SPREADSHEET_ROWS",
    "MAX_SPREADSHEET_COLUMNS",
    "MAX_SPREADSHEET_CELLS",
    "MAX_COMPRESSION_RATIO",
    "MAX_PACKAGE_MANIFEST_BYTES",
    "MAX_PACKAGE_MEMBER_BYTES",
    "MAX_PACKAGE_FILES",
):
    if globals()[_name] < 1:
        raise ImproperlyConfigured(f"Environment variable {_name} is invalid: it must be a positive number")

# --- Security ---------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
if not DEBUG:
    SESSION_COOKIE_SECURE = _env(_strict_bool, "SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

LANGUAGE_CODE = "en-us"
TIME_ZONE = _env(env.str, "TIME_ZONE", "Asia/Kolkata")
USE_I18N = True
USE_TZ = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"apps": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}

TEST_RUNNER = "exam_system.test_runner.PytestRunner"
