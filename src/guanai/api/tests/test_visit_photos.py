"""Photos and the signature of a visit sent after it (the offline form's second request)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from guanai.areas.scoping import scope_queryset
from guanai.care.models import Visit, VisitPhoto
from guanai.registry.models import Person


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _jpeg(name="IMG_1.jpg"):
    image = Image.new("RGB", (2400, 1800), (10, 120, 60))
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (30.0, 1.0, 2.0), 3: "E", 4: (110.0, 3.0, 4.0)}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def _signature():
    image = Image.new("RGBA", (300, 100), (0, 0, 0, 0))
    for x in range(20, 280):
        image.putpixel((x, 50), (0, 0, 0, 255))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return SimpleUploadedFile("signature.png", out.getvalue(), content_type="image/png")


def _visit(users, api_for, **extra):
    person = scope_queryset(Person.objects.filter(status=Person.ACTIVE), users["village"]).order_by("pk").first()
    body = {"person": person.pk, "household": None, "visit_date": str(timezone.localdate()), "mode": "home",
            "findings": "离线记录", "aid_items": [], **extra}
    response = api_for("village").post("/api/v1/visits/", body, format="json", HTTP_IDEMPOTENCY_KEY="v-1")
    assert response.status_code == 201, response.content.decode()
    return Visit.objects.get(pk=response.json()["id"])


def test_photos_and_signature_are_stored_once_without_their_location(users, api_for):
    visit = _visit(users, api_for)
    client = api_for("village")
    url = f"/api/v1/visits/{visit.pk}/photos/"
    first = client.post(url, {"photos": [_jpeg(), _jpeg("IMG_2.jpg")], "signature": _signature()},
                        format="multipart", HTTP_IDEMPOTENCY_KEY="v-1-photos")
    assert first.status_code == 201, first.content.decode()
    assert sorted(p["kind"] for p in first.json()["photos"]) == ["photo", "photo", "signature"]
    # The phone lost the answer and sends again: the same answer, nothing stored twice.
    again = client.post(url, {"photos": [_jpeg(), _jpeg("IMG_2.jpg")], "signature": _signature()},
                        format="multipart", HTTP_IDEMPOTENCY_KEY="v-1-photos")
    assert again.status_code == 201 and again.json() == first.json()
    assert visit.photos.count() == 3
    photo = visit.photos.filter(kind=VisitPhoto.PHOTO).first()
    with photo.image.open("rb") as handle:
        stored = Image.open(io.BytesIO(handle.read()))
    assert stored.size == (1600, 1200) and not stored.getexif().get_ifd(0x8825)


def test_a_refusal_to_sign_comes_with_the_visit(users, api_for):
    visit = _visit(users, api_for, signature_declined=True, signature_note="对象拒绝签字")
    assert visit.signature_declined and visit.signature_note == "对象拒绝签字"
    response = api_for("village").post(f"/api/v1/visits/{visit.pk}/photos/", {"signature": _signature()},
                                       format="multipart")
    assert response.status_code == 400
    assert response.json()["errors"]["signature"] == ["此次走访已记录对象拒绝签字，不能再添加签名"]


def test_bad_photos_and_foreign_visits(users, api_for):
    visit = _visit(users, api_for)
    client = api_for("village")
    bad = client.post(f"/api/v1/visits/{visit.pk}/photos/",
                      {"photos": [SimpleUploadedFile("a.jpg", b"not a photo")]}, format="multipart")
    assert bad.status_code == 400 and bad.json()["detail"] == "第1张照片“a.jpg”不是JPG、PNG或WebP图片"
    assert not visit.photos.exists()
    # The volunteer is not on this visit; the county may see it but did not make it — both as the pages.
    assert api_for("volunteer").post(f"/api/v1/visits/{visit.pk}/photos/", {"photos": [_jpeg()]},
                                     format="multipart").status_code == 404
    assert client.post("/api/v1/visits/99999999/photos/", {"photos": [_jpeg()]},
                       format="multipart").status_code == 404
