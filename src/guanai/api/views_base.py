"""The base of every API view."""

from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.views import APIView

from guanai.core.validation import parse_pk


class ApiView(APIView):
    """Base of every API view. ``allowed_roles`` as on the pages: a view that declares none
    is refused to everyone but the admin."""

    allowed_roles: frozenset | tuple | None = None

    @classmethod
    def as_view(cls, **initkwargs):
        view = super().as_view(**initkwargs)
        # Read by accounts.middleware (the API answers 401/403 itself, in JSON, never a
        # redirect to the login page) and by the scope harness (every view declares roles).
        view.authenticates_itself = True
        # DRF marks its views login_not_required (for Django's LoginRequiredMiddleware); ours are
        # not public: the scope harness walks them as every role.
        view.login_required = True
        if cls.allowed_roles is not None:
            view.allowed_roles = frozenset(cls.allowed_roles)
        return view

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        for name, values in request.query_params.lists():
            if any("\x00" in value for value in values):
                # No text column takes a NUL (PostgreSQL refuses it): a clear 400, for every parameter.
                raise ValidationError({name: ["查询参数含有不允许的控制字符（NUL）"]})
        pk = kwargs.get("pk")
        if isinstance(pk, int) and parse_pk(pk) is None:
            # An id no column can hold is simply not there (PostgreSQL would refuse the query).
            raise NotFound("记录不存在或您无权查看")


class ReadForView:
    """A retrieve view whose record is read as its page reads it: ``for_view(user, pk)``, the app's
    selector, which scopes it (404 outside) and audits the sight of a full personal record."""

    for_view = None  # a staticmethod: (user, pk) -> the record

    def get_object(self):
        if self.for_view is None:
            return super().get_object()
        record = self.for_view(self.request.user, self.kwargs["pk"])
        self.check_object_permissions(self.request, record)
        return record
