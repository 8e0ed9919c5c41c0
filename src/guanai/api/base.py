"""What every API view shares (named in settings.REST_FRAMEWORK): bearer and session
authentication, the role check the pages make (``allowed_roles``, deny by default), cursor
pagination, rate limits per token, Chinese JSON errors. The view base is in views_base.py
(DRF's APIView reads these settings when it is imported)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle

from guanai.accounts.access import may_use
from guanai.accounts.roles import user_role

from . import tokens

NOT_FOUND = "记录不存在或您无权查看"


class BearerAuthentication(BaseAuthentication):
    """``Authorization: Bearer <token>`` with a token from POST /api/v1/auth/token/."""

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != b"bearer":
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("令牌格式错误：应为“Authorization: Bearer <令牌>”"))
        try:
            raw = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("令牌无效或已过期，请重新获取令牌")) from None
        token = tokens.token_for(raw)
        if token is None:
            raise exceptions.AuthenticationFailed(_("令牌无效或已过期，请重新获取令牌"))
        return token.user, token

    def authenticate_header(self, request):
        return 'Bearer realm="guanai"'


class RolePermission(BasePermission):
    """The view's ``allowed_roles``, as ``accounts.access.may_use`` reads them for pages."""

    message = "您的角色无权使用此接口"

    def has_permission(self, request, view):
        if user_role(request.user) is None:
            raise exceptions.NotAuthenticated(_("请先获取令牌（Authorization: Bearer <令牌>）或登录"))
        return may_use(request.user, type(view))  # reads the class's allowed_roles, as for a page


class TokenRateThrottle(SimpleRateThrottle):
    """Requests per token (per session user when there is no token): DRF's throttling."""

    scope = "token"

    def __init__(self):
        from django.core.cache import caches

        self.cache = caches["api"]  # the database: every process counts the same requests
        super().__init__()

    def get_rate(self):
        from django.conf import settings

        return settings.GUANAI_API_RATE

    def get_cache_key(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
        token = request.auth
        ident = f"t{token.pk}" if token is not None and hasattr(token, "pk") else f"u{request.user.pk}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


class Cursor(CursorPagination):
    """Stable under inserts and without deep-offset cost; ``page_size`` is clamped to 200."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = "-pk"
    invalid_cursor_message = "翻页游标无效"


def _errors_of(exc: DjangoValidationError) -> dict:
    if hasattr(exc, "error_dict"):
        return {field: [str(msg) for err in errs for msg in err.messages] for field, errs in exc.error_dict.items()}
    return {"non_field_errors": [str(m) for m in exc.messages]}


def error_body(detail: str, errors: dict | None = None) -> dict:
    body = {"detail": detail}
    if errors:
        body["errors"] = errors
    return body


def validation_response(exc: DjangoValidationError, rename: dict | None = None) -> Response:
    errors = _errors_of(exc)
    if rename:
        errors = {rename.get(k, k): v for k, v in errors.items()}
    first = next((msgs[0] for msgs in errors.values() if msgs), "提交的数据有误")
    return Response(error_body(first, errors), status=status.HTTP_400_BAD_REQUEST)


# Chinese answers whatever the client's Accept-Language.
MESSAGES = {
    exceptions.NotAuthenticated: "请先获取令牌（Authorization: Bearer <令牌>）或登录",
    exceptions.PermissionDenied: "您的角色无权使用此接口",
    exceptions.NotFound: NOT_FOUND,
    exceptions.MethodNotAllowed: "不支持此请求方法",
    exceptions.ParseError: "请求内容不是有效的JSON",
    exceptions.UnsupportedMediaType: "请以JSON（Content-Type: application/json）提交",
    exceptions.NotAcceptable: "无法以所请求的格式返回",
}


def exception_handler(exc, context):
    from rest_framework.views import exception_handler as drf_exception_handler  # imports these settings

    if isinstance(exc, DjangoValidationError):
        return validation_response(exc)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) if _is_chinese(str(exc)) else NOT_FOUND)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(exc, exceptions.Throttled):
        wait = int(exc.wait or 1)
        response.data = error_body(f"请求过于频繁，请{wait}秒后再试")
    elif isinstance(exc, exceptions.ValidationError):
        errors = data if isinstance(data, dict) else {"non_field_errors": data}
        response.data = error_body(_first_message(errors) or "提交的数据有误", errors)
    elif isinstance(exc, exceptions.AuthenticationFailed):
        response.data = error_body(str(exc.detail))
    elif isinstance(exc, exceptions.NotFound) and str(exc.detail) not in ("Not found.", "未找到。"):
        response.data = error_body(str(exc.detail))
    else:
        for kind, message in MESSAGES.items():
            if isinstance(exc, kind):
                custom = str(exc.detail)
                # DRF's own (translated) default says less than ours.
                own = _is_chinese(custom) and custom != str(kind.default_detail) and kind is not exceptions.ParseError
                response.data = error_body(custom if own else message)
                break
        else:
            response.data = error_body(str(data.get("detail", "请求有误")) if isinstance(data, dict) else "请求有误")
    return response


def _is_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _first_message(errors) -> str:
    if isinstance(errors, dict):
        for key, value in errors.items():
            found = _first_message(value)
            if found:
                return found if key in ("non_field_errors",) or not isinstance(key, str) else f"{key}：{found}"
    elif isinstance(errors, list):
        for value in errors:
            found = _first_message(value)
            if found:
                return found
    elif errors:
        return str(errors)
    return ""
