"""The mobile download page of one shared photo, served by the cloud and by the kiosk's LAN
server alike (one template, so both say the same)."""

from __future__ import annotations

import html
import time

from kiosk.format import money


def render(*, jeweler: str, jewelry: str, price: float | None, currency: str, image_url: str,
           expires_at: float, offline: bool = False, clip_url: str | None = None) -> str:
    until = time.strftime("%d %b %Y", time.localtime(expires_at))
    e = html.escape
    where = ("<p class=warn>This page comes from the store's kiosk over its Wi-Fi: it works only "
             "inside the store. Save the photo now.</p>" if offline else "")
    price_text = "" if price is None else money(price, currency)
    # The try-on clip: playsinline + muted is what lets iOS play it in the page, on its own.
    clip = (f'<video src="{e(clip_url)}" poster="{e(image_url)}" playsinline muted loop controls autoplay'
            f' preload=auto></video>\n<a class=save href="{e(clip_url)}" download>Save the clip</a>'
            if clip_url else "")
    return f"""<!doctype html>
<html lang=en><head><meta charset=utf-8>
<meta name=viewport content="width=device-width, initial-scale=1">
<meta name=robots content="noindex, nofollow">
<title>{e(jeweler)} · your try-on photo</title>
<style>
body {{ margin: 0; font-family: system-ui, sans-serif; background: #141414; color: #f4f1ea; }}
header {{ background: #b8860b; color: #141414; padding: 14px 18px; font-size: 22px; font-weight: 700; }}
main {{ padding: 16px; max-width: 720px; margin: auto; }}
img, video {{ width: 100%; border-radius: 10px; }}
.piece {{ font-size: 20px; margin: 12px 0 4px; }} .price {{ color: #e8c76a; }}
a.save {{ display: block; text-align: center; background: #b8860b; color: #141414; padding: 14px;
          border-radius: 10px; font-weight: 700; text-decoration: none; margin: 16px 0; }}
.small {{ color: #a9a39a; font-size: 14px; }}
.warn {{ background: #3a2a10; padding: 10px; border-radius: 8px; }}
</style></head>
<body><header>{e(jeweler)}</header><main>
{where}
{clip}
<img src="{e(image_url)}" alt="Your try-on photo">
<p class=piece>{e(jewelry)} <span class=price>{e(price_text)}</span></p>
<a class=save href="{e(image_url)}" download>Save the photo</a>
<p class=small>This link is private to you and works until {e(until)}.</p>
</main></body></html>
"""


def gone(jeweler: str = "") -> str:
    who = html.escape(jeweler) if jeweler else "The store"
    return ("<!doctype html><html lang=en><head><meta charset=utf-8>"
            "<meta name=viewport content='width=device-width, initial-scale=1'><title>Link expired</title>"
            "</head><body style='font-family: system-ui, sans-serif; padding: 24px'>"
            f"<h1>This link has expired</h1><p>{who} keeps try-on photos only for a few days. "
            "Ask in the store for a new one.</p></body></html>")
