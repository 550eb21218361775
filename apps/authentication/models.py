from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models, router, transaction
from django.db.models import Value
from django.db.models.functions import Lower

from apps.core.models import SyncedModel
from apps.core.roles import CENTER_ROLES, HQ_ROLES, Role

USERNAME_TAKEN = "A user with that username already exists."


class ExamUserManager(UserManager):
    def get_by_natural_key(self, username):
        # Usernames are unique ignoring case, and logging in ignores case too: "Admin" is
        # "admin". LOWER() in SQL, as in the constraint (and its index).
        return self.alias(username_lower=Lower("username")).get(username_lower=Lower(Value(username)))

    def create_superuser(self, username, email=None, password=None, **extra_fields):
        # `createsuperuser` makes an HQ administrator.
        extra_fields.setdefault("role", Role.ADMIN)
        return super().create_superuser(username, email, password, **extra_fields)


class User(SyncedModel, AbstractUser):
    """A person who logs in. Center roles are bound to one center; HQ roles to none."""

    role = models.CharField(max_length=20, choices=Role.choices, default=Role.EVALUATOR, db_index=True)
    center = models.ForeignKey(
        "centers.Center",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        help_text="Required for center managers and invigilators; empty for every other role.",
    )

    objects = ExamUserManager()

    class Meta:
        ordering = ["username"]
        constraints = [
            # "DEMO_ADMIN" next to "demo_admin" would be two accounts a person cannot tell apart.
            models.UniqueConstraint(Lower("username"), name="user_username_unique_ignoring_case"),
            models.CheckConstraint(
                name="user_center_matches_role",
                condition=(
                    models.Q(role__in=[Role.CENTER_MANAGER, Role.INVIGILATOR], center__isnull=False)
                    | (~models.Q(role__in=[Role.CENTER_MANAGER, Role.INVIGILATOR]) & models.Q(center__isnull=True))
                ),
            ),
        ]

    def clean(self):
        super().clean()
        if self.username:
            same = type(self)._default_manager.alias(username_lower=Lower("username"))
            if same.filter(username_lower=Lower(Value(self.username))).exclude(pk=self.pk).exists():
                raise ValidationError({"username": USERNAME_TAKEN}, code="unique")
        if self.role in CENTER_ROLES and self.center_id is None:
            raise ValidationError({"center": "A center manager or invigilator must belong to a center."})
        if self.role not in CENTER_ROLES and self.center_id is not None:
            raise ValidationError({"center": "Only center managers and invigilators belong to a center."})

    # What a refresh token's holder was trusted with: when one of these changes, the user's
    # refresh tokens are revoked (apps/authentication/tokens.py), whoever saved the change
    # (API, admin, a command).
    CREDENTIAL_FIELDS = ("password", "is_active", "role", "center")

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        watched = not self._state.adding and (
            update_fields is None or bool(set(update_fields) & set(self.CREDENTIAL_FIELDS))
        )
        if not watched:
            return super().save(*args, **kwargs)
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        names = [self._meta.get_field(name).attname for name in self.CREDENTIAL_FIELDS]
        with transaction.atomic(using=using):
            before = type(self)._base_manager.using(using).filter(pk=self.pk).values_list(*names).first()
            super().save(*args, **kwargs)
            if before is not None and before != tuple(getattr(self, name) for name in names):
                # Imported here: simplejwt, which tokens.py uses, needs this model loaded first.
                from apps.authentication.tokens import revoke_refresh_tokens

                revoke_refresh_tokens(self)
        return None

    def validate_constraints(self, exclude=None):
        # The case-insensitive username constraint is checked by clean(), naming the field;
        # the only constraint on the username is that one.
        super().validate_constraints(exclude={*(exclude or ()), "username"})

    @property
    def is_hq(self) -> bool:
        return self.role in HQ_ROLES

    @property
    def is_center_staff(self) -> bool:
        return self.role in CENTER_ROLES
