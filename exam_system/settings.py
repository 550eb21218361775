"""Settings, read from the environment and an optional `.env` file.

Every variable is listed in `.env.example` and in the README. Values are parsed
strictly: a malformed one stops start-up with `ImproperlyConfigured` naming it.
"""

import contextlib
import os
import secrets
import tempfile
import time
import warnings
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


DEBUG = _env(_strict_bool, "DEBUG", True)

ALLOWED_HOSTS = _env(env.list, "ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CORS_ALLOWED_ORIGINS = _env(env.list, "CORS_ALLOWED_ORIGINS", [])

# This node's identity in sync: "HQ" or a center code. Written into `origin`.
NODE_CENTER = _env(env.str, "NODE_CENTER", "HQ").strip() or "HQ"

# --- Node signing key on `migrate` (issue 11 item 1) ------------------------------------
# `migrate` creates this node's signing key in DATA_DIR/keys when there is none
# (apps/sync/firstboot.py). The test suite turns this off (tests/conftest.py) so that
# creating the test database never writes a key into the real data folder.
NODE_KEY_ON_MIGRATE = True

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
    # Login lockout: failed logins counted in the database (apps/authentication/lockout.py).
    "axes",
    "csp",  # Content-Security-Policy header (its system checks)
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
    "apps.questions",
    "apps.examday",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Serves STATIC_ROOT (after `collectstatic`): a center needs no separate web server.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",  # Content-Security-Policy (block "HTTPS and Content-Security-Policy")
    "corsheaders.middleware.CorsMiddleware",
    # Errors under /api/ that Django answers itself (unknown paths, 400, 500) become JSON.
    "utils.middleware.JsonApiErrorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Turns a locked-out admin login into the 429 page (last: it sees the view's response).
    "axes.middleware.AxesMiddleware",
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
                # Seconds a writer waits for another's write lock; beyond it the API answers
                # 503 with Retry-After (utils/exceptions.py), never a 500.
                "timeout": _env(env.int, "SQLITE_BUSY_TIMEOUT", 30),
            },
        }
    }

# --- DATABASE_URL: supported backends only (issue 11 item 2) ---------------------------
# SQLite at a center (DATABASE_URL empty), PostgreSQL at HQ. Anything else, MongoDB in
# particular, stops start-up in one line naming the variable (manage.py prints it
# without a traceback) instead of failing later deep inside Django. README, Configuration.
_SUPPORTED_ENGINES = {"django.db.backends.sqlite3", "django.db.backends.postgresql"}
if _database_url and DATABASES["default"]["ENGINE"] not in _SUPPORTED_ENGINES:
    _scheme = _database_url.split(":", 1)[0].lower()
    _what = "MongoDB" if _scheme.startswith("mongodb") else f"'{_scheme}'"
    raise ImproperlyConfigured(
        f"Environment variable DATABASE_URL is invalid: {_what} is not a supported database backend. "
        "Supported: SQLite at a center (leave DATABASE_URL empty) and PostgreSQL at HQ "
        "(postgres://USER:PASSWORD@HOST:5432/NAME)."
    )

# --- Signing keys (SECRET_KEY, JWT_SECRET_KEY) --------------------------------------------
# From the environment when set; otherwise from DATA_DIR/keys/, where the first start (any
# command: migrate, runserver, gunicorn) writes a random key, private to the user (0600).
# No key written in the source is ever used: values starting with "change-me" (.env.example)
# are refused in every mode, and with DEBUG=False an explicit value needs 32+ characters.
EXAMPLE_SECRET_PREFIX = "change-me"  # noqa: S105  (marks example values that must be replaced)
KEYS_DIR = DATA_DIR / "keys"


def _write_new_key(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # mode 0600
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(50) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, path)  # complete or absent, never replaced
        except FileExistsError:
            pass  # another process made it first: its key is the one
        except OSError:  # a file system without hard links: an exclusive create instead
            with open(path, "x") as handle, open(temporary) as written:
                handle.write(written.read())
    finally:
        os.unlink(temporary)


def _stored_key(path: Path) -> str:
    """The key kept in `path`, made on the first start. Several processes starting at once
    agree: a new key is written to a private temporary file and linked into place, which
    fails when another process got there first (whose key is then read)."""
    try:
        if not path.is_file():
            with contextlib.suppress(FileExistsError):  # made by another process meanwhile
                _write_new_key(path)
        for _ in range(20):  # a key still being written by the exclusive-create fallback
            value = path.read_text().strip()
            if len(value) >= 32:
                return value
            time.sleep(0.05)
    except OSError as exc:
        raise ImproperlyConfigured(
            f"Cannot create the signing key {path}: {exc}. Make DATA_DIR writable, or set "
            "SECRET_KEY and JWT_SECRET_KEY in the environment."
        ) from exc
    raise ImproperlyConfigured(f"{path} holds no usable key (fewer than 32 characters): delete it to make a new one.")


