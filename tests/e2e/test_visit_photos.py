"""A village worker records a visit on a phone with a photo taken sideways (with its GPS
position) and the recipient's signature drawn with a finger; the visit shows both."""

import io

from PIL import Image
from playwright.sync_api import expect

from .test_login import _login


def _phone_photo(path):
    image = Image.new("RGB", (4000, 3000), (90, 140, 200))
    exif = Image.Exif()
    exif[0x0112] = 6  # taken sideways
    exif[0x8825] = {1: "N", 2: (39.0, 54.0, 27.0), 3: "E", 4: (116.0, 23.0, 17.0)}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    path.write_bytes(out.getvalue())
    return path


def sign(page, selector):
    """A signature drawn across the pad: a zigzag stroke."""
    pad = page.locator(selector)
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    page.mouse.move(box["x"] + 30, box["y"] + 100)
    page.mouse.down()
    for step in range(1, 20):
        page.mouse.move(box["x"] + 30 + step * 12, box["y"] + 100 - (step % 5) * 15)
    page.mouse.up()


def test_a_visit_with_a_photo_and_a_signature_on_a_phone(browser, live_url, tmp_path):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    _login(page, live_url, "village")
    page.wait_for_selector("text=儿童主任/网格员工作台")
    # A child of the village, from the person list; the visit form opens with them chosen.
    page.goto(live_url + "/persons/")
    href = page.eval_on_selector_all("main a[href]", "links => links.map(a => a.getAttribute('href'))"
                                     ".find(h => /^\\/persons\\/\\d+\\/$/.test(h))")
    page.goto(live_url + "/care/visits/create/?person=" + href.split("/")[2])
    page.fill("#id_findings", "入户走访，拍照留存")
    # The camera input (capture) takes the photo; a thumbnail shows and another camera button appears.
    camera = page.locator("input[name=photos][capture]").last
    camera.set_input_files(str(_phone_photo(tmp_path / "IMG_2001.jpg")))
    expect(page.locator("img.visit-thumb")).to_have_count(1)
    expect(page.locator("input[name=photos][capture]")).to_have_count(2)
    sign(page, "canvas.signature-pad")  # the recipient signs with a finger across the pad
    expect(page.get_by_text("已签字")).to_be_visible()
    page.screenshot(path=str(tmp_path / "visit-form-photo-phone.png"), full_page=True)
    page.click("main button[type=submit]")
    page.wait_for_selector("text=已保存对")
    photo = page.locator("img.visit-photo")
    expect(photo).to_have_count(1)
    signature = page.locator("img.visit-signature")
    expect(signature).to_be_visible()
    # Both images load through their scoped URL; the photo is upright and at most 1600 px.
    photo.scroll_into_view_if_needed()
    page.wait_for_function("() => [...document.querySelectorAll('img.visit-photo, img.visit-signature')]"
                           ".every((img) => img.complete && img.naturalWidth > 0)")
    size = page.evaluate("() => { const i = document.querySelector('img.visit-photo');"
                         " return [i.naturalWidth, i.naturalHeight]; }")
    assert size == [1200, 1600]
    page.screenshot(path=str(tmp_path / "visit-detail-phone.png"), full_page=True)
    context.close()
