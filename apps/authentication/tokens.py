"""Refresh tokens: a rotation chain that ends, and revocation when a user's access changes.

* Each refresh token carries `auth_time`, the time of the login that began its chain. A
  rotation copies it, and the new token expires at the earlier of its own lifetime and
  `auth_time + REFRESH_TOKEN_LIFETIME` (JWT_REFRESH_DAYS): rotating never outlives the
  login, so a stolen token is good for one login's lifetime at most.
* A rotated token is blacklisted exactly once: of two refreshes with the same token, one
  gets the new pair and the other 401.
* `revoke_refresh_tokens(user)` blacklists every refresh token a user still holds; the
  User model calls it when the password, `is_active`, the role or the center changes.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.serializers import TokenRefreshSerializer
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

AUTH_TIME_CLAIM = "auth_time"


def refresh_for_login(user) -> RefreshToken:
    """The refresh token of a new login: its chain starts now."""
    token = RefreshToken.for_user(user)
    token[AUTH_TIME_CLAIM] = token["iat"]
    return token


def chain_end(token: RefreshToken) -> int:
    """The epoch second after which no token of this login's chain is valid."""
    started = token.get(AUTH_TIME_CLAIM, token["iat"])  # tokens from before auth_time existed
    return int(started + api_settings.REFRESH_TOKEN_LIFETIME.total_seconds())


def revoke_refresh_tokens(user) -> int:
    """Blacklist every unexpired refresh token `user` holds; the number blacklisted."""
    pending = OutstandingToken.objects.filter(
        user=user, expires_at__gt=timezone.now(), blacklistedtoken__isnull=True
    ).only("id")
    return len(
        BlacklistedToken.objects.bulk_create([BlacklistedToken(token=t) for t in pending], ignore_conflicts=True)
    )


class RefreshSerializer(TokenRefreshSerializer):
    """simplejwt's rotation, ending at the chain's end; a missing user is 401, not 500."""

    def validate(self, attrs):
        refresh = self.token_class(attrs["refresh"])  # signature, expiry and blacklist
        user = _active_user(refresh.payload.get(api_settings.USER_ID_CLAIM))
        if user is None:
            raise AuthenticationFailed(self.error_messages["no_active_account"], "no_active_account")
        end = chain_end(refresh)
        _blacklist, first = refresh.blacklist()
        if not first:  # a concurrent refresh with the same token got there first
            raise TokenError("Token is blacklisted")
        refresh.set_jti()
        refresh.set_iat()
        refresh.set_exp()
        refresh["exp"] = min(refresh["exp"], end)
        access = refresh.access_token
        access["exp"] = min(access["exp"], end)
        refresh.outstand()
        return {"access": str(access), "refresh": str(refresh)}


def _active_user(user_id):
    if not user_id:
        return None
    User = get_user_model()
    try:
        user = User.objects.filter(**{api_settings.USER_ID_FIELD: user_id}).first()
    except (ValidationError, ValueError):
        return None
    return user if user is not None and api_settings.USER_AUTHENTICATION_RULE(user) else None
