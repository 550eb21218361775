"""The shared cast (STYLE.md): admin, exam_manager, paper_setter, manager_a and
invigilator_a of center A, manager_b of center B (never sees A's data), evaluator.

Also the fixed clock of time-dependent tests (`frozen_clock`, docs/testing.md)."""

import time

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.cache import cache
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from apps.core.roles import Role
from tests.clock import frozen_at
from tests.factories import CenterFactory, RoomFactory, UserFactory

# `migrate` creates the node's signing key when it is missing (apps/sync/firstboot.py).
# Not while pytest-django creates the test database: that would write a key into the
# real DATA_DIR. Tests that need a key create one in a temporary DATA_DIR (`node_key`,
# `hq_key`); tests/sync/test_node_key.py turns this back on to test it.
django_settings.NODE_KEY_ON_MIGRATE = False
REAL_DATA_DIR = django_settings.DATA_DIR  # before any test points it elsewhere
SUITE_STARTED = time.time()


# Tests asking for one of these fixtures depend on the clock: they get the `clock` marker,
# so CI runs them again with the machine's clock just before and after midnight.
CLOCK_FIXTURES = ("frozen_clock", "clock", "time_machine")


def pytest_collection_modifyitems(items):
    for item in items:
        names = getattr(item, "fixturenames", ())
        if "frozen_clock" in names:
            # Frozen before any other fixture, so every row the test builds is stamped in frozen time.
            names.remove("frozen_clock")
            names.insert(0, "frozen_clock")
        if any(name in names for name in CLOCK_FIXTURES):
            item.add_marker(pytest.mark.clock)


def _clear_cache():
    if django_settings.REDIS_URL:
        # Only this run's keys: CI gives each run its own prefix; never FLUSHDB a shared Redis.
        client = cache._cache.get_client(write=True)
        keys = list(client.scan_iter(match=f"{django_settings.CACHE_KEY_PREFIX}:*", count=1000))
        if keys:
            client.delete(*keys)
    else:
        cache.clear()


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    _clear_cache()
    yield
    _clear_cache()


@pytest.fixture
def frozen_clock():
    """The wall clock stopped at tests.clock.frozen_at() (the exam day, 14:00 local) for the
    whole test, its fixtures included. It is time-machine's traveller: `frozen_clock.move_to(
    local_moment(10, 30))` or `frozen_clock.shift(60)` moves it; it never moves by itself."""
    with time_machine.travel(frozen_at(), tick=False) as traveller:
        yield traveller


@pytest.fixture
def center_a(db):
    return CenterFactory(code="A01", name="Center A", city="Delhi")


@pytest.fixture
def center_b(db):
    return CenterFactory(code="B01", name="Center B", city="Mumbai")


@pytest.fixture
def room_a(center_a):
    return RoomFactory(center=center_a, code="RA1")


@pytest.fixture
def room_b(center_b):
    return RoomFactory(center=center_b, code="RB1")


@pytest.fixture
def admin(db):
    return UserFactory(username="admin", role=Role.ADMIN, is_staff=True, is_superuser=True)


@pytest.fixture
def exam_manager(db):
    return UserFactory(username="exam_manager", role=Role.EXAM_MANAGER, is_staff=True)


@pytest.fixture
def paper_setter(db):
    return UserFactory(username="paper_setter", role=Role.PAPER_SETTER, is_staff=True)


@pytest.fixture
def manager_a(center_a):
    return UserFactory(username="manager_a", role=Role.CENTER_MANAGER, center=center_a, is_staff=True)


@pytest.fixture
def invigilator_a(center_a):
    return UserFactory(username="invigilator_a", role=Role.INVIGILATOR, center=center_a)


@pytest.fixture
def manager_b(center_b):
    return UserFactory(username="manager_b", role=Role.CENTER_MANAGER, center=center_b, is_staff=True)


@pytest.fixture
def evaluator(db):
    return UserFactory(username="evaluator", role=Role.EVALUATOR)


@pytest.fixture
def cast(admin, exam_manager, paper_setter, manager_a, invigilator_a, manager_b, evaluator):
    return {
        "admin": admin,
        "exam_manager": exam_manager,
        "paper_setter": paper_setter,
        "manager_a": manager_a,
        "invigilator_a": invigilator_a,
        "manager_b": manager_b,
        "evaluator": evaluator,
    }


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def client_for():
    """`client_for(user)` -> an APIClient carrying a real JWT access token for `user`."""

    def make(user):
        client = APIClient()
        if user is not None:
            token = RefreshToken.for_user(user).access_token
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        return client

    return make


@pytest.fixture
def run_worker(monkeypatch):
    """Run every queued background job in this thread, as `db_worker --batch` would."""
    from django_tasks_db.management.commands import db_worker
    from django_tasks_db.management.commands.db_worker import Worker

    # The worker loop closes "old" connections, which would close the test's own
    # connection inside its transaction (fatal on PostgreSQL).
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    return worker.run
