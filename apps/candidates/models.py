import os

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, RegexValidator
from django.db import models
from uuid_utils.compat import uuid4

from apps.candidates import rules
from apps.candidates.choices import CandidateStatus, Gender
from apps.core.models import SyncedModel

phone_digits_validator = RegexValidator(r"^[0-9]{10,15}$", "Enter 10 to 15 digits.")


def _random_name(folder: str, filename: str) -> str:
    # Stored under a random name: the uploader's file name never reaches the disk.
    ext = os.path.splitext(filename)[1].lower() or ".bin"
    return f"{folder}/{uuid4().hex[:2]}/{uuid4().hex}{ext}"


PHOTO_FOLDER = "candidates/photos"
SIGNATURE_FOLDER = "candidates/signatures"


def photo_upload_to(instance, filename):
    return _random_name(PHOTO_FOLDER, filename)


def signature_upload_to(instance, filename):
    return _random_name(SIGNATURE_FOLDER, filename)


def category_codes() -> list[str]:
    return list(settings.CANDIDATE_CATEGORIES)


# The person's registration details: the columns of the import/export file, the admin
# form and the API share them (in this order).
PERSONAL_FIELDS = (
    "name",
    "father_name",
    "date_of_birth",
    "gender",
    "category",
    "pwd",
    "extra_time_minutes",
    "email",
    "phone",
    "address",
    "city",
    "state",
    "preferred_cities",
    "preferred_shifts",
)


class Candidate(SyncedModel):
    """A person registered for one exam. HQ owns candidates (docs/architecture.md, identity)."""

    exam = models.ForeignKey("exams.Exam", on_delete=models.PROTECT, related_name="candidates")
    roll_number = models.CharField(max_length=32)
    application_number = models.CharField(max_length=64, blank=True, default="")
    name = models.CharField(max_length=200)
    father_name = models.CharField(max_length=200, blank=True, default="")
    date_of_birth = models.DateField()
    gender = models.CharField(max_length=1, choices=Gender.choices)
    category = models.CharField(max_length=16, default="GEN")
    pwd = models.BooleanField("person with disability", default=False)
    extra_time_minutes = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(240)])
    email = models.EmailField(blank=True, default="")
    phone = models.CharField(max_length=15, blank=True, default="", validators=[phone_digits_validator])
    address = models.TextField(blank=True, default="")
    city = models.CharField(max_length=100, blank=True, default="", db_index=True)
    state = models.CharField(max_length=100, blank=True, default="")
    preferred_cities = models.JSONField(default=list, blank=True, help_text="City names, most preferred first.")
    preferred_shifts = models.JSONField(
        default=list,
        blank=True,
        help_text="For papers held in several shifts: dates (2026-12-01) or dates and start times "
        "(2026-12-01 14:00), most preferred first.",
    )
    photo = models.ImageField(upload_to=photo_upload_to, blank=True, default="")
    signature = models.ImageField(upload_to=signature_upload_to, blank=True, default="")
    center = models.ForeignKey(
        "centers.Center", on_delete=models.PROTECT, null=True, blank=True, related_name="candidates"
    )
    status = models.CharField(
        max_length=12, choices=CandidateStatus.choices, default=CandidateStatus.REGISTERED, db_index=True
    )

    class Meta:
        ordering = ["exam_id", "roll_number"]
        constraints = [
            models.UniqueConstraint(fields=["exam", "roll_number"], name="candidate_roll_unique_in_exam"),
            models.UniqueConstraint(
                fields=["exam", "application_number"],
                condition=~models.Q(application_number=""),
                name="candidate_application_unique_in_exam",
            ),
        ]
        indexes = [
            models.Index(fields=["exam", "status"], name="candidate_exam_status"),
            models.Index(fields=["center", "exam"], name="candidate_center_exam"),
            models.Index(fields=["name"], name="candidate_name"),
            # The unique constraint on application numbers is a partial index (non-empty
            # only), which SQLite cannot use for `application_number IN (...)`; imports
            # look candidates up by it, so it gets a plain index too.
            models.Index(fields=["exam", "application_number"], name="candidate_exam_application"),
        ]

    def __str__(self) -> str:
        return f"{self.roll_number} {self.name}"

    def clean(self):
        super().clean()
        errors = {}
        if self.category and self.category not in settings.CANDIDATE_CATEGORIES:
            allowed = ", ".join(settings.CANDIDATE_CATEGORIES)
            errors["category"] = f"'{self.category}' is not a category; use one of {allowed}."
        if self.date_of_birth:
            try:
                rules.check_birth_date(self.date_of_birth)
            except ValueError as exc:
                errors["date_of_birth"] = str(exc)
        try:
            self.preferred_cities = rules.parse_cities(self.preferred_cities or [])
        except ValueError as exc:
            errors["preferred_cities"] = str(exc)
        try:
            self.preferred_shifts = rules.parse_shifts(self.preferred_shifts or [])
        except ValueError as exc:
            errors["preferred_shifts"] = str(exc)
        if errors:
            raise ValidationError(errors)


class RollNumberCounter(models.Model):
    """The last roll-number sequence used per exam (HQ only; never travels).

    Generated roll numbers are `<EXAM CODE><sequence, 6 digits>`, e.g. EXAM2026000042.
    A block of numbers is reserved with one conditional UPDATE so concurrent imports
    never hand out the same number.
    """

    exam = models.OneToOneField("exams.Exam", on_delete=models.CASCADE, related_name="roll_counter")
    last_value = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.exam_id}: {self.last_value}"
