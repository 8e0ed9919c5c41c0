"""Photos and signatures of visits and activities are children in their homes: on disk (and in
backups, on the shared storage folder) they are sealed under the field key, read back whole
through scope, and moved to a new key by `guanai rotate-field-key`."""

import io

import pytest
from django.core.management import call_command
from PIL import Image

from guanai.care.models import Visit, VisitPhoto
from guanai.care.tests.helpers import person
from guanai.care.tests.test_visit_photos import VILLAGE, _visit, jpeg
from guanai.core import uploads

NEW_KEY = "a new field key for the photos test, long enough"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _disk(photo: VisitPhoto) -> bytes:
    with open(photo.image.path, "rb") as handle:
        return handle.read()


def _served(client, photo: VisitPhoto) -> bytes:
    response = client.get(f"/care/visits/photos/{photo.pk}/")
    assert response.status_code == 200
    return response.content


def test_a_visit_photo_is_sealed_on_disk_and_served_as_the_image(users, client_for):
    visit = _visit(users["village"], person(users["village"], "林小禾", VILLAGE), photos=[jpeg()])
    photo = visit.photos.get()
    on_disk = _disk(photo)
    assert on_disk.startswith(b"GUANAI-SEALED-2\n")
    assert b"\xff\xd8\xff" not in on_disk[:64] and b"JFIF" not in on_disk  # no JPEG in clear
    served = _served(client_for("village"), photo)
    assert Image.open(io.BytesIO(served)).size == (photo.width, photo.height)


def test_a_photo_stored_before_sealing_is_still_served_and_rotation_seals_it(users, client_for):
    visit = _visit(users["village"], person(users["village"], "林小溪", VILLAGE), photos=[jpeg()])
    photo = visit.photos.get()
    plain = _served(client_for("village"), photo)
    with open(photo.image.path, "wb") as handle:  # as a photo kept by an earlier release
        handle.write(plain)
    assert _served(client_for("village"), photo) == plain
    call_command("rotate_field_key", stdout=io.StringIO())
    assert _disk(photo).startswith(b"GUANAI-SEALED-2\n")
    assert _served(client_for("village"), photo) == plain


def test_a_new_key_keeps_old_photos_readable_and_rotation_moves_them(users, client_for, settings):
    visit = _visit(users["village"], person(users["village"], "林小川", VILLAGE), photos=[jpeg()])
    photo = Visit.objects.get(pk=visit.pk).photos.get()
    before = _served(client_for("village"), photo)
    old_id, old_key = settings.FIELD_KEY_ID, settings.FIELD_ENCRYPTION_KEY
    settings.FIELD_OLD_KEYS = {old_id: old_key}
    settings.FIELD_ENCRYPTION_KEY, settings.FIELD_KEY_ID = NEW_KEY, old_id + 1
    assert uploads.sealed_key_id(photo.image.path) == old_id
    assert _served(client_for("village"), photo) == before  # read under the old key
    out = io.StringIO()
    call_command("rotate_field_key", stdout=out)
    assert "照片" in out.getvalue()
    assert uploads.sealed_key_id(photo.image.path) == old_id + 1
    settings.FIELD_OLD_KEYS = {}  # the old key may go once the rotation reports nothing left
    assert _served(client_for("village"), photo) == before
    # Run again: nothing left to move.
    assert uploads.reseal_stored_files()[0] == 0


def test_a_tampered_photo_is_refused_not_served(users, client_for):
    visit = _visit(users["village"], person(users["village"], "林小山", VILLAGE), photos=[jpeg()])
    photo = visit.photos.get()
    data = bytearray(_disk(photo))
    data[-5] ^= 0xFF
    with open(photo.image.path, "wb") as handle:
        handle.write(bytes(data))
    response = client_for("village").get(f"/care/visits/photos/{photo.pk}/")
    assert response.status_code == 404 and b"JFIF" not in response.content
