import django_filters

from apps.centers.models import Center, Room


class CenterFilter(django_filters.FilterSet):
    class Meta:
        model = Center
        fields = ["city", "state", "is_active", "code"]


class RoomFilter(django_filters.FilterSet):
    class Meta:
        model = Room
        fields = ["center", "is_accessible", "floor"]
