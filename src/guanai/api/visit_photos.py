"""A visit's photos and signature, sent after the visit (the offline form queues them with it):
multipart, through care.services.add_visit_photos (same checks, resizing, EXIF removal, audit)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from guanai.areas.scoping import scope_queryset
from guanai.care import services as care
from guanai.care.models import Visit

from . import idempotency
from .base import validation_response
from .views import ERROR, IDEMPOTENCY, VISIT_ROLES
from .views_base import ApiView

PhotosInput = inline_serializer("VisitPhotosInput", {
    "photos": serializers.ListField(child=serializers.FileField(), required=False, help_text="照片（可多张）"),
    "signature": serializers.FileField(required=False, help_text="对象签字（PNG）"),
    "keep_location": serializers.BooleanField(required=False, help_text="保留照片的拍摄位置（默认删除）"),
})
PhotosOutput = inline_serializer("VisitPhotos", {
    "visit": serializers.IntegerField(),
    "photos": serializers.ListField(child=inline_serializer("VisitPhoto", {
        "id": serializers.IntegerField(), "kind": serializers.CharField(), "width": serializers.IntegerField(),
        "height": serializers.IntegerField(), "location_kept": serializers.BooleanField()})),
})


class VisitPhotos(ApiView):
    """走访照片和对象签字：为已保存的走访上传（multipart/form-data）。"""

    allowed_roles = VISIT_ROLES
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request={"multipart/form-data": PhotosInput}, parameters=[IDEMPOTENCY],
                   responses={201: PhotosOutput, 400: ERROR, 404: OpenApiResponse(description="走访不存在或不在范围内")})
    def post(self, request, pk: int):
        # Out of scope and missing are the same 404, before anything is read.
        visit = scope_queryset(Visit.objects.all(), request.user).filter(pk=pk).first()
        if visit is None:
            raise NotFound("走访记录不存在或您无权查看")
        photos = request.FILES.getlist("photos")
        signature = request.FILES.get("signature")
        keep = str(request.data.get("keep_location", "")).strip().lower() in ("1", "true", "on", "yes")
        return idempotency.once(request, lambda: self._add(request, visit, photos, signature, keep))

    def _add(self, request, visit, photos, signature, keep):
        try:
            stored = care.add_visit_photos(user=request.user, visit=visit, photos=photos, signature=signature,
                                           keep_location=keep)
        except ValidationError as exc:
            return validation_response(exc)
        return Response({"visit": visit.pk, "photos": [
            {"id": p.pk, "kind": p.kind, "width": p.width, "height": p.height, "location_kept": p.location_kept}
            for p in stored]}, status=status.HTTP_201_CREATED)
