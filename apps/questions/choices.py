"""The fixed vocabularies of the question bank and question papers."""

from django.db import models


class QuestionType(models.TextChoices):
    SINGLE = "single", "Single correct option"
    MULTIPLE = "multiple", "One or more correct options"
    TRUE_FALSE = "true_false", "True or false"
    NUMERIC = "numeric", "Numeric answer"
    DESCRIPTIVE = "descriptive", "Descriptive (marked by evaluators)"


CHOICE_TYPES = frozenset({QuestionType.SINGLE, QuestionType.MULTIPLE, QuestionType.TRUE_FALSE})


class QuestionStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted for review"
    APPROVED = "approved", "Approved"
    RETIRED = "retired", "Retired"


class Difficulty(models.TextChoices):
    EASY = "easy", "Easy"
    MEDIUM = "medium", "Medium"
    HARD = "hard", "Hard"


class TextFormat(models.TextChoices):
    MARKDOWN = "markdown", "Markdown"
    HTML = "html", "HTML"


class PaperStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    FINAL = "final", "Final"


class DocumentKind(models.TextChoices):
    SET_PDF = "set_pdf", "Printable set (PDF, generated)"
    UPLOADED = "uploaded", "Uploaded paper document (PDF or DOCX)"


class ReleaseOutcome(models.TextChoices):
    RELEASED = "released", "Released"
    WRONG_CODE = "wrong_code", "Wrong code"
    MALFORMED = "malformed", "Malformed code (check character)"
    TOO_EARLY = "too_early", "Too early"
    LOCKED = "locked", "Locked after repeated wrong codes"
