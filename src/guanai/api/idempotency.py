"""``Idempotency-Key`` on every create: a retried request (the phone lost the answer) gets the
first answer again and creates nothing. The claims are core.idempotency's store."""

from __future__ import annotations

import json

from django.db import transaction
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from guanai.core import idempotency

HEADER = "Idempotency-Key"


def once(request, create) -> Response:
    """Run ``create()`` (returning a Response) once per (user, Idempotency-Key). Inside one
    transaction with the claim: a failed create drops the claim, so the corrected request
    may use the key again."""
    key = request.headers.get(HEADER, "").strip()
    if len(key) > idempotency.KEY_LENGTH:
        raise ValidationError({"Idempotency-Key": [f"幂等键过长，最多{idempotency.KEY_LENGTH}个字符"]})
    if not key:
        with transaction.atomic():
            return create()
    endpoint = f"api:{request.path}"
    with transaction.atomic():
        idempotency.forget_old(request.user)
        entry, mine = idempotency.claim(request.user, key, endpoint)
        if not mine:
            if entry.endpoint != endpoint[:200] or "body" not in entry.result:
                return Response({"detail": "此幂等键已用于另一请求，未重复保存"}, status=status.HTTP_409_CONFLICT)
            response = Response(entry.result["body"], status=entry.result["status"])
            response["Idempotent-Replayed"] = "true"
            return response
        response = create()
        if response.status_code < 300:
            body = json.loads(JSONRenderer().render(response.data))
            idempotency.remember(entry, {"status": response.status_code, "body": body})
        else:
            transaction.set_rollback(True)
        return response
