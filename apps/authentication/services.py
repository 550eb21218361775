from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from apps.authentication.models import User
from apps.core.roles import CENTER_ROLES, Role
from apps.core.services import synced_delete, synced_save, update_fields_from

# Roles that may open the Django admin (each sees only what its scope allows there).
STAFF_ROLES = frozenset({Role.ADMIN, Role.EXAM_MANAGER, Role.PAPER_SETTER, Role.CENTER_MANAGER})


def apply_role_flags(user: User) -> None:
    user.is_staff = user.role in STAFF_ROLES
    user.is_superuser = user.role == Role.ADMIN
    if user.role not in CENTER_ROLES:
        user.center = None


def _set_password(user: User, password: str | None) -> None:
    if password is None:
        return
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": list(exc.messages)}) from exc
    user.set_password(password)


@transaction.atomic
def user_create(*, password: str | None = None, **data) -> User:
    """Create a user; the role decides admin-site access and whether a center is kept."""
    user = User(**data)
    apply_role_flags(user)
    if password is None:
        user.set_unusable_password()
    else:
        _set_password(user, password)
    user.full_clean(exclude=["password"])
    return synced_save(user)


@transaction.atomic
def user_update(*, user: User, data: dict) -> User:
    data = dict(data)
    password = data.pop("password", None)
    update_fields_from(user, data)
    apply_role_flags(user)
    _set_password(user, password)
    user.full_clean(exclude=["password"])
    return synced_save(user)


def user_delete(*, user: User) -> None:
    synced_delete(user)
