from rest_framework import serializers
from rest_framework_simplejwt.serializers import PasswordField, TokenObtainPairSerializer

from apps.authentication.models import User
from apps.authentication.tokens import refresh_for_login
from apps.core.roles import CENTER_ROLES


class UserSummarySerializer(serializers.ModelSerializer):
    center_code = serializers.CharField(source="center.code", read_only=True, default=None)

    class Meta:
        model = User
        fields = ("id", "username", "role", "center", "center_code")
        read_only_fields = fields


class UserSerializer(serializers.ModelSerializer):
    password = serializers.CharField(
        write_only=True, required=False, style={"input_type": "password"}, trim_whitespace=False
    )

    class Meta:
        model = User
        fields = (
            "id",
            "username",
            "email",
            "first_name",
            "last_name",
            "role",
            "center",
            "is_active",
            "password",
            "last_login",
            "date_joined",
            "created_at",
            "updated_at",
            "origin",
            "version",
        )
        read_only_fields = ("id", "last_login", "date_joined", "created_at", "updated_at", "origin", "version")

    def validate(self, attrs):
        role = attrs.get("role", getattr(self.instance, "role", None))
        center = attrs.get("center", getattr(self.instance, "center", None))
        if role in CENTER_ROLES and center is None:
            raise serializers.ValidationError({"center": "A center manager or invigilator must belong to a center."})
        if role not in CENTER_ROLES and center is not None:
            raise serializers.ValidationError({"center": "Only center managers and invigilators belong to a center."})
        if self.instance is None and not attrs.get("password"):
            raise serializers.ValidationError({"password": "A password is required for a new user."})
        return attrs


class LoginSerializer(TokenObtainPairSerializer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A password is taken as typed, as when it was set (UserSerializer) and in the admin.
        self.fields["password"] = PasswordField(trim_whitespace=False)

    @classmethod
    def get_token(cls, user):
        return refresh_for_login(user)  # carries the login time that ends its rotation chain

    def validate(self, attrs):
        data = super().validate(attrs)
        data["user"] = UserSummarySerializer(self.user).data
        return data


class LoginResponseSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()
    user = UserSummarySerializer()


class LogoutSerializer(serializers.Serializer):
    refresh = serializers.CharField()
