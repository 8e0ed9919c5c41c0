"""POST /api/v1/auth/token/ (username, password -> token, expires) and DELETE (revoke)."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.db import transaction
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import AuthenticationFailed, NotAuthenticated, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from guanai.accounts import services as accounts
from guanai.accounts.roles import user_role
from guanai.core.idempotency import KEY_LENGTH, claim, forget_old, remember

from . import idempotency, tokens
from .base import BearerAuthentication
from .models import ApiToken
from .views_base import ApiView


class Credentials(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=200, trim_whitespace=False)


TokenOut = inline_serializer("Token", {"token": serializers.CharField(), "expires": serializers.DateTimeField()})


class TokenView(ApiView):
    """获取接口令牌（与登录页同样的错误次数锁定），或吊销当前令牌。"""

    permission_classes = [AllowAny]  # POST is the door; DELETE checks its own authentication
    authentication_classes = [BearerAuthentication, SessionAuthentication]

    @classmethod
    def as_view(cls, **initkwargs):
        view = super().as_view(**initkwargs)
        view.login_required = False  # anyone may ask for a token: the password is the check
        return view

    def get_authenticators(self):
        # Asking for a token with a stale one in the header must still work.
        if self.request is not None and self.request.method == "POST":
            return []
        return super().get_authenticators()

    def get_authenticate_header(self, request):
        return 'Bearer realm="guanai"'  # a failed password is a 401, as a failed token

    @extend_schema(request=Credentials, responses={200: TokenOut, 400: OpenApiResponse(), 401: OpenApiResponse()},
                   auth=[])
    def post(self, request):
        data = Credentials(data=request.data)
        data.is_valid(raise_exception=True)
        username, password = data.validated_data["username"], data.validated_data["password"]
        user = authenticate(request._request, username=username, password=password)
        if user is None or user_role(user) is None:
            minutes = accounts.locked_minutes(username)
            if minutes:
                raise AuthenticationFailed(f"登录失败次数过多，账号已锁定，请{minutes}分钟后再试")
            raise AuthenticationFailed("用户名或密码错误")
        key = request.headers.get(idempotency.HEADER, "").strip()
        if not key:
            raw, token = tokens.issue_token(user=user, request=request._request)
            return Response({"token": raw, "expires": token.expires_at})
        return self._issue_once(request, user, key)

    def _issue_once(self, request, user, key: str) -> Response:
        """With an ``Idempotency-Key`` (nginx re-sends such a POST to the other web process when
        the first died before answering): one live token per key. The raw token is stored
        nowhere, so a repeat cannot hand the first one out again: it revokes it (nobody got it)
        and issues a fresh one, answering as the first would have."""
        if len(key) > KEY_LENGTH:
            raise ValidationError({idempotency.HEADER: [f"幂等键过长，最多{KEY_LENGTH}个字符"]})
        endpoint = f"api:{request.path}"
        with transaction.atomic():
            forget_old(user)
            entry, mine = claim(user, key, endpoint)
            if not mine and entry.endpoint != endpoint[:200]:
                return Response({"detail": "此幂等键已用于另一请求，未重复保存"}, status=status.HTTP_409_CONFLICT)
            earlier = None if mine else ApiToken.objects.filter(pk=entry.result.get("token_id") or 0).first()
            if earlier is not None:
                tokens.revoke(user=user, token=earlier)
            raw, token = tokens.issue_token(user=user, request=request._request)
            remember(entry, {"status": 200, "token_id": token.pk})
        response = Response({"token": raw, "expires": token.expires_at})
        if not mine:
            response["Idempotent-Replayed"] = "true"
        return response

    @extend_schema(request=None, responses={204: None, 401: OpenApiResponse()})
    def delete(self, request):
        if user_role(request.user) is None:
            raise NotAuthenticated()
        if request.auth is not None and hasattr(request.auth, "pk"):
            tokens.revoke(user=request.user, token=request.auth)
        else:  # a session (the site's own page): revoke every token of the user
            tokens.revoke(user=request.user, all_of_user=True)
        return Response(status=status.HTTP_204_NO_CONTENT)