def _signing_key(name: str, filename: str) -> str:
    value = _env(env.str, name, "").strip()
    if not value:
        return _stored_key(KEYS_DIR / filename)
    if value.startswith(EXAMPLE_SECRET_PREFIX) or (not DEBUG and len(value) < 32):
        raise ImproperlyConfigured(
            f"{name} must be set to a private random value of at least 32 characters (values "
            f'starting with "{EXAMPLE_SECRET_PREFIX}" are examples and are refused), or left unset to use '
            f"{KEYS_DIR / filename}, made on the first start. Generate one with: "
            'python -c "import secrets; print(secrets.token_urlsafe(50))"'
        )
    return value


SECRET_KEY = _signing_key("SECRET_KEY", "secret_key")
JWT_SECRET_KEY = _signing_key("JWT_SECRET_KEY", "jwt_secret_key")
# --- end of signing keys ------------------------------------------------------------------

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Bulk inserts (apps/core/bulk.py) take a guarded executemany fast path on SQLite and
# PostgreSQL; False sends them through the ORM instead (the tests compare both paths).
BULK_FAST_PATH = True
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

# --- Redis outage: degrade, never a 500 (issue 11 item 3) ---------------------------------
# While Redis does not answer, the cache falls back to a per-process in-memory cache
# (utils/cache.py; logged, and /api/health/ still answers 503), so requests that need
# the cache only for throttling go on with per-worker limits. Short socket timeouts keep
# a Redis that hangs (rather than refuses) from holding requests.
if REDIS_URL:
    CACHES["default"]["BACKEND"] = "utils.cache.FallbackRedisCache"
    CACHES["default"].setdefault("OPTIONS", {}).update({"socket_connect_timeout": 2, "socket_timeout": 2})

# --- Auth ------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Eight spaces or "aaaaaaaa" pass the four above (apps/authentication/validators.py).
    {"NAME": "apps.authentication.validators.NotBlankPasswordValidator"},
    {"NAME": "apps.authentication.validators.MinimumDistinctCharactersValidator"},
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

# --- Login lockout (django-axes; apps/authentication/lockout.py) ----------------------
# Every login (API and admin) goes through LoginBackend: AxesStandaloneBackend's lockout,
# counting each attempt before its password is checked, then Django's ModelBackend.
AUTHENTICATION_BACKENDS = ["apps.authentication.lockout.LoginBackend"]
AXES_HANDLER = "apps.authentication.lockout.LockoutDatabaseHandler"  # counts in the database: never evicted
# A username and a client address are each locked after this many failed logins...
AXES_FAILURE_LIMIT = _env(env.int, "LOGIN_FAILURE_LIMIT", 5)
# ...until this long after the last one (attempts while locked are refused, not counted).
AXES_COOLOFF_TIME = timedelta(seconds=_env(env.int, "LOGIN_LOCKOUT_SECONDS", 60))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = False  # a login of one's own account must not clear an address's count
AXES_USERNAME_CALLABLE = "apps.authentication.lockout.lockout_username"
AXES_CLIENT_IP_CALLABLE = "apps.authentication.lockout.client_ip"
AXES_LOCKOUT_CALLABLE = "apps.authentication.lockout.lockout_response"
AXES_DISABLE_ACCESS_LOG = True  # failures are what the lockout needs; successes are not logged
# Reverse proxies in front of this server (nginx = 1). 0: X-Forwarded-For is never read.
TRUSTED_PROXY_COUNT = _env(env.int, "TRUSTED_PROXY_COUNT", 0)
for _name, _value in (
    ("LOGIN_FAILURE_LIMIT", AXES_FAILURE_LIMIT),
    ("LOGIN_LOCKOUT_SECONDS", AXES_COOLOFF_TIME.total_seconds()),
    ("TRUSTED_PROXY_COUNT", TRUSTED_PROXY_COUNT + 1),
):
    if _value < 1:
        raise ImproperlyConfigured(f"Environment variable {_name} is invalid: it is too small")
