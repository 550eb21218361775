"""Which subject an imported question goes into, and whether the importer may put it there.

The file's category path names the subject first (Moodle's top category, GIFT's
`$CATEGORY:`, the template's `subject` column), matched to a subject's code or name without
regard to case. A subject that does not exist is created when an admin imports (its code
made from the name: `Organic Chemistry` -> `ORGANIC-CHEMISTRY`), and is an error naming the
category for anyone else. A paper setter imports only into the subjects assigned to them.
An explicit subject (`--subject`, the API's `subject`) overrides the file's categories.
"""

import re
import uuid

from apps.core.roles import Role
from apps.questions.models import SetterAssignment, Subject
from utils.exceptions import ApplicationError

_NOT_CODE = re.compile(r"[^A-Za-z0-9_-]+")


def find_subject(value) -> Subject | None:
    """A subject by itself, its id, its code or its name (case-insensitive)."""
    if isinstance(value, Subject):
        return value
    text = str(value or "").strip()
    if not text:
        return None
    try:
        return Subject.objects.filter(pk=uuid.UUID(text)).first()
    except ValueError:
        pass
    return Subject.objects.filter(code__iexact=text).first() or Subject.objects.filter(name__iexact=text).first()


def _new_code(name: str) -> str:
    base = _NOT_CODE.sub("-", name).strip("-_").upper()[:28] or "SUBJECT"
    code, n = base, 1
    while Subject.objects.filter(code__iexact=code).exists():
        n += 1
        code = f"{base}-{n}"
    return code


class SubjectResolver:
    def __init__(self, *, user, override=None, dry_run: bool = False):
        self.user = user
        self.dry_run = dry_run
        self.is_admin = user.role == Role.ADMIN
        self.assigned = (
            None
            if self.is_admin
            else set(SetterAssignment.objects.filter(user=user).values_list("subject_id", flat=True))
        )
        self.created: list[str] = []
        self._cache: dict[str, tuple[Subject | None, str]] = {}
        self.override = None
        if override not in (None, ""):
            subject = find_subject(override)
            if subject is None:
                raise ApplicationError("unknown_subject", f"There is no subject {override!s}.")
            if not self._may_use(subject):
                raise ApplicationError(
                    "subject_not_assigned", f"You are not assigned to the subject {subject.code}.", status_code=403
                )
            self.override = subject

    def _may_use(self, subject: Subject) -> bool:
        return self.is_admin or subject.pk in self.assigned

    def _matches_override(self, name: str) -> bool:
        return name.casefold() in (self.override.code.casefold(), self.override.name.casefold())

    def resolve(self, name: str | None, *, what: str) -> tuple[Subject | None, str]:
        """(subject, "") or (None, the reason the question cannot go anywhere)."""
        if self.override is not None:
            return self.override, ""
        if not name:
            return None, f"The question names no {what}; give the subject to import into."
        key = name.casefold()
        if key not in self._cache:
            self._cache[key] = self._lookup(name, what)
        return self._cache[key]

    def resolve_path(self, parts: list[str]) -> tuple[Subject | None, str, str]:
        """(subject, problem, topic) for a category path split into its parts."""
        if self.override is not None:
            rest = parts[1:] if parts and self._matches_override(parts[0]) else parts
            return self.override, "", "/".join(rest)
        if not parts:
            return None, "The question is in no category; give the subject to import into.", ""
        subject, problem = self.resolve(parts[0], what="category")
        return subject, problem, "/".join(parts[1:])

    def _lookup(self, name: str, what: str) -> tuple[Subject | None, str]:
        subject = find_subject(name)
        if subject is None:
            if not self.is_admin:
                return None, f"The {what} {name!r} names no subject of the bank (an admin's import would create it)."
            subject = Subject(code=_new_code(name), name=name[:200])
            if not self.dry_run:
                subject.save()
            self.created.append(subject.code)
            return subject, ""
        if not self._may_use(subject):
            return None, f"You are not assigned to the subject {subject.code} ({what} {name!r})."
        return subject, ""
