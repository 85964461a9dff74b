"""The customer's phone page in a real browser (headless Chromium at 390×844): served by the
devcloud after the sync daemon uploaded the photo, with a clip, expired, and by the kiosk's own
store-Wi-Fi server. Checked on the screenshot (the photo fills the screen above the fold) and
on the DOM (the piece, price, store contact and save controls as text)."""

from __future__ import annotations

import io
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import cv2
import httpx
import numpy as np
import pytest
from PIL import Image

from kiosk import config
from kiosk.catalog.brands import monogram
from kiosk.config import KioskConfig
from kiosk.share import page
from kiosk.share.brand import add_strip, photo_height
from kiosk.share.lan import LanShareServer
from kiosk.store import EventStore, shares
from tests import chromium
from tests.helpers.cloud import LiveCloud
from tests.helpers.shares import run

pytestmark = pytest.mark.slow     # the share page in headless Chromium

TRYON = Path(__file__).parent.parent / "fixtures" / "photos" / "tryon_landscape.jpg"
PIECES = "Kundan Gold Choker and Temple Gold Jhumka"
STORE = {"phone": "+91 80 4123 4567", "whatsapp": "+91 98123 45678",
         "address": "12 MG Road, Bengaluru 560001"}
ACCENT = "#7b1e3a"
GREEN = (40, 170, 40)


def branded_photo() -> bytes:
    return add_strip(TRYON.read_bytes(), "Abharana", f"{PIECES} · INR 183,900")


def expected_crop(jpeg: bytes, width: int = chromium.PHONE[0]) -> Image.Image:
    """What the page should show: the photo without its strip cut to 3:4 (a wide one around the
    centre, a tall one from the top), the width of the phone."""
    img = Image.open(io.BytesIO(jpeg)).convert("RGB")
    w, total = img.size
    h = photo_height(total)
    if w * 4 >= h * 3:
        cw = round(h * 3 / 4)
        box = ((w - cw) // 2, 0, (w - cw) // 2 + cw, h)
    else:
        box = (0, 0, w, round(w * 4 / 3))
    return img.crop(box).resize((width, round(width * 4 / 3)), Image.Resampling.LANCZOS)


def assert_photo_fills(shot: Image.Image, jpeg: bytes) -> None:
    assert shot.size == chromium.PHONE
    crop = expected_crop(jpeg)
    top, share = chromium.find_picture(shot, crop)
    assert top + crop.height <= shot.height, "the photo runs below the fold"
    assert share >= 0.5, f"the photo shows on only {share:.0%} of the phone's screen (top {top} px)"


def assert_store_contact(dom: str) -> None:
    assert "https://wa.me/919812345678?text=" in dom
    assert 'href="tel:+918041234567"' in dom and "Call +91 80 4123 4567" in dom
    assert STORE["address"] in dom and "google.com/maps/search/?api=1&amp;query=12%20MG%20Road" in dom


@pytest.fixture
def kiosk_cfg(make_config: Callable[..., Path], cloud: LiveCloud, tmp_path: Path) -> KioskConfig:
    (tmp_path / "logo.png").write_bytes(monogram("Abharana", ACCENT, 128))
    path = make_config(events_url=cloud.url, person_url=cloud.person_url, replace={
        'name = "Abharana"\n': f'name = "Abharana"\naccent = "{ACCENT}"\nlogo = "logo.png"\n',
        "[store]\n": "[store]\n" + "".join(f'{k} = "{v}"\n' for k, v in STORE.items())})
    path.write_text(path.read_text() + "\n[sync]\nretry_base_s = 0.05\nretry_max_s = 0.5\n")
    return config.load(path)


def share_photo(store: EventStore, jpeg: bytes, days: float = 7) -> shares.Share:
    return shares.create(store, session_id=str(uuid.uuid4()), jpeg=jpeg, link_days=days,
                         jewelry=("choker_gold", PIECES, 183900.0),
                         upload={"jeweler_name": "Abharana", "currency": "INR"})


def test_cloud_page_fills_the_phone_with_the_photo_and_names_piece_price_and_store(
        kiosk_cfg: KioskConfig, cloud: LiveCloud, tmp_path: Path) -> None:
    store = EventStore(kiosk_cfg.store.data_dir)
    jpeg = branded_photo()
    share = share_photo(store, jpeg)
    run(kiosk_cfg, store)              # the sync daemon uploads it with the store's details
    page_url = store.db.read("SELECT page_url FROM shares WHERE token = ?", (share.token,))[0][0]
    store.close()
    assert page_url and page_url.startswith(cloud.url)

    shot, dom = chromium.open_page(page_url, tmp_path / "page.png")
    assert_photo_fills(shot, jpeg)
    # The header carries the jeweler's colour across the top.
    assert shot.getpixel((chromium.PHONE[0] - 10, 5)) == (0x7b, 0x1e, 0x3a)
    chromium.save_for_readme(shot, "phone-page.png")
    assert f"<h1>{PIECES}</h1>" in dom and '<p class="price">INR 183,900</p>' in dom
    assert "<header><img src=\"data:image/png;base64," in dom and "<span>Abharana</span>" in dom
    assert_store_contact(dom)
    assert f'href="/s/{share.token}/photo.jpg" download="try-on.jpg">Download the photo' in dom
    assert "press and hold the photo to save it" in dom
    # Desktop Linux Chromium has no Web Share API: the share-sheet button stays hidden there (it
    # shows on iOS and Android, which have it) and the download link is the way.
    assert f'<button class="btn" hidden="" data-share="/s/{share.token}/photo.jpg"' in dom
    assert "<video" not in dom and "works only inside the store" not in dom


def vp9_clip(path: Path, colour: tuple[int, int, int] = GREEN) -> bytes:
    """A 2 s clip in an MP4 container (VP9: the H.264 encoder is not in OpenCV's wheel; the page
    and the devcloud treat every MP4 alike)."""
    out = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"vp09"), 15, (640, 360))
    assert out.isOpened(), "OpenCV cannot write VP9 here"
    frame = np.full((360, 640, 3), colour[::-1], np.uint8)
    for _ in range(30):
        out.write(frame)
    out.release()
    return path.read_bytes()


