from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, status
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.views import TokenRefreshView

from apps.authentication import lockout, services
from apps.authentication.models import User
from apps.authentication.serializers import (
    LoginResponseSerializer,
    LoginSerializer,
    LogoutSerializer,
    UserSerializer,
    UserSummarySerializer,
)
from apps.authentication.tokens import RefreshSerializer
from apps.core.roles import Role
from apps.core.scoping import ScopedModelViewSet


class PublicTokenView(APIView):
    """Base for the token endpoints: no authentication needed, but failures are 401."""

    permission_classes = [permissions.AllowAny]
    authentication_classes = []

    def get_authenticate_header(self, request):
        # Without an authenticator DRF would turn 401 into 403; say how to authenticate.
        return 'Bearer realm="api"'


class LoginView(PublicTokenView):
    """Exchange a username and password for an access and a refresh token.

    Repeated failures lock the username and the client address (apps/authentication/lockout.py):
    a locked login answers 429 with Retry-After, its password unchecked, whether it is right or not.
    """

    @extend_schema(
        request=LoginSerializer,
        responses={200: LoginResponseSerializer, 401: OpenApiResponse(description="Bad credentials"), 429: None},
    )
    def post(self, request):
        serializer = LoginSerializer(data=request.data, context={"request": request})
        try:
            serializer.is_valid(raise_exception=True)
        except AuthenticationFailed:
            if getattr(request, "axes_refused", False):
                return _too_many_attempts(lockout.retry_after(request, request.axes_credentials))
            raise
        return Response(serializer.validated_data)


def _too_many_attempts(retry_after: int) -> Response:
    response = Response(lockout.lockout_body(retry_after), status=status.HTTP_429_TOO_MANY_REQUESTS)
    response["Retry-After"] = str(retry_after)
    return response


class RefreshView(TokenRefreshView):
    """Exchange a refresh token for a new access token and a new (rotated) refresh token.
    The old refresh token is blacklisted. Rotation never outlives the login that began the
    chain (JWT_REFRESH_DAYS after it); a password, role, center or activity change revokes
    every refresh token of the user."""

    serializer_class = RefreshSerializer


class LogoutView(PublicTokenView):
    """Blacklist a refresh token so it can no longer be used."""

    @extend_schema(request=LogoutSerializer, responses={205: None, 401: OpenApiResponse(description="Invalid token")})
    def post(self, request):
        serializer = LogoutSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            RefreshToken(serializer.validated_data["refresh"]).blacklist()
        except TokenError as exc:
            raise InvalidToken(str(exc)) from exc
        return Response(status=status.HTTP_205_RESET_CONTENT)


class MeView(APIView):
    """The logged-in user."""

    @extend_schema(responses=UserSummarySerializer)
    def get(self, request):
        return Response(UserSummarySerializer(request.user).data)


class UserViewSet(ScopedModelViewSet):
    """User accounts (admins only). Passwords are validated and never returned."""

    serializer_class = UserSerializer
    read_roles = frozenset()
    write_roles = frozenset({Role.ADMIN})
    filterset_fields = ["role", "center", "is_active"]
    search_fields = ["username", "email", "first_name", "last_name"]
    ordering_fields = ["username", "role", "date_joined", "last_login"]
    ordering = ["username"]

    def get_base_queryset(self):
        return User.objects.select_related("center")

    def perform_create(self, serializer):
        serializer.instance = services.user_create(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.user_update(
            user=serializer.instance, data=serializer.validated_data, actor=self.request.user
        )

    def perform_destroy(self, instance):
        services.user_delete(user=instance, actor=self.request.user)
