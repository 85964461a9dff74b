"""Seed 002 (OmniSell commerce API) as far as the kiosk's catalogue import uses it, mounted
under ``/commerce/api/`` (seed 001 owns ``/api/auth/login/`` on this same devcloud).

- ``POST auth/login/`` → ``{access, refresh, user}``; ``POST auth/token/refresh/`` → ``{access}``
- ``GET products/public/list/?category=&search=``, ``GET products/public/{id}/``,
  ``GET products/public/vendor/{vendor_id}/`` → ``{vendor, products}``
- ``GET products/?status=`` (Bearer): the signed-in seller's own products, drafts included
- ``GET media/products/<file>``: product photos, the bundled pieces shot on white (JPEG)
- ``GET media/logos/<vendor>.png``: each vendor's logo (its initials on its brand colour);
  both also at ``/commerce/media/...`` (the MEDIA_URL a relative listing points to)

Errors are the seed's ``{error, details}``. Where the seed says only ``images: [...]`` or
``seller: {...}``, the devcloud answers like Django REST framework would: images as
``[{id, image, is_primary}]`` with absolute URLs, category as ``{id, name, slug}``. Jewelry
needs what a generic shop does not have: ``attributes.width_mm`` (real width of the piece).

Test/demo hooks: ``/_devcloud/commerce`` (GET state, POST {remove, restore, broken_image})
and the faults ``commerce_token_ttl_s``, ``commerce_token_uses`` (an access token is refused
after N uses, as if it expired every few requests), ``commerce_rotate_refresh`` (SimpleJWT's
ROTATE_REFRESH_TOKENS with BLACKLIST_AFTER_ROTATION: each refresh answer carries a new refresh
token and the old one is refused from then on) and ``commerce_media`` (how images are listed:
``absolute``; ``relative``, ``/commerce/media/...`` as an ImageField gives with no request in
the serializer context; ``name``, the bare storage name ``products/...``).
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import cv2
import numpy as np
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from kiosk import paths
from sync.devcloud.faults import Faults
from sync.devcloud.messaging import Tokens

PREFIX = "/commerce/api"
MEDIA_PATH = "/commerce/media"        # the relative listing's MEDIA_URL, outside the API root
VENDORS = {
    7: {"id": 7, "company_name": "Abharana Jewellers", "currency": "INR", "city": "Bengaluru",
        "brand_color": "#b8860b", "logo": None},
    9: {"id": 9, "company_name": "Meenakshi Gold House", "currency": "INR", "city": "Chennai",
        "brand_color": "#8e2a2a", "logo": None},
}
CATEGORIES = {"earring": (1, "Earrings"), "necklace": (2, "Necklaces"), "nose_ring": (3, "Nose rings"),
              "maang_tikka": (4, "Maang tikka")}
SELLER_LOGIN = ("seller@abharana.example", "abharana-pass")
# The vendors' own names and prices for the bundled sprites, so imported pieces are told apart
# from the kiosk's bundled demo pieces on the seller's screen.
NAMES = {"jhumka_gold": ("Kemp Temple Jhumka", 42500), "drop_pearl": ("Basra Pearl Drops", 18900),
         "stud_gold_ruby": ("Ruby Kammal Studs", 15400), "choker_gold": ("Polki Choker", 158000),
         "pendant_ruby": ("Lakshmi Ruby Pendant", 67500), "haar_long": ("Kasu Mala Haar", 245000),
         "nath_gold": ("Marathi Pearl Nath", 9800), "nath_chain_gold": ("Bridal Chain Nath", 21500),
         "maang_tikka_gold": ("Chandbali Maang Tikka", 26800)}
# The bundled folders before the 3D catalogue: a product's id and vendor come from its place here.
OLD_ORDER = ["bridal_set_gold", "choker_gold", "drop_pearl", "earring_diamond", "earring_gold",
             "earring_pink", "haar_long", "jhumka_gold", "maang_tikka_gold", "nath_chain_gold", "nath_gold",
             "pendant_ruby", "ruby_set", "stud_gold_ruby"]


def _sample_products() -> dict[int, dict[str, Any]]:
    """One product per bundled piece named above, split between the two vendors (the later
    bundled pieces are the kiosk's own: the vendors' catalogues stay as the tests know them)."""
    products: dict[int, dict[str, Any]] = {}
    root = paths.ASSETS_DIR / "jewelry"
    for manifest in sorted(root.glob("*/manifest.json")):
        m = json.loads(manifest.read_text())
        if m["category"] == "set" or "image" not in m or m["id"] not in NAMES:
            continue
        n = OLD_ORDER.index(m["id"])
        pid = 100 + n
        cat_id, cat_name = CATEGORIES[m["category"]]
        name, price = NAMES.get(m["id"], (m["name"], m.get("price") or 0))
        products[pid] = {
            "id": pid, "name": name, "description": f"{name}, handcrafted.",
            "price": f"{float(price):.2f}", "stock_quantity": 3, "status": "active",
            "sku": m["id"].upper(), "category": {"id": cat_id, "name": cat_name, "slug": m["category"]},
            "attributes": {"width_mm": m["width_mm"]}, "vendor_id": 7 if n % 3 else 9,
            "updated_at": "2026-11-01T09:00:00Z", "_asset": str(manifest.parent / m["image"]),
        }
    return products


class Catalogue:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.products = _sample_products()
        self.removed: set[int] = set()
        self.broken: set[int] = set()
        self.drafts: dict[int, dict[str, Any]] = {}
        first = next(iter(self.products.values()))
        self.drafts[900] = first | {"id": 900, "name": "Draft Kemp Jhumka", "status": "draft",
                                    "sku": "DRAFT-900", "vendor_id": 7}

    def visible(self) -> list[dict[str, Any]]:
        with self.lock:
            return [p for pid, p in self.products.items() if pid not in self.removed]


def router(faults: Faults) -> APIRouter:
    r = APIRouter()
    cat = Catalogue()
    tokens = Tokens()
    uses: dict[str, int] = {}           # access token -> authorised requests made with it
    spent: set[str] = set()             # refresh tokens rotated away (blacklisted)
    reuse = [0]                         # refreshes tried with a blacklisted token

    def media_url(request: Request, rel: str) -> str:
        """`rel` under the media root, listed the way the commerce_media fault says."""
        if faults.commerce_media == "name":
            return rel
        if faults.commerce_media == "relative":
            return f"{MEDIA_PATH}/{rel}"
        return f"{str(request.base_url).rstrip('/')}{PREFIX}/media/{rel}"

    def error(message: str, status: int, details: dict[str, Any] | None = None) -> JSONResponse:
        return JSONResponse({"error": message, "details": details or {}}, status_code=status)

    def show(p: dict[str, Any], request: Request) -> dict[str, Any]:
        out = {k: v for k, v in p.items() if not k.startswith("_") and k != "vendor_id"}
        url = media_url(request, f"products/{p['id']}.jpg")
        out["images"] = [{"id": p["id"] * 10, "image": url, "is_primary": True}]
        v = VENDORS[p["vendor_id"]]
        out["seller"] = {"id": v["id"], "company_name": v["company_name"]}
        return out

    def matches(p: dict[str, Any], category: str | None, search: str | None) -> bool:
        c = p["category"]
        if category and category not in (str(c["id"]), c["slug"], c["name"]):
            return False
        return not search or search.lower() in p["name"].lower()

    @r.post(PREFIX + "/auth/login/")
    async def login(request: Request) -> Response:
        try:
            body = await request.json()
        except ValueError:
            return error("Invalid JSON.", 400)
        if not isinstance(body, dict) or (body.get("email"), body.get("password")) != SELLER_LOGIN:
            return error("No active account found with the given credentials", 401)
        ttl = faults.commerce_token_ttl_s
        return JSONResponse({"access": tokens.make(SELLER_LOGIN[0], "access", ttl),
                             "refresh": tokens.make(SELLER_LOGIN[0], "refresh", 86400),
                             "user": {"id": 1, "email": SELLER_LOGIN[0], "first_name": "Abharana"}})

    @r.post(PREFIX + "/auth/token/refresh/")
    async def refresh(request: Request) -> Response:
        try:
            body = await request.json()
        except ValueError:
            return error("Invalid JSON.", 400)
        old = str(body.get("refresh", "")) if isinstance(body, dict) else ""
        sub, why = tokens.check(old, "refresh")
        if sub is not None and old in spent:
            reuse[0] += 1
            sub, why = None, "token_blacklisted"
        if sub is None:
            return error("Token is invalid or expired", 401, {"code": why.lower()})
        answer = {"access": tokens.make(sub, "access", faults.commerce_token_ttl_s)}
        if faults.commerce_rotate_refresh:
            spent.add(old)
            answer["refresh"] = tokens.make(sub, "refresh", 86400)
        return JSONResponse(answer)

    @r.get(PREFIX + "/products/public/list/")
    def public_list(request: Request, category: str | None = None, search: str | None = None) -> Response:
        return JSONResponse([show(p, request) for p in cat.visible() if matches(p, category, search)])

    @r.get(PREFIX + "/products/public/vendor/{vendor_id}/")
    def vendor(vendor_id: int, request: Request) -> Response:
        if vendor_id not in VENDORS:
            return error("Vendor not found.", 404)
        mine = [show(p, request) for p in cat.visible() if p["vendor_id"] == vendor_id]
        logo = media_url(request, f"logos/{vendor_id}.png")
        return JSONResponse({"vendor": VENDORS[vendor_id] | {"logo": logo}, "products": mine})

    @r.get(PREFIX + "/products/public/{product_id}/")
    def detail(product_id: int, request: Request) -> Response:
        p = cat.products.get(product_id)
        if p is None or product_id in cat.removed:
            return error("Not found.", 404)
        return JSONResponse(show(p, request) | {"description": p["description"]})

    @r.get(PREFIX + "/products/")
    def own(request: Request, status: str | None = None) -> Response:
        auth = request.headers.get("authorization", "")
        token = auth.removeprefix("Bearer ").strip()
        sub, why = tokens.check(token, "access") if auth else (None, "")
        if sub is not None and faults.commerce_token_uses:
            uses[token] = uses.get(token, 0) + 1
            if uses[token] > faults.commerce_token_uses:
                sub, why = None, "token_not_valid"
        if sub is None:
            return error("Given token not valid for any token type" if auth else
                         "Authentication credentials were not provided.", 401, {"code": why.lower()})
        mine = [p for p in cat.visible() + list(cat.drafts.values()) if p["vendor_id"] == 7]
        return JSONResponse([show(p, request) for p in mine if not status or p["status"] == status])

    @r.get(PREFIX + "/media/logos/{name}")
    @r.get(MEDIA_PATH + "/logos/{name}")
    def logo(name: str) -> Response:
        vid = int(name.split(".")[0]) if name.split(".")[0].isdigit() else -1
        if vid not in VENDORS:
            return error("Not found.", 404)
        return Response(_logo(VENDORS[vid]), media_type="image/png")

    @r.get(PREFIX + "/media/products/{name}")
    @r.get(MEDIA_PATH + "/products/{name}")
    def media(name: str) -> Response:
        pid = int(name.split(".")[0]) if name.split(".")[0].isdigit() else -1
        p = cat.products.get(pid) or cat.drafts.get(pid)
        if p is None:
            return error("Not found.", 404)
        if pid in cat.broken:
            return Response(b"<html>502 Bad Gateway</html>", media_type="image/jpeg")
        return Response(_photo(p["_asset"]), media_type="image/jpeg")

    @r.get("/_devcloud/commerce")
    def state() -> dict[str, Any]:
        return {"products": sorted(cat.products), "removed": sorted(cat.removed),
                "broken": sorted(cat.broken), "blacklisted_refresh_tried": reuse[0]}

    @r.post("/_devcloud/commerce")
    async def change(request: Request) -> dict[str, Any]:
        body = await request.json()
        with cat.lock:
            cat.removed |= set(body.get("remove", []))
            cat.removed -= set(body.get("restore", []))
            cat.broken |= set(body.get("broken_image", []))
            for pid in body.get("touch", []):        # an upstream edit: new price, new timestamp
                if pid in cat.products:
                    p = cat.products[pid]
                    p["price"] = f"{float(p['price']) + 1000:.2f}"
                    p["updated_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        return state()

    return r


_photos: dict[str, bytes] = {}


def _photo(asset: str) -> bytes:
    """The piece as a shop photographs it: on white, soft shadow, JPEG."""
    if asset not in _photos:
        from kiosk.catalog.prepare import on_white

        rgba = np.asarray(cv2.imread(asset, cv2.IMREAD_UNCHANGED), np.uint8)
        ok, jpeg = cv2.imencode(".jpg", on_white(rgba), [cv2.IMWRITE_JPEG_QUALITY, 90])
        _photos[asset] = jpeg.tobytes() if ok else b""
    return _photos[asset]



def _logo(vendor: dict[str, Any]) -> bytes:
    """Each vendor's logo: its initials on its brand colour."""
    from kiosk.catalog.brands import monogram

    return monogram(str(vendor["company_name"]), str(vendor["brand_color"]))
