"""The customer's phone page of one shared photo (and clip), served by the cloud and by the
kiosk's LAN server alike (one template, so both say the same), and its expired / not-found page.

Made for a phone held upright: the photo is shown as a portrait crop the width of the screen
(the jeweler's strip under it is cropped off here: the piece and price are written as text
below, readable at any size; a tap shows the whole photo). Saving: iOS Safari ignores
<a download> for a picture, so the page offers the Web Share sheet with the file where the
browser has it (iOS 15+, Android Chrome: "Save Image" / "Save to Photos" are in that sheet),
the download link everywhere, and says "press and hold the photo" which works on both.
"""

from __future__ import annotations

import base64
import html
import io
import re
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict
from urllib.parse import quote

from kiosk.catalog.money import money

if TYPE_CHECKING:
    from collections.abc import Mapping

    from kiosk.config import KioskConfig

DEFAULT_ACCENT = "#b8860b"
MAX_LOGO_BYTES = 200_000      # travels with every upload as a data: URI; a logo is a few KB
LOGO_TYPES = {b"\x89PNG": "image/png", b"\xff\xd8\xff": "image/jpeg"}
HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
DATA_URI = re.compile(r"^data:image/(png|jpeg);base64,[A-Za-z0-9+/=]+$")
# The upload's form field of each detail (sync/clients/images.py, sync/devcloud/images.py).
FORM = {"phone": "store_phone", "whatsapp": "store_whatsapp", "address": "store_address",
        "accent": "jeweler_accent", "logo": "jeweler_logo"}


class PageArgs(TypedDict):
    phone: str
    whatsapp: str
    address: str
    accent: str
    logo: str


@dataclass(frozen=True)
class StoreDetails:
    """What the page shows besides the photo: the store's contact details and brand."""
    phone: str = ""
    whatsapp: str = ""
    address: str = ""
    accent: str = ""
    logo: str = ""          # a data: URI, so the page needs no second address for it

    def page(self) -> PageArgs:
        """The keyword arguments of render() and gone()."""
        return PageArgs(phone=self.phone, whatsapp=self.whatsapp, address=self.address,
                        accent=self.accent, logo=self.logo)

    def form(self) -> dict[str, str]:
        return {FORM[k]: v for k, v in asdict(self).items() if v}

    @classmethod
    def from_form(cls, form: Mapping[str, Any]) -> StoreDetails:
        """From an upload's fields; anything malformed is dropped (the page never breaks on it)."""
        got = {k: str(form.get(f) or "").strip()[:400 if k != "logo" else 300_000] for k, f in FORM.items()}
        if not HEX.match(got["accent"]):
            got["accent"] = ""
        if not DATA_URI.match(got["logo"]):
            got["logo"] = ""
        return cls(**got)


def logo_uri(path: Path | None) -> str:
    """The logo as a data: URI, or "" when it is absent, too big or not a PNG/JPEG."""
    if path is None:
        return ""
    try:
        data = path.read_bytes()
    except OSError:
        return ""
    kind = next((t for magic, t in LOGO_TYPES.items() if data.startswith(magic)), None)
    if kind is None or len(data) > MAX_LOGO_BYTES:
        return ""
    return f"data:{kind};base64,{base64.b64encode(data).decode()}"


