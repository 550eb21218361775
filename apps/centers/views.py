from apps.centers import selectors, services
from apps.centers.filters import CenterFilter, RoomFilter
from apps.centers.serializers import CenterSerializer, RoomSerializer
from apps.core.roles import Role
from apps.core.scoping import HQ_STAFF, ScopedModelViewSet

CENTER_READERS = frozenset({Role.CENTER_MANAGER, Role.INVIGILATOR})


class CenterViewSet(ScopedModelViewSet):
    """Exam centers. HQ staff write; center staff read their own center only."""

    serializer_class = CenterSerializer
    read_roles = CENTER_READERS
    write_roles = HQ_STAFF
    filterset_class = CenterFilter
    search_fields = ["code", "name", "city", "state"]
    ordering_fields = ["code", "name", "city", "state", "created_at", "capacity_total"]
    ordering = ["code"]

    def get_base_queryset(self):
        return selectors.center_list()

    def perform_create(self, serializer):
        serializer.instance = services.center_create(**serializer.validated_data)
        serializer.instance = self.get_queryset().get(pk=serializer.instance.pk)

    def perform_update(self, serializer):
        services.center_update(center=serializer.instance, data=serializer.validated_data)
        serializer.instance = self.get_queryset().get(pk=serializer.instance.pk)

    def perform_destroy(self, instance):
        services.center_delete(center=instance)


class RoomViewSet(ScopedModelViewSet):
    """Rooms of a center, each with a seating grid. Filter with `?center=`."""

    serializer_class = RoomSerializer
    read_roles = CENTER_READERS
    write_roles = HQ_STAFF
    filterset_class = RoomFilter
    search_fields = ["code", "name", "center__code"]
    ordering_fields = ["code", "name", "capacity", "floor", "created_at"]
    ordering = ["center__code", "code"]

    def get_base_queryset(self):
        return selectors.room_list()

    def perform_create(self, serializer):
        serializer.instance = services.room_create(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.room_update(room=serializer.instance, data=serializer.validated_data)

    def perform_destroy(self, instance):
        services.room_delete(room=instance)
