from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models

from apps.core.models import SyncedModel

code_validator = RegexValidator(r"^[A-Za-z0-9][A-Za-z0-9_-]*$", "Use letters, digits, '-' and '_' only (no spaces).")
phone_validator = RegexValidator(r"^\+?[0-9][0-9 -]{6,18}[0-9]$", "Enter a phone number of digits.")


class Center(SyncedModel):
    """An exam venue. `code` is the human key used on the command line and in packages."""

    code = models.CharField(max_length=32, unique=True, validators=[code_validator])
    name = models.CharField(max_length=200)
    address = models.TextField(blank=True)
    city = models.CharField(max_length=100, db_index=True)
    state = models.CharField(max_length=100, blank=True)
    contact_phone = models.CharField(max_length=20, blank=True, validators=[phone_validator])
    is_active = models.BooleanField(default=True)
    # How HQ (or `sync_results`) reaches this center's node over HTTP, when a link exists.
    # The secret is stored encrypted with a key derived from SECRET_KEY (apps/sync/credentials.py);
    # none of these three fields ever travels in a package.
    sync_url = models.URLField(
        blank=True, default="", help_text="Base URL of the center's node, e.g. http://10.0.0.5:8000"
    )
    sync_username = models.CharField(max_length=150, blank=True, default="")
    sync_secret = models.TextField(blank=True, default="", help_text="Encrypted password of sync_username")

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Room(SyncedModel):
    """A room of a center with a seating grid of `rows` x `columns`."""

    center = models.ForeignKey(Center, on_delete=models.PROTECT, related_name="rooms")
    code = models.CharField(max_length=32, validators=[code_validator])
    name = models.CharField(max_length=200, blank=True)
    capacity = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    rows = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    columns = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    floor = models.SmallIntegerField(default=0, help_text="0 is the ground floor.")
    is_accessible = models.BooleanField(
        default=False, help_text="Step-free access: seated first for candidates with a disability."
    )

    class Meta:
        ordering = ["center__code", "code"]
        constraints = [models.UniqueConstraint(fields=["center", "code"], name="room_code_unique_in_center")]

    def __str__(self) -> str:
        return f"{self.center.code}/{self.code}" if self.center_id else self.code

    def clean(self):
        super().clean()
        if self.capacity and self.rows and self.columns and self.capacity > self.rows * self.columns:
            raise ValidationError(
                {"capacity": f"Capacity {self.capacity} exceeds the {self.rows} x {self.columns} seating grid."}
            )
