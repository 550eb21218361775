"""Django admin of the questions app: one module per part, imported here so Django finds them."""

from apps.questions.bank import admin as bank_admin  # noqa: F401
from apps.questions.papers import admin as papers_admin  # noqa: F401
from apps.questions.release import admin as release_admin  # noqa: F401
