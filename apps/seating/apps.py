from django.apps import AppConfig


class SeatingConfig(AppConfig):
    """Seating (HQ-owned): allocation of centers, rooms, seats and paper sets; admit cards; attendance sheets."""

    name = "apps.seating"
    label = "seating"
    default_auto_field = "django.db.models.BigAutoField"
