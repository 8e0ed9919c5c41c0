"""POST /api/v1/auth/token/ (username, password -> token, expires) and DELETE (revoke)."""

from __future__ import annotations

from django.contrib.auth import authenticate
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import AuthenticationFailed, NotAuthenticated
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from guanai.accounts import services as accounts
from guanai.accounts.roles import user_role

from . import tokens
from .base import BearerAuthentication
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
        raw, token = tokens.issue_token(user=user, request=request._request)
        return Response({"token": raw, "expires": token.expires_at})

    @extend_schema(request=None, responses={204: None, 401: OpenApiResponse()})
    def delete(self, request):
        if user_role(request.user) is None:
            raise NotAuthenticated()
        if request.auth is not None and hasattr(request.auth, "pk"):
            tokens.revoke(user=request.user, token=request.auth)
        else:  # a session (the site's own page): revoke every token of the user
            tokens.revoke(user=request.user, all_of_user=True)
        return Response(status=status.HTTP_204_NO_CONTENT)