def upload(cloud: LiveCloud, jpeg: bytes, expires_at: float, clip: bytes | None = None,
           logo: str = "") -> dict[str, str]:
    """What the sync daemon posts (sync/clients/images.py), the clip part included."""
    fields = {"token": shares.new_token(), "expires_at": str(expires_at), "jeweler_name": "Abharana",
              "jewelry_name": PIECES, "price": "183900", "currency": "INR",
              **page.StoreDetails(**STORE, accent=ACCENT, logo=logo).form()}
    files = {"image": ("photo.jpg", jpeg, "image/jpeg")}
    if clip is not None:
        files["clip"] = ("clip.mp4", clip, "video/mp4")
    resp = httpx.post(cloud.url + "/v1/images", data=fields, files=files, timeout=10)
    assert resp.status_code == 201, resp.text
    answer: dict[str, str] = resp.json()
    return answer


def test_page_with_a_clip_plays_it_inline_above_the_photo(cloud: LiveCloud, tmp_path: Path) -> None:
    jpeg = branded_photo()
    got = upload(cloud, jpeg, time.time() + 3600, vp9_clip(tmp_path / "clip.mp4"))
    assert got["clip_url"] == got["page_url"] + "/clip.mp4"
    video = httpx.get(got["clip_url"], headers={"range": "bytes=0-99"}, timeout=10)
    assert video.status_code == 206 and video.headers["content-type"] == "video/mp4"   # iOS needs ranges

    shot, dom = chromium.open_page(got["page_url"], tmp_path / "clip.png", budget_ms=2500)
    assert shot.size == chromium.PHONE
    px = np.asarray(shot, dtype=np.int16)
    playing = (np.abs(px - np.array(GREEN)).max(axis=2) < 30).mean()
    # The clip's frames, not its poster (the photo): it plays, inline, large.
    assert playing >= 0.5, f"the clip shows on only {playing:.0%} of the screen"
    token = got["page_url"].rsplit("/", 1)[1]
    tag = dom[dom.index("<video"):dom.index("</video>")]
    for attr in ("playsinline", "muted", "loop", "controls", f'src="/s/{token}/clip.mp4"'):
        assert attr in tag
    assert dom.index("<video") < dom.index('<img id="photo"') and f"<h1>{PIECES}</h1>" in dom
    assert f'href="/s/{token}/clip.mp4" download="try-on.mp4">Download the clip' in dom


def test_expired_and_unknown_links_are_branded_pages_with_the_store_contact(
        cloud: LiveCloud, tmp_path: Path) -> None:
    (tmp_path / "logo.png").write_bytes(monogram("Abharana", ACCENT, 128))
    got = upload(cloud, branded_photo(), time.time() - 1, logo=page.logo_uri(tmp_path / "logo.png"))
    assert httpx.get(got["page_url"], timeout=10).status_code == 410
    assert httpx.get(got["image_url"], timeout=10).status_code == 410

    shot, dom = chromium.open_page(got["page_url"], tmp_path / "expired.png")
    assert shot.size == chromium.PHONE
    assert shot.getpixel((chromium.PHONE[0] - 10, 5)) == (0x7b, 0x1e, 0x3a)
    chromium.save_for_readme(shot, "phone-expired.png")
    assert "<h1>This link has expired</h1>" in dom and "Abharana keeps try-on photos" in dom
    assert "<header><img src=\"data:image/png;base64," in dom
    assert_store_contact(dom)

    unknown = httpx.get(cloud.url + "/s/" + shares.new_token(), timeout=10)
    assert unknown.status_code == 404 and "<h1>This photo cannot be found</h1>" in unknown.text
    assert "Not found" not in unknown.text


