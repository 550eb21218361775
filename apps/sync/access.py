"""Who may export and import which package (docs/architecture.md, roles), for the API and its jobs.

HQ staff (admin, exam_manager) everything; a center manager only its own center's
results package and packages addressed to its center; every other role nothing. The
views check before they run anything or start a job; a job's runner checks again with
the job's user (whose role or center may have changed meanwhile).
"""

from rest_framework import status

from apps.core.roles import Role
from apps.sync.package import RESULTS_PACKAGE
from utils.exceptions import ApplicationError

HQ_SYNC_ROLES = frozenset({Role.ADMIN, Role.EXAM_MANAGER})
SYNC_ROLES = HQ_SYNC_ROLES | {Role.CENTER_MANAGER}


def _denied(message: str) -> ApplicationError:
    return ApplicationError("permission_denied", message, status_code=status.HTTP_403_FORBIDDEN)


def sync_allowed(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.role in SYNC_ROLES)


def sync_access_check(user) -> None:
    """Raises ApplicationError (403) unless `user` may use sync at all."""
    if not sync_allowed(user):
        raise _denied("Your role does not allow sync operations.")


def export_access_check(*, user, kind: str, center) -> None:
    """Raises ApplicationError (403) unless `user` may export the `kind` package of
    `center`. A center manager is refused before a missing center is reported (404)."""
    sync_access_check(user)
    if user.role == Role.CENTER_MANAGER and (kind != RESULTS_PACKAGE or center is None or center.pk != user.center_id):
        raise _denied("A center manager may only export its own center's results package.")


def import_allowed_target(user) -> str | None:
    """The only addressee `user` may import packages for (None: any). Raises
    ApplicationError (403) for a user who may not import at all."""
    sync_access_check(user)
    if user.role != Role.CENTER_MANAGER:
        return None
    if user.center_id is None:
        raise _denied("A center manager without a center cannot import packages.")
    return user.center.code
