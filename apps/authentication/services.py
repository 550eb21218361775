from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from apps.authentication.models import User
from apps.core.roles import CENTER_ROLES, Role
from apps.core.services import synced_delete, synced_save, update_fields_from
from utils.exceptions import Conflict

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


def check_access_change(*, user: User, role: str, is_active: bool, actor: User | None = None) -> None:
    """Refuse (409) what would leave the system without an admin or let a user change their
    own access: nobody changes their own role or deactivates themselves, and the last active
    admin stays an active admin. Call inside the transaction that makes the change."""
    stored = User.objects.filter(pk=user.pk).values_list("role", "is_active").first()
    if stored is None or stored == (role, is_active):
        return
    if actor is not None and actor.pk == user.pk:
        raise Conflict("self_change", "You cannot change your own role or deactivate yourself; another admin can.")
    was_admin = stored == (Role.ADMIN, True)
    if was_admin and (role, is_active) != (Role.ADMIN, True):
        _refuse_if_last_admin(user, "demote or deactivate")


def is_last_active_admin(user: User) -> bool:
    """Whether `user` is the only active admin (a read, for pages that hide what is refused)."""
    admins = User.objects.filter(role=Role.ADMIN, is_active=True).values_list("pk", flat=True)[:2]
    return list(admins) == [user.pk]


def _refuse_if_last_admin(user: User, what: str) -> None:
    # Lock every active admin (one order: no deadlock), so that two admins demoting each
    # other at once cannot both see the other one left.
    admins = list(
        User.objects.select_for_update()
        .filter(role=Role.ADMIN, is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if admins == [user.pk]:
        raise Conflict("last_admin", f"You cannot {what} the last active admin: make another user an admin first.")


@transaction.atomic
def user_update(*, user: User, data: dict, actor: User | None = None) -> User:
    data = dict(data)
    password = data.pop("password", None)
    update_fields_from(user, data)
    apply_role_flags(user)
    check_access_change(user=user, role=user.role, is_active=user.is_active, actor=actor)
    _set_password(user, password)
    user.full_clean(exclude=["password"])
    return synced_save(user)


@transaction.atomic
def user_delete(*, user: User, actor: User | None = None) -> None:
    if actor is not None and actor.pk == user.pk:
        raise Conflict("self_delete", "You cannot delete your own account.")
    if user.role == Role.ADMIN and user.is_active:
        _refuse_if_last_admin(user, "delete")
    synced_delete(user)