def jpeg_size(photo: Path | bytes) -> tuple[int, int] | None:
    """Width and height from the JPEG's header (nothing is decoded), None if unreadable."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(photo if isinstance(photo, Path) else io.BytesIO(photo)) as img:
            return img.size
    except (OSError, UnidentifiedImageError, ValueError):
        return None


def store_details(cfg: KioskConfig) -> StoreDetails:
    s, j = cfg.store, cfg.jeweler
    return StoreDetails(s.phone, s.whatsapp, s.address, j.accent or "", logo_uri(j.logo))


def _on(accent: str) -> str:
    """Dark or light text on the brand colour, by its luminance (as the app's theme does)."""
    r, g, b = (int(accent[i:i + 2], 16) for i in (1, 3, 5))
    return "#141414" if (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255 > 0.45 else "#fff8e6"


STYLE = """
*{box-sizing:border-box}[hidden]{display:none!important}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#141414;
color:#f4f1ea;-webkit-text-size-adjust:100%}
header{background:var(--accent);color:var(--on);padding:10px 16px;display:flex;align-items:center;
gap:12px;min-height:56px;font-size:21px;font-weight:700;letter-spacing:.01em}
header img{height:40px;max-width:120px;object-fit:contain}
main{max-width:560px;margin:auto;padding:0 0 28px}
.media{position:relative;width:100%;aspect-ratio:3/4;overflow:hidden;background:#000;margin:0}
.media img{position:absolute;top:0;left:50%;transform:translateX(-50%);height:var(--full);
width:auto;max-width:none;cursor:zoom-in;-webkit-touch-callout:default}
.media.tall img{left:0;transform:none;width:100%;height:auto}
.media.whole{aspect-ratio:auto}
.media.whole img{position:static;transform:none;width:100%;height:auto;cursor:zoom-out}
.media video{width:100%;height:100%;object-fit:cover;display:block}
.text{padding:0 16px}
h1{font-size:24px;line-height:1.25;margin:16px 0 2px}
.price{font-size:22px;color:var(--accent-text);margin:0 0 14px;font-weight:600}
.btn{display:block;width:100%;text-align:center;background:var(--accent);color:var(--on);
padding:15px;border:0;border-radius:12px;font:inherit;font-size:18px;font-weight:700;
text-decoration:none;margin:10px 0}
.btn.alt{background:#2c2a26;color:#f4f1ea;border:2px solid #4a453d}
.hint,.small{color:#b5aea3;font-size:15px;line-height:1.4}
.warn{background:#3a2a10;padding:10px 12px;border-radius:8px;margin:12px 16px 0}
.store{border-top:1px solid #35322c;margin-top:22px;padding-top:6px}
h2{font-size:19px;margin:14px 0 4px}
.store p{margin:6px 0 10px;line-height:1.4}
.store p a{color:var(--accent-text)}
.gone{padding:28px 16px 8px}
"""

SCRIPT = """
(function(){
  var photo=document.getElementById('photo'), fig=photo&&photo.parentNode;
  if(photo){photo.addEventListener('click',function(){fig.classList.toggle('whole');});}
  // The share sheet is the one way to put a picture into the iOS photo library from a page.
  // It must open within the tap, so the file is fetched before: the photo at once; the clip
  // (megabytes, and the video is already loading it) on a first tap, shared on the second.
  if(!navigator.canShare||!window.File||!window.fetch) return;
  document.querySelectorAll('button[data-share]').forEach(function(btn){
    var url=btn.getAttribute('data-share'), type=btn.getAttribute('data-type');
    var name=btn.getAttribute('data-name'), label=btn.textContent, file=null;
    try{ if(!navigator.canShare({files:[new File([''],name,{type:type})]})) return; }catch(e){ return; }
    function get(){
      return fetch(url).then(function(r){ if(!r.ok) throw new Error(r.status); return r.blob(); })
        .then(function(b){ file=new File([b],name,{type:type}); });
    }
    if(btn.hasAttribute('data-lazy')) btn.hidden=false;
    else get().then(function(){ btn.hidden=false; }).catch(function(){});
    btn.addEventListener('click',function(){
      if(file){ btn.textContent=label; navigator.share({files:[file]}).catch(function(){}); return; }
      btn.textContent='Getting the clip ready\u2026';
      get().then(function(){ btn.textContent='Ready: tap again to save the clip'; })
        .catch(function(){ btn.textContent=label; });
    });
  });
})();
"""


def _head(title: str, accent: str, full: float = 1.0) -> str:
    accent = accent if HEX.match(accent) else DEFAULT_ACCENT
    # Brand colours too dark to read as text on the page's black use the default gold there.
    text = accent if _on(accent) == "#141414" else "#e8c76a"
    return (f"<!doctype html><html lang=en><head><meta charset=utf-8>"
            "<meta name=viewport content='width=device-width, initial-scale=1, viewport-fit=cover'>"
            "<meta name=robots content='noindex, nofollow'><meta name=referrer content=no-referrer>"
            f"<title>{html.escape(title)}</title><style>:root{{--accent:{accent};--on:{_on(accent)};"
            f"--accent-text:{text};--full:{full * 100:.2f}%}}{STYLE}</style></head>")


def _header(jeweler: str, logo: str) -> str:
    img = f"<img src='{html.escape(logo)}' alt=''>" if DATA_URI.match(logo) else ""
    return f"<header>{img}<span>{html.escape(jeweler or 'Your try-on')}</span></header>"


def _digits(number: str) -> str:
    return re.sub(r"\D", "", number)


def _contact(jeweler: str, phone: str, whatsapp: str, address: str, about: str = "") -> str:
    e = html.escape
    rows = []
    if whatsapp and len(_digits(whatsapp)) >= 7:
        hello = f"Hello {jeweler}, " if jeweler else "Hello, "
        text = quote(hello + (f"about the {about} I tried on in your store." if about else
                              "I tried on a piece in your store."))
        rows.append(f"<a class='btn' href='https://wa.me/{_digits(whatsapp)}?text={text}'>"
                    f"Message us on WhatsApp</a>")
    if phone and len(_digits(phone)) >= 6:
        tel = ("+" if phone.startswith("+") else "") + _digits(phone)
        rows.append(f"<a class='btn alt' href='tel:{tel}'>Call {e(phone)}</a>")
    if address:
        maps = "https://www.google.com/maps/search/?api=1&query=" + quote(address)
        rows.append(f"<p>{e(address)}<br><a href='{e(maps)}'>Directions</a></p>")
    if not rows:
        return ""
    return f"<section class='store text'><h2>Visit {e(jeweler or 'us')} again</h2>{''.join(rows)}</section>"


def _saves(url: str, what: str, ctype: str, name: str, *, main: bool) -> str:
    e = html.escape
    hold = "" if what != "photo" else ("<p class=hint>Tap the photo to see all of it; press and hold "
                                       "the photo to save it.</p>")
    lazy = " data-lazy" if what == "clip" else ""
    return (f"<button class=btn hidden data-share='{e(url)}' data-type={ctype} data-name={name}{lazy}>"
            f"Save or share the {what}</button>"
            f"<a class='btn{'' if main else ' alt'}' href='{e(url)}' download={name}>Download the {what}</a>"
            + hold)


def render(*, jeweler: str, jewelry: str, price: float | None, currency: str, image_url: str,
           expires_at: float, offline: bool = False, clip_url: str | None = None, phone: str = "",
           whatsapp: str = "", address: str = "", accent: str = "", logo: str = "",
           photo_size: tuple[int, int] | None = None) -> str:
    """`photo_size` (width, height of the JPEG, strip included) lets the crop hide the strip
    exactly; without it the strip of a 720p photo is assumed."""
    # Here, not at the top: brand.py brings Pillow, which the sync daemon (it imports this
    # module for store_details) does not otherwise load.
    from kiosk.share.brand import photo_height

    e = html.escape
    until = time.strftime("%d %b %Y", time.localtime(expires_at))
    full = photo_size[1] / photo_height(photo_size[1]) if photo_size else 780 / 720
    # A photo narrower than 3:4 (a kiosk in portrait) fills the width instead, cut at the bottom.
    tall = " tall" if photo_size and photo_size[0] * 4 < photo_height(photo_size[1]) * 3 else ""
    where = ("<p class=warn>This page comes from the store's kiosk over its Wi-Fi: it works only "
             "inside the store. Save the photo now.</p>" if offline else "")
    name = jewelry or "your try-on"
    price_line = f"<p class=price>{e(money(price, currency))}</p>" if price is not None else ""
    photo = (f"<figure class='media{tall}'><img id=photo src='{e(image_url)}' "
             f"alt='You wearing {e(name)}'></figure>")
    photo_saves = _saves(image_url, "photo", "image/jpeg", "try-on.jpg", main=not clip_url)
    if clip_url:
        # playsinline + muted: iOS plays it in the page, looping, instead of going full screen.
        first = (f'<figure class=media><video src="{e(clip_url)}" poster="{e(image_url)}" playsinline '
                 "muted loop autoplay controls preload=auto></video></figure>")
        saves = _saves(clip_url, "clip", "video/mp4", "try-on.mp4", main=True)
        rest = f"{photo}<div class=text>{photo_saves}</div>"
    else:
        first, saves, rest = photo, photo_saves, ""
    # The piece and its price right under the first picture: above the fold on a phone.
    body = (f"{where}{first}<div class=text><h1>{e(name)}</h1>{price_line}{saves}</div>{rest}"
            + _contact(jeweler, phone, whatsapp, address, jewelry)
            + f"<p class='small text'>This link is private to you and works until {e(until)}.</p>")
    return (_head(f"{jeweler or 'Your'} · your try-on {'clip' if clip_url else 'photo'}", accent, full)
            + f"<body>{_header(jeweler, logo)}<main>{body}</main><script>{SCRIPT}</script></body></html>")


def gone(jeweler: str = "", *, expired: bool = True, phone: str = "", whatsapp: str = "",
         address: str = "", accent: str = "", logo: str = "") -> str:
    """The page of a link that ran out (410) or never existed (404), in the jeweler's colours
    with a way to reach the store, so the customer is not left at a dead end."""
    who = html.escape(jeweler) if jeweler else "The store"
    if expired:
        title, text = ("This link has expired", f"{who} keeps try-on photos only for a few days. "
                       "Ask in the store for a new one.")
    else:
        title, text = ("This photo cannot be found", "The link may be mistyped or cut short: open it "
                       "again from the message or scan the code in the store once more.")
    return (_head(title, accent) + f"<body>{_header(jeweler, logo)}<main><div class=gone>"
            f"<h1>{title}</h1><p class=hint>{text}</p></div>"
            + _contact(jeweler, phone, whatsapp, address) + "</main></body></html>")
