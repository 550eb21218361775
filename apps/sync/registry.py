"""Which models travel in packages, who owns them, and which rows go to which center.

Every synced model is registered once, with one call, from its own app's `sync.py`
(discovered by `apps.sync.apps.SyncConfig.ready`, after all models are loaded; sync
imports no feature app):

    register(Attendance, owner=CENTER, center_path="candidate__center_id")

* `owner` decides conflicts (docs/architecture.md, identity): rows of an HQ-owned model are applied only
  when they come from HQ; rows of a center-owned model only when they come from the
  center that the row belongs to (found through `center_path`).
* `center_path` is the ORM lookup from the model to the id of "its" center. For an
  HQ-owned model it selects the rows of a center package; for a center-owned model it
  selects the rows of a results package and proves ownership on import.
* `select` overrides the default selection when a lookup path is not enough (exams a
  center holds, the center's staff accounts, HQ's public key).
* `media` maps each FileField whose files travel (under `media/` in the package) to the
  folder its files are stored in: `media={"photo": "candidates/photos"}`. An incoming row
  whose file name lies outside that folder, or names a file the package does not carry
  (and that is not already this row's file here), is a conflict.
* `exclude` names fields that stay on the node (never exported, never overwritten).

Import order is computed from foreign keys between registered models (parents first),
so registration order does not matter.

Apps also say what sync cannot know by itself:

* `register_results_guard(guard)`: `guard(center)` names what makes a results package
  of `center` premature now (a session in progress), or returns None. Exports refuse
  while any guard objects, unless forced.
* `register_exam_scope(scope)`: `scope(center)` lists the exam codes a package about
  `center` concerns (written into its manifest).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.db import models
from django.db.models import QuerySet

HQ = "hq"
CENTER = "center"

Selector = Callable[[object, datetime | None], QuerySet]
# (center id, incoming rows as {attname: value}, database alias) -> {row id: reason refused}
OwnerProof = Callable[[object, list[dict], str], dict[str, str]]


@dataclass
class SyncSpec:
    model: type[models.Model]
    owner: str
    center_path: str | None = None
    select: Selector | None = None
    media: dict[str, str] = field(default_factory=dict)
    exclude: tuple[str, ...] = ()
    proves_owner: OwnerProof | None = None
    label: str = field(init=False)

    def __post_init__(self):
        self.label = self.model._meta.label

    def fields(self) -> list[models.Field]:
        """The concrete fields that travel (primary key first)."""
        return [f for f in self.model._meta.concrete_fields if f.name not in self.exclude]

    def rows_for(self, center, since: datetime | None) -> QuerySet:
        """Rows of this model that belong in a package about `center`, changed after `since`."""
        if self.select is not None:
            qs = self.select(center, since)
        elif self.center_path is not None:
            qs = self.model._base_manager.filter(**{self.center_path: center.pk})
        else:
            raise ValueError(f"{self.label}: register it with center_path or select.")
        if since is not None:
            qs = qs.filter(updated_at__gt=since)
        return qs.order_by("pk")


_registry: dict[str, SyncSpec] = {}


def register(
    model: type[models.Model],
    *,
    owner: str,
    center_path: str | None = None,
    select: Selector | None = None,
    media: dict[str, str] | None = None,
    exclude: tuple[str, ...] = (),
    proves_owner: OwnerProof | None = None,
) -> SyncSpec:
    """Add `model` to packages (or replace its registration). See the module docstring."""
    if owner not in (HQ, CENTER):
        raise ValueError(f"owner must be {HQ!r} or {CENTER!r}")
    if owner == CENTER and (center_path is None or proves_owner is None):
        raise ValueError(
            "A center-owned model needs center_path (which center a row is about) and proves_owner "
            "(how the receiver's own records prove that a row belongs to the sending center)."
        )
    spec = SyncSpec(
        model=model,
        owner=owner,
        center_path=center_path,
        select=select,
        media={name: folder.strip("/") for name, folder in (media or {}).items()},
        exclude=exclude,
        proves_owner=proves_owner,
    )
    _registry[spec.label] = spec
    return spec


def unregister(model: type[models.Model]) -> None:
    _registry.pop(model._meta.label, None)


def get(label: str) -> SyncSpec | None:
    return _registry.get(label)


def specs(owner: str | None = None) -> list[SyncSpec]:
    """Registered models in dependency order (parents before children)."""
    ordered = dependency_order([s.model for s in _registry.values()])
    result = [_registry[m._meta.label] for m in ordered]
    return [s for s in result if owner is None or s.owner == owner]


def dependency_order(model_list: list[type[models.Model]]) -> list[type[models.Model]]:
    """Sort models so every model comes after the models its foreign keys point to.

    Self references and cycles are tolerated (the cycle is broken by name order): the
    importer checks references row by row anyway.
    """
    pending = {m._meta.label: m for m in sorted(model_list, key=lambda m: m._meta.label)}
    deps = {}
    for label, model in pending.items():
        targets = set()
        for f in model._meta.concrete_fields:
            if f.is_relation and f.related_model is not None:
                target = f.related_model._meta.concrete_model._meta.label
                if target != label and target in pending:
                    targets.add(target)
        deps[label] = targets
    ordered: list[type[models.Model]] = []
    done: set[str] = set()
    while pending:
        ready = [label for label in pending if deps[label] <= done]
        if not ready:  # a cycle: take the first remaining model
            ready = [next(iter(pending))]
        for label in ready:
            ordered.append(pending.pop(label))
            done.add(label)
    return ordered


# --- what feature apps tell sync about packages ----------------------------------------


@dataclass(frozen=True)
class Objection:
    """Why a results package should not be written now: a code and a message."""

    code: str
    message: str


ResultsGuard = Callable[[object], Objection | None]
ExamScope = Callable[[object], list[str]]

_results_guards: list[ResultsGuard] = []
_exam_scopes: list[ExamScope] = []


def register_results_guard(guard: ResultsGuard) -> ResultsGuard:
    if guard not in _results_guards:
        _results_guards.append(guard)
    return guard


def results_objections(center) -> list[Objection]:
    """What the registered guards object to a results package of `center` now."""
    return [o for guard in _results_guards if (o := guard(center)) is not None]


def register_exam_scope(scope: ExamScope) -> ExamScope:
    if scope not in _exam_scopes:
        _exam_scopes.append(scope)
    return scope


def exam_scope(center) -> list[str]:
    """The exam codes a package about `center` concerns, sorted."""
    return sorted({code for scope in _exam_scopes for code in scope(center)})
