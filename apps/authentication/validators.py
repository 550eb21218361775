"""Password validators added to Django's (AUTH_PASSWORD_VALIDATORS): they run for every
password set through the API, the admin and the commands (validate_password)."""

from django.core.exceptions import ValidationError


class NotBlankPasswordValidator:
    """A password of spaces (eight of them pass Django's length check) is no password."""

    def validate(self, password, user=None):
        if not password.strip():
            raise ValidationError("This password is only whitespace.", code="password_blank")

    def get_help_text(self):
        return "Your password can't be only spaces."


class MinimumDistinctCharactersValidator:
    """`aaaaaaaa` or `abababab` is as weak as it looks, however long."""

    def __init__(self, min_distinct: int = 4):
        self.min_distinct = min_distinct

    def validate(self, password, user=None):
        if len(set(password)) < self.min_distinct:
            raise ValidationError(
                f"This password has fewer than {self.min_distinct} different characters.",
                code="password_too_uniform",
            )

    def get_help_text(self):
        return f"Your password must contain at least {self.min_distinct} different characters."
