"""The roles of docs/architecture.md, roles. They sit in core because the one scoping mechanism
(`apps.core.scoping`) decides by role; `authentication.User` stores one."""

from django.db import models


class Role(models.TextChoices):
    ADMIN = "admin", "Administrator (HQ)"
    EXAM_MANAGER = "exam_manager", "Exam manager (HQ)"
    PAPER_SETTER = "paper_setter", "Paper setter (HQ)"
    CENTER_MANAGER = "center_manager", "Center manager"
    INVIGILATOR = "invigilator", "Invigilator"
    EVALUATOR = "evaluator", "Evaluator"


HQ_ROLES = frozenset({Role.ADMIN, Role.EXAM_MANAGER, Role.PAPER_SETTER})
CENTER_ROLES = frozenset({Role.CENTER_MANAGER, Role.INVIGILATOR})
