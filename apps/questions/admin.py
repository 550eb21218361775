"""The questions app's admin pages, one module per part."""

from apps.questions.papers import admin as papers_admin  # noqa: F401
