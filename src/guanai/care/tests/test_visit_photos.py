"""Visit photos and the recipient's signature: what is stored (resized, upright, without the
location), who may add them, and that a bad image refuses the whole visit."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from guanai.audit.models import AuditEvent
from guanai.care import services
from guanai.care.models import Visit, VisitPhoto
from guanai.care.tests.helpers import person

VILLAGE = "990101001001"
GPS = {1: "N", 2: (39.0, 54.0, 27.0), 3: "E", 4: (116.0, 23.0, 17.0)}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def jpeg(size=(3000, 2000), *, gps=True, orientation=6, name="IMG_0001.jpg") -> SimpleUploadedFile:
    """A phone photo: taken sideways (orientation 6), with its maker, time and GPS position."""
    image = Image.new("RGB", size, (180, 120, 60))
    exif = Image.Exif()
    exif[0x010F] = "GuanaiTestPhone"  # Make
    exif[0x0132] = "2026:11:30 09:00:00"  # DateTime
    exif[0x0112] = orientation
    if gps:
        exif[0x8825] = GPS
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes(), quality=90)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def signature_png(blank=False) -> bytes:
    image = Image.new("RGBA", (600, 240), (0, 0, 0, 0))  # the pad's transparent canvas
    if not blank:
        for x in range(100, 500):
            image.putpixel((x, 120 + (x % 40) - 20), (0, 0, 0, 255))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _visit(user, recipient, **kwargs):
    return services.create_visit(user=user, person=recipient, visit_date=timezone.localdate(), mode="home",
                                 findings="入户走访，孩子在家写作业", **kwargs)


def _stored(photo: VisitPhoto) -> Image.Image:
    with photo.image.open("rb") as handle:
        data = handle.read()
    assert b"GuanaiTestPhone" not in data  # no trace of the original's metadata
    return Image.open(io.BytesIO(data))


def test_a_phone_photo_is_stored_upright_resized_and_without_its_location(users):
    child = person(users["village"], "王小花", VILLAGE)
    visit = _visit(users["village"], child, photos=[jpeg()])
    photo = visit.photos.get()
    stored = _stored(photo)
    assert stored.format == "JPEG"
    assert stored.size == (1067, 1600)  # 3000×2000 taken sideways: upright, the longer side 1600
    assert (photo.width, photo.height) == stored.size
    exif = stored.getexif()
    assert not exif.get_ifd(0x8825) and 0x8825 not in exif and 0x010F not in exif
    assert photo.area_id == VILLAGE and photo.uploaded_by == users["village"] and not photo.location_kept
    event = AuditEvent.objects.filter(object_type="care.visit", object_id=str(visit.pk), user=users["village"],
                                      detail__startswith="添加走访照片1张").get()
    assert "拍摄位置已删除" in event.detail


def test_the_location_is_kept_only_when_asked_and_nothing_else_of_the_exif(users):
    child = person(users["village"], "李小明", VILLAGE)
    visit = _visit(users["village"], child, photos=[jpeg(size=(1200, 800), orientation=1)], keep_location=True)
    photo = visit.photos.get()
    exif = _stored(photo).getexif()
    gps = exif.get_ifd(0x8825)
    assert gps[1] == "N" and [float(v) for v in gps[2]] == [39.0, 54.0, 27.0]
    assert 0x010F not in exif and 0x0132 not in exif
    assert photo.location_kept and (photo.width, photo.height) == (1200, 800)  # small enough: not enlarged


def test_a_signature_is_stored_and_a_refusal_is_noted(users):
    child = person(users["village"], "张小军", VILLAGE)
    signed = _visit(users["village"], child, signature=signature_png())
    sign = signed.photos.get()
    assert sign.kind == VisitPhoto.SIGNATURE and sign.content_type == "image/png"
    assert _stored(sign).mode == "L"  # grey on white: transparency would print black
    refused = _visit(users["village"], child, signature_declined=True, signature_note="老人不识字，按手印不便")
    assert refused.signature_declined and refused.signature_note == "老人不识字，按手印不便"
    assert not refused.photos.exists()


@pytest.mark.parametrize("kwargs,field,message", [
    ({"photos": [SimpleUploadedFile("说明.txt", b"not an image")]}, "photos", "第1张照片“说明.txt”不是JPG、PNG或WebP图片"),
    ({"signature": signature_png(blank=True)}, "signature", "签名为空"),
    ({"signature": signature_png(), "signature_declined": True}, "signature", "不能同时保存签名"),
])
def test_a_bad_image_refuses_the_whole_visit(users, kwargs, field, message):
    child = person(users["village"], "赵小红", VILLAGE)
    before = Visit.objects.count(), VisitPhoto.objects.count()
    with pytest.raises(ValidationError) as err:
        _visit(users["village"], child, **kwargs)
    assert message in " ".join(err.value.message_dict[field])
    assert (Visit.objects.count(), VisitPhoto.objects.count()) == before


def test_photos_added_later_by_the_visitor_and_refused_to_others(users):
    child = person(users["village"], "钱小宝", VILLAGE)
    visit = _visit(users["village"], child)
    added = services.add_visit_photos(user=users["village"], visit=visit, photos=[jpeg(), jpeg(orientation=1)],
                                      signature=signature_png())
    assert sorted(p.kind for p in added) == ["photo", "photo", "signature"]
    with pytest.raises(ValidationError, match="已有对象签字"):
        services.add_visit_photos(user=users["village"], visit=visit, signature=signature_png())
    with pytest.raises(ValidationError, match="您无权为此走访添加照片"):
        services.add_visit_photos(user=users["volunteer"], visit=visit, photos=[jpeg()])  # not theirs
    with pytest.raises(ValidationError, match="最多保存12张照片"):
        services.add_visit_photos(user=users["village"], visit=visit, photos=[jpeg(size=(40, 30))] * 11)
    assert visit.photos.count() == 3


def _signature_data_url() -> str:
    import base64

    return "data:image/png;base64," + base64.b64encode(signature_png()).decode()


def test_the_visit_form_takes_photos_and_a_signature_and_serves_them_only_in_scope(users, client_for):
    from guanai.accounts import roles
    from guanai.accounts.models import User

    child = person(users["village"], "孙小雨", VILLAGE)
    client = client_for("village")
    response = client.post("/care/visits/create/", {
        "person": child.pk, "visit_date": timezone.localdate().isoformat(), "mode": "home", "findings": "孩子在家",
        "photos": [jpeg(), jpeg(orientation=1, name="IMG_0002.jpg")], "signature": _signature_data_url()})
    assert response.status_code == 302, response.content.decode()
    visit = Visit.objects.get(person=child)
    photos = list(visit.photos.order_by("kind", "pk"))
    assert [p.kind for p in photos] == ["photo", "photo", "signature"]
    page = client.get(f"/care/visits/{visit.pk}/").content.decode()
    for photo in photos:
        assert f"/care/visits/photos/{photo.pk}/" in page
        served = client.get(f"/care/visits/photos/{photo.pk}/")
        assert served.status_code == 200 and served["Content-Type"] == photo.content_type
    # A village worker of another village, and a volunteer not on the visit: the same 404 as a missing photo.
    other = User.objects.create_user("village_other", password="x", role=roles.VILLAGE, area_id="990101002001")
    client.force_login(other)
    assert client.get(f"/care/visits/photos/{photos[0].pk}/").status_code == 404
    assert client_for("volunteer").get(f"/care/visits/photos/{photos[0].pk}/").status_code == 404
    assert client_for("village").get("/care/visits/photos/999999/").status_code == 404


def test_the_visit_form_notes_a_refusal_to_sign(users, client_for):
    child = person(users["village"], "周小龙", VILLAGE)
    response = client_for("village").post("/care/visits/create/", {
        "person": child.pk, "visit_date": timezone.localdate().isoformat(), "mode": "home",
        "signature_declined": "on", "signature_note": "家长外出，孩子年幼"})
    assert response.status_code == 302
    visit = Visit.objects.get(person=child)
    assert "对象未签字：家长外出，孩子年幼" in client_for("village").get(f"/care/visits/{visit.pk}/").content.decode()


def test_the_offline_form_its_worker_and_the_wipe_on_logout(users, client_for):
    from django.test import Client

    for username in ("village", "volunteer"):
        page = client_for(username).get("/care/offline/")
        assert page.status_code == 200 and 'rel="manifest"' in page.content.decode()
    # Staff over a county have too many persons for a phone: the ordinary form is theirs.
    assert client_for("county").get("/care/offline/").status_code == 403
    worker = Client().get("/care/sw.js")  # code, no data: fetched for updates whoever is signed in
    assert worker.status_code == 200 and worker["Content-Type"].startswith("text/javascript")
    assert "/care/offline/" in worker.content.decode() and "/static/guanai/offline.js" in worker.content.decode()
    logout = client_for("village").post("/accounts/logout/")
    assert logout.status_code == 302 and logout["Clear-Site-Data"] == '"cache", "storage"'
