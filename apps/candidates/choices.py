"""The fixed choices of candidate fields (the model and the one-value rules both use them)."""

from django.db import models


class Gender(models.TextChoices):
    MALE = "M", "Male"
    FEMALE = "F", "Female"
    OTHER = "O", "Other"


class CandidateStatus(models.TextChoices):
    REGISTERED = "registered", "Registered"
    ALLOCATED = "allocated", "Allocated"
    WITHDRAWN = "withdrawn", "Withdrawn"
