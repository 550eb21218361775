"""Django admin of the questions app: one module per part, imported here so Django finds them."""

import apps.questions.bank.admin  # noqa: F401