# --- end of login lockout ---------------------------------------------------------------

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
    # DRF's parsers, but JSON nested too deeply is a 400 (utils/parsers.py), not a 500.
    "DEFAULT_PARSER_CLASSES": [
        "utils.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
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

# --- Question bank formats (docs/questions/formats.md) ----------------------------------
# Largest question file POST /api/questions/import/ and import_questions accept.
QUESTION_IMPORT_MAX_BYTES = _env(env.int, "QUESTION_IMPORT_MAX_BYTES", 50 * 1024 * 1024)
# Above this size an API import runs as a background job (202); below, the answer is the report.
QUESTION_IMPORT_ASYNC_BYTES = _env(env.int, "QUESTION_IMPORT_ASYNC_BYTES", 1024 * 1024)
# Above this many questions an API export runs as a background job (202).
QUESTION_EXPORT_ASYNC_QUESTIONS = _env(env.int, "QUESTION_EXPORT_ASYNC_QUESTIONS", 2000)

# --- Exam logistics --------------------------------------------------------------------
# Attendance can be marked from this many minutes before a session starts until it ends.
ATTENDANCE_OPEN_MINUTES_BEFORE = _env(env.int, "ATTENDANCE_OPEN_MINUTES_BEFORE", 60)

# --- Question papers (docs/questions.md, release) -------------------------------------------
# The master key of this node's question documents: from the environment, or made on the
# first start in DATA_DIR/keys/question_master_key (like SECRET_KEY; never in backups). At HQ
# it encrypts every set document's key and derives the release codes: keep a copy.
QUESTION_MASTER_KEY = _signing_key("QUESTION_MASTER_KEY", "question_master_key")
# A release is refused earlier than this many minutes before the session starts (a guard
# against mistakes; the code is the security boundary).
QUESTION_RELEASE_LEAD_MINUTES = _env(env.int, "QUESTION_RELEASE_LEAD_MINUTES", 60)
# This many wrong codes within the window lock a session's release at a center for the window.
QUESTION_RELEASE_MAX_FAILURES = _env(env.int, "QUESTION_RELEASE_MAX_FAILURES", 5)
QUESTION_RELEASE_LOCK_MINUTES = _env(env.int, "QUESTION_RELEASE_LOCK_MINUTES", 15)

# --- Uploads and files ----------------------------------------------------------------
MEDIA_ROOT = Path(_env(env.str, "MEDIA_ROOT", str(DATA_DIR / "media")))
MEDIA_URL = "/media/"
STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
# Static files are served by the application itself (WhiteNoise, right after
# SecurityMiddleware) from STATIC_ROOT, filled by `manage.py collectstatic`. In production
# the files get content-hashed names (cached for a year by browsers) and gzip copies;
# a page naming a file `collectstatic` has not collected is then an error, so run it after
# every install and upgrade. In development (DEBUG=True) WhiteNoise reads them from the apps.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
if DEBUG:
    # In development WhiteNoise serves the apps' files directly (its finders), so a STATIC_ROOT
    # not collected yet is normal; in production its warning stays (collectstatic forgotten).
    warnings.filterwarnings("ignore", message=r"No directory at: ", category=UserWarning)
# Large spreadsheet uploads go to a temporary file, not memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
MAX_IMAGE_UPLOAD_BYTES = _env(env.int, "MAX_IMAGE_UPLOAD_BYTES", 2 * 1024 * 1024)
MAX_IMAGE_PIXELS = _env(env.int, "MAX_IMAGE_PIXELS", 4000 * 4000)
# Figures attached to bank questions (apps/questions/bank): checked by content like photos.
MAX_QUESTION_IMAGE_BYTES = _env(env.int, "MAX_QUESTION_IMAGE_BYTES", 1024 * 1024)
MAX_IMPORT_UPLOAD_BYTES = _env(env.int, "MAX_IMPORT_UPLOAD_BYTES", 200 * 1024 * 1024)
# Question-paper documents uploaded by HQ (PDF or DOCX), stored encrypted.
MAX_PAPER_DOCUMENT_BYTES = _env(env.int, "MAX_PAPER_DOCUMENT_BYTES", 50 * 1024 * 1024)
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
SECURE_CONTENT_TYPE_NOSNIFF = True  # X-Content-Type-Options: nosniff
SECURE_REFERRER_POLICY = "same-origin"  # no path or query of ours sent to another site
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
HTTPS = _env(_strict_bool, "HTTPS", False)
# PLAIN_HTTP=True declares that this node is served over plain HTTP on purpose: a center on
# its own LAN, with no certificate to serve. See the block below.
PLAIN_HTTP = _env(_strict_bool, "PLAIN_HTTP", False)
if HTTPS and PLAIN_HTTP:
    raise ImproperlyConfigured(
        "Environment variables HTTPS and PLAIN_HTTP are invalid: set at most one of them to True"
    )
SILENCED_SYSTEM_CHECKS = []
if not DEBUG:
    # Secure cookies are only sent over HTTPS: on a declared plain-HTTP node they would make
    # every admin login fail, so there they default to off.
    SESSION_COOKIE_SECURE = _env(_strict_bool, "SECURE_COOKIES", not PLAIN_HTTP)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# --- HTTPS and Content-Security-Policy (docs/security.md) -------------------------------
# HTTPS=True declares that the site is served over HTTPS only: plain HTTP is redirected,
# browsers are told to use HTTPS (HSTS) and cookies are secure; `check --deploy` is then
# clean. Behind TRUSTED_PROXY_COUNT proxies, the proxy's X-Forwarded-Proto tells whether
# the client used HTTPS (the proxy must set it, overwriting the client's).
if HTTPS:
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^api/health/$"]  # a monitor on the host may probe over HTTP
    SECURE_HSTS_SECONDS = _env(env.int, "HSTS_SECONDS", 365 * 24 * 3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = _env(_strict_bool, "HSTS_INCLUDE_SUBDOMAINS", True)
    # Preloading commits the whole domain to HTTPS in browsers for months: opt in.
    SECURE_HSTS_PRELOAD = _env(_strict_bool, "HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS += ["security.W021"]  # "SECURE_HSTS_PRELOAD is not True": a choice
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    if TRUSTED_PROXY_COUNT:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    if SECURE_HSTS_SECONDS < 1:
        raise ImproperlyConfigured("Environment variable HSTS_SECONDS is invalid: it must be a positive number")
# A declared plain-HTTP node (PLAIN_HTTP=True) cannot redirect to HTTPS nor send HSTS (a
# browser ignores HSTS over HTTP, and a redirect would lead nowhere), and secure cookies would
# never be sent back. `check --deploy` warns about exactly these (W004 HSTS, W008 SSL
# redirect, W012/W016 secure cookies); they are silenced only on this explicit declaration,
# so a production node that forgot HTTPS=True still hears about it. What such a node relies
# on instead is its network: a closed exam-center LAN (docs/deployment.md).
if PLAIN_HTTP:
    SILENCED_SYSTEM_CHECKS += ["security.W004", "security.W008"]
    if not DEBUG and not SESSION_COOKIE_SECURE:
        SILENCED_SYSTEM_CHECKS += ["security.W012", "security.W016"]
# Content-Security-Policy (django-csp) on every response: scripts, images, fonts and
# connections from this server only, no plugins, no framing, forms post here. The admin and
# the Swagger UI (served by drf-spectacular-sidecar, its start-up script a file of its own)
# run no inline script; their inline <style> blocks need 'unsafe-inline' for styles only.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
# --- end of HTTPS and Content-Security-Policy --------------------------------------------

LANGUAGE_CODE = "en-us"
TIME_ZONE = _env(env.str, "TIME_ZONE", "Asia/Kolkata")
USE_I18N = True
USE_TZ = True

# --- Logging ----------------------------------------------------------------------------
# To the console (the service manager or the container keeps it). LOG_FORMAT=json writes one
# JSON object per line (python-json-logger), for a log collector; the default is plain text.
LOG_FORMAT = _env(env.str, "LOG_FORMAT", "text").strip().lower()
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured(f"Environment variable LOG_FORMAT is invalid: expected text or json, got {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", **({"formatter": "json"} if LOG_FORMAT == "json" else {})}
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"apps": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}

# --- Health check (/api/health/, exam_system/health.py) --------------------------------
# Below this many free bytes on the file system of DATA_DIR or of MEDIA_ROOT, the health
# check says `disk: error` (503): a sync package, a backup or an upload may then fail.
HEALTH_MIN_FREE_DISK_BYTES = _env(env.int, "HEALTH_MIN_FREE_DISK_BYTES", 1024 * 1024 * 1024)
if HEALTH_MIN_FREE_DISK_BYTES < 0:
    raise ImproperlyConfigured("Environment variable HEALTH_MIN_FREE_DISK_BYTES is invalid: it must be 0 or more")

TEST_RUNNER = "exam_system.test_runner.PytestRunner"
