"""The one mechanism that narrows what a user may see, by role and center (docs/architecture.md, roles).

Two questions, answered in one place each:

* *May this role use this resource at all?*  `RoleAccess` reads the view's `read_roles`
  and `write_roles`; a role in neither gets 403.
* *Which rows may this user see?*  `scope_for(user, queryset)` applies the rule
  registered for the queryset's model. Rows outside it simply do not exist for the
  user, so a detail view answers 404 exactly as for a missing row.

Each app registers the rules for its models in its `scopes.py` (discovered at start-up
by `apps.core.apps.CoreConfig.ready`); a model with no rule shows nothing to anyone but an admin, so forgetting a
rule fails closed.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from rest_framework import permissions, viewsets

from apps.core.models import SyncedModel
from apps.core.roles import CENTER_ROLES, HQ_ROLES, Role
from apps.core.services import synced_delete, synced_save
from utils.exceptions import ApplicationError

ScopeRule = Callable[[object, QuerySet], QuerySet]
_rules: dict[type[Model], ScopeRule] = {}

ALL_ROLES = frozenset(Role)
HQ_STAFF = frozenset({Role.ADMIN, Role.EXAM_MANAGER})


def scope_rule(model: type[Model]):
    """Register the function that narrows `model` querysets for a non-admin user."""

    def register(rule: ScopeRule) -> ScopeRule:
        _rules[model] = rule
        return rule

    return register


def scope_for(user, queryset: QuerySet) -> QuerySet:
    """Narrow `queryset` to the rows `user` may see."""
    if user is None or not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.role == Role.ADMIN:
        return queryset
    rule = _rules.get(queryset.model)
    if rule is None:
        return queryset.none()
    return rule(user, queryset)


def center_scoped(center_path: str, *, hq_roles=HQ_ROLES) -> ScopeRule:
    """A rule for rows that belong to one center: HQ roles see all, center staff their own.

    `center_path` is the lookup from the model to the center's id, e.g. "center_id" or
    "room__center_id".
    """

    def rule(user, queryset):
        if user.role in hq_roles:
            return queryset
        if user.role in CENTER_ROLES and user.center_id:
            return queryset.filter(**{center_path: user.center_id})
        return queryset.none()

    return rule


class RoleAccess(permissions.BasePermission):
    """Allow a role to read when it is in the view's `read_roles` (or `write_roles`),
    and to write when it is in `write_roles`. Everything else is 403."""

    message = "Your role does not allow this."

    def has_permission(self, request, view):
        user = request.user
        if not user or not user.is_authenticated:
            return False
        write_roles = getattr(view, "write_roles", frozenset())
        if request.method in permissions.SAFE_METHODS:
            return user.role in write_roles or user.role in getattr(view, "read_roles", frozenset())
        return user.role in write_roles


class ScopedModelViewSet(viewsets.ModelViewSet):
    """A CRUD resource whose queryset always passes through `scope_for`.

    Subclasses set `read_roles`, `write_roles` and implement `get_base_queryset()`
    (normally a selector); they never filter by center themselves.
    """

    permission_classes = [permissions.IsAuthenticated, RoleAccess]
    read_roles: frozenset = frozenset()
    write_roles: frozenset = HQ_STAFF

    def get_base_queryset(self) -> QuerySet:
        raise NotImplementedError

    def get_queryset(self):
        return scope_for(self.request.user, self.get_base_queryset())


class ScopedAdmin(admin.ModelAdmin):
    """Django admin with the API's rules: role decides the verbs, `scope_for` the rows."""

    read_roles: frozenset = frozenset()
    write_roles: frozenset = HQ_STAFF

    def _role(self, request):
        user = request.user
        return getattr(user, "role", None) if user.is_active and user.is_staff else None

    def get_queryset(self, request):
        return scope_for(request.user, super().get_queryset(request))

    def has_module_permission(self, request):
        return self._role(request) in (self.read_roles | self.write_roles)

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return self._role(request) in self.write_roles

    def has_change_permission(self, request, obj=None):
        return self._role(request) in self.write_roles

    def has_delete_permission(self, request, obj=None):
        return self._role(request) in self.write_roles

    # Writes go through the app's services, the same functions the API and the commands
    # call, so an admin change obeys every rule they enforce and is stamped for sync.
    # Subclasses name them in `services`; without it a synced row is still stamped and
    # tombstoned (synced_save / synced_delete), never saved bare.
    services: "AdminServices | None" = None

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as exc:
            # A service refused what the form let through. The view's transaction has
            # rolled back, so nothing was written; say why on the same page.
            self.message_user(request, "Not saved: " + "; ".join(exc.messages), level=messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
        except ApplicationError as exc:
            # The same for a conflict (a duplicate person or session, ...): the API's 409.
            self.message_user(request, f"Not saved: {exc.message}", level=messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request, obj, form, change):
        if self.services is None:
            if isinstance(obj, SyncedModel):
                synced_save(obj)
            else:
                super().save_model(request, obj, form, change)
            return
        model_fields = {f.name for f in self.model._meta.get_fields()}
        names = form.changed_data if change else form.cleaned_data
        data = {name: form.cleaned_data[name] for name in names if name in model_fields}
        if change:
            stored = self.model._base_manager.get(pk=obj.pk)
            saved = self.services.update(stored, data, request.user)
        else:
            saved = self.services.create(data, request.user)
        # The admin goes on with `obj` (its log entry, the redirect): make it the saved row.
        obj.__dict__.update({k: v for k, v in saved.__dict__.items() if k != "_state"})
        obj._state.adding, obj._state.db = False, saved._state.db

    def delete_model(self, request, obj):
        if self.services is not None:
            self.services.delete(obj)
        elif isinstance(obj, SyncedModel):
            synced_delete(obj)
        else:
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


class ReadOnlyAdmin(ScopedAdmin):
    """Rows written only by services (logs, records): the admin shows them, never edits them."""

    write_roles = frozenset()

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@dataclass(frozen=True)
class AdminServices:
    """The services an admin writes through: `create(data, user)`, `update(stored, data,
    user)` (the row as stored and the changed fields) and `delete(obj)`."""

    create: Callable[[dict, object], Model]
    update: Callable[[Model, dict, object], Model]
    delete: Callable[[Model], None]


def scoped_or_404(user, queryset: QuerySet, **lookup) -> Model:
    """The one object of `queryset` matching `lookup` that `user` may see, or 404.

    "Not yours" and "missing" answer the same 404 (docs/architecture.md: objects a role must not
    know exist), and so does a malformed key: a client cannot tell them apart.
    """
    try:
        return get_object_or_404(scope_for(user, queryset), **lookup)
    except (ValidationError, ValueError, TypeError) as exc:
        raise Http404 from exc