def test_store_wifi_page_is_the_same_phone_page_and_its_errors_are_branded(
        kiosk_cfg: KioskConfig, tmp_path: Path) -> None:
    store = EventStore(tmp_path / "lan")
    jpeg = branded_photo()
    share = share_photo(store, jpeg)
    old = share_photo(store, jpeg, days=-1)
    # A kiosk standing in portrait takes upright photos: they fill the phone's width too.
    upright = Image.open(TRYON).crop((410, 0, 870, 720)).resize((720, 1127))
    buf = io.BytesIO()
    upright.save(buf, "JPEG", quality=90)
    tall = add_strip(buf.getvalue(), "Abharana", "Kundan Gold Choker")
    tall_share = share_photo(store, tall)
    srv = LanShareServer(lambda token: shares.open_share(store, token), "Abharana", "INR", "127.0.0.1", 0,
                         details=page.store_details(kiosk_cfg))
    srv.start()
    try:
        base = f"http://127.0.0.1:{srv.port}/s/"
        shot, dom = chromium.open_page(base + share.token, tmp_path / "lan.png")
        assert_photo_fills(shot, jpeg)
        assert_photo_fills(chromium.screenshot(base + tall_share.token, tmp_path / "tall.png"), tall)
        assert "works only inside the store" in dom and '<p class="price">INR 183,900</p>' in dom
        assert_store_contact(dom)
        expired = httpx.get(base + old.token, timeout=10)
        assert expired.status_code == 410 and "<h1>This link has expired</h1>" in expired.text
        unknown = httpx.get(base + shares.new_token(), timeout=10)
        assert unknown.status_code == 404 and "<h1>This photo cannot be found</h1>" in unknown.text
        assert "wa.me/919812345678" in unknown.text and ACCENT in unknown.text
    finally:
        srv.stop()
        store.close()


def test_page_details_that_are_missing_or_malformed_are_left_out(
        make_config: Callable[..., Path], tmp_path: Path) -> None:
    got = page.StoreDetails.from_form({"store_phone": " +91 80 4123 4567 ", "jeweler_accent": "red",
                                       "jeweler_logo": "javascript:alert(1)", "store_whatsapp": None})
    assert got == page.StoreDetails(phone="+91 80 4123 4567")
    bare = page.render(jeweler="Abharana", jewelry="", price=None, currency="INR", image_url="p.jpg",
                       expires_at=time.time() + 60)
    assert "Visit Abharana again" not in bare and "wa.me" not in bare and "<h1>your try-on</h1>" in bare
    assert "--accent:#b8860b" in bare          # the default gold without a brand colour
    (tmp_path / "huge.png").write_bytes(b"\x89PNG" + bytes(page.MAX_LOGO_BYTES))
    (tmp_path / "logo.gif").write_bytes(b"GIF89a" + bytes(100))
    assert page.logo_uri(tmp_path / "huge.png") == page.logo_uri(tmp_path / "logo.gif") == ""
    bad = make_config(replace={"[store]\n": '[store]\nwhatsapp = "98123 45678"\n'})
    with pytest.raises(config.ConfigError, match="whatsapp"):
        config.load(bad)


# What iOS Safari and Android Chrome have and desktop Linux Chromium has not: the Web Share API
# with files. The stand-in records what the page hands to the share sheet.
SHARE_STANDIN = """<script>
Object.defineProperty(navigator, 'canShare', {value: function (d) { return !!(d && d.files); }});
Object.defineProperty(navigator, 'share', {value: function (d) {
  var f = d.files[0], seen = document.documentElement.getAttribute('data-shared') || '';
  document.documentElement.setAttribute('data-shared', seen + f.name + ' ' + f.type + ' ' + f.size + ';');
  return Promise.resolve(); }});
window.addEventListener('load', function () {
  var clip = document.querySelector('button[data-lazy]');
  var photo = document.querySelector('button:not([data-lazy])');
  setTimeout(function () { photo.click(); clip.click(); }, 300);
  setTimeout(function () { clip.click(); }, 900);
});
</script>"""


def test_save_opens_the_share_sheet_with_the_file_where_the_browser_has_one(tmp_path: Path) -> None:
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    jpeg, clip = branded_photo(), vp9_clip(tmp_path / "clip.mp4")
    (tmp_path / "photo.jpg").write_bytes(jpeg)
    html = page.render(jeweler="Abharana", jewelry=PIECES, price=183900.0, currency="INR",
                       image_url="photo.jpg", clip_url="clip.mp4", expires_at=time.time() + 60)
    (tmp_path / "index.html").write_text(html.replace("</head>", SHARE_STANDIN + "</head>", 1))
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(tmp_path))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        _, dom = chromium.open_page(f"http://127.0.0.1:{httpd.server_port}/index.html",
                                    tmp_path / "shot.png", budget_ms=2500)
    finally:
        httpd.shutdown()
        httpd.server_close()
    shared = dom.split('data-shared="', 1)[1].split('"', 1)[0]
    # The photo at the first tap; the clip (fetched on its first tap) at the second.
    assert shared == f"try-on.jpg image/jpeg {len(jpeg)};try-on.mp4 video/mp4 {len(clip)};"
    assert ">Save or share the photo</button>" in dom and ">Save or share the clip</button>" in dom
