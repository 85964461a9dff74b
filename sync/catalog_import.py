"""`kiosk catalog sync` and the sync daemon's catalogue job: products of the configured
vendors (seed 002) → pieces in the local catalogue, ready to wear.

Incremental: each product's signature (name, price, category, width, first image URL,
``updated_at``) is kept; an unchanged product downloads nothing. A product that left a
vendor's list is hidden (still wearable by a visit that has it on, no longer offered); it
comes back if it reappears. A vendor whose list cannot be read hides nothing: an outage must
not empty the seller's screen. One bad product (broken photo, unknown category) is reported
and the others continue.

Mapping choices (the seed is a generic shop):
- category from the product's category name/slug/id text: earring/jhumka/stud/drop → earring,
  necklace/choker/haar/pendant/mala → necklace, nose/nath → nose_ring, tikka → maang_tikka;
  anything else (sets included: they are assembled on the kiosk) is left out and listed as not
  wearable jewelry: a shop's gift boxes are no failure, so they do not fail the run;
- a product that should have become a piece but could not (photo missing or unreadable, bad
  price, implausible width) is "skipped" with its reason, and `kiosk catalog sync` exits
  non-zero naming each one, so a cron job or a technician notices;
- price through Decimal (the API sends strings like "38900.00");
- the real width from ``attributes.width_mm`` or ``width_mm``; without one, a typical width
  for the category is used and the report says so (staff can correct it with the asset tool);
- jeweler id ``vendor-<id>``, name from ``company_name``/``name``, accent from
  ``brand_color``, currency from ``currency``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import cv2

from kiosk.catalog import cache
from kiosk.catalog.pieces import AssetError
from kiosk.catalog.prepare import PrepareError, decode, prepare
from kiosk.config import KioskConfig
from kiosk.store import catalog as catalog_rows
from kiosk.store.db import Database, StoreError
from sync.clients.commerce import CommerceClient, CommerceError

log = logging.getLogger(__name__)
SOURCE = "commerce"
TYPICAL_MM = {"earring": 25.0, "necklace": 140.0, "nose_ring": 12.0, "maang_tikka": 30.0}
KEYWORDS = [("tikka", "maang_tikka"), ("nose", "nose_ring"), ("nath", "nose_ring"), ("earring", "earring"),
            ("jhumka", "earring"), ("stud", "earring"), ("drop", "earring"), ("necklace", "necklace"),
            ("choker", "necklace"), ("haar", "necklace"), ("pendant", "necklace"), ("mala", "necklace")]
COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass
class Report:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    hidden: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)       # "name: why": should have imported
    not_jewelry: list[str] = field(default_factory=list)   # "name (category)": not for the mirror
    guessed_width: list[str] = field(default_factory=list)
    downloads: int = 0
    errors: list[str] = field(default_factory=list)        # whole vendors that could not be read

    @property
    def failed(self) -> bool:
        """Something the configured vendors list did not arrive: a vendor or a product."""
        return bool(self.errors or self.skipped)

    def lines(self) -> list[str]:
        out = [f"{len(self.added)} added, {len(self.updated)} updated, {self.unchanged} unchanged, "
               f"{len(self.hidden)} hidden, {len(self.restored)} back, {len(self.skipped)} skipped, "
               f"{self.downloads} images downloaded"]
        out += [f"added: {x}" for x in self.added] + [f"updated: {x}" for x in self.updated]
        out += [f"hidden (gone upstream): {x}" for x in self.hidden]
        out += [f"skipped: {x}" for x in self.skipped]
        out += [f"not wearable jewelry, left out: {x}" for x in self.not_jewelry]
        out += [f"width guessed (set it with kiosk assets): {x}" for x in self.guessed_width]
        out += [f"error: {x}" for x in self.errors]
        return out


def category_of(product: dict[str, Any]) -> str | None:
    c = product.get("category")
    text = " ".join(str(c.get(k, "")) for k in ("slug", "name")) if isinstance(c, dict) else str(c or "")
    text = (text + " " + str(product.get("tags", ""))).lower().replace("_", " ")
    for word, category in KEYWORDS:
        if word in text:
            return category
    return None


def image_url(product: dict[str, Any]) -> str | None:
    images = product.get("images") or []
    if not isinstance(images, list):
        return None
    ordered = sorted(images, key=lambda im: not (isinstance(im, dict) and im.get("is_primary")))
    for im in ordered:
        if isinstance(im, str) and im:
            return im
        if isinstance(im, dict):
            for k in ("image", "url", "image_url"):
                if im.get(k):
                    return str(im[k])
    return None


def _category_text(c: Any) -> str:
    if isinstance(c, dict):
        return repr(c.get("name") or c.get("slug") or c.get("id"))
    return repr(c)


def width_of(product: dict[str, Any]) -> float | None:
    raw_attrs = product.get("attributes")
    attrs: dict[str, Any] = raw_attrs if isinstance(raw_attrs, dict) else {}
    for raw in (attrs.get("width_mm"), product.get("width_mm")):
        try:
            if raw is not None:
                return float(raw)
        except (TypeError, ValueError):
            return None
    return None


def run(db: Database, client: CommerceClient, vendor_ids: list[int], include_drafts: bool = False,
        clock: Any = time.time) -> Report:
    report = Report()
    synced: list[str] = []
    seen: set[str] = set()
    for vid in vendor_ids:
        try:
            info, products = client.vendor(vid)
        except CommerceError as e:
            report.errors.append(f"vendor {vid}: {e}")
            continue
        jeweler = _save_jeweler(db, client, vid, info, clock())
        synced.append(jeweler)
        for p in products:
            _one(db, client, jeweler, p, report, seen, clock)
    if include_drafts:
        try:
            for p in client.own_products(status="draft"):
                raw_seller = p.get("seller")
                seller: dict[str, Any] = raw_seller if isinstance(raw_seller, dict) else {}
                jeweler = cache.vendor_jeweler_id(seller.get("id", "own"))
                _one(db, client, jeweler, p, report, seen, clock)
        except CommerceError as e:
            report.errors.append(f"drafts: {e}")
    _hide_gone(db, synced, seen, report, clock())
    return report


def run_configured(cfg: KioskConfig, db: Database) -> Report:
    """One import as `[catalog]` says (the CLI's and the daemon's job alike)."""
    c = cfg.catalog
    password = cfg.secret("catalog_password")
    client = CommerceClient(str(c.commerce_url), c.email, lambda: password, cfg.cloud.timeout_s,
                            media_url=str(c.media_url) if c.media_url else None)
    try:
        return run(db, client, c.vendor_ids, c.include_drafts)
    finally:
        client.close()


def _save_jeweler(db: Database, client: CommerceClient, vid: int, info: dict[str, Any], now: float) -> str:
    jid = cache.vendor_jeweler_id(vid)
    name = str(info.get("company_name") or info.get("name") or jid)
    accent = str(info.get("brand_color") or "")
    logo = None
    if info.get("logo"):
        try:
            img = decode(client.download(str(info["logo"])))
            logo = db.data_dir / cache.LOGOS_DIR / f"{jid}.png"
            logo.parent.mkdir(parents=True, exist_ok=True)
            cv2.imwrite(str(logo), img)
        except (CommerceError, PrepareError, OSError) as e:
            log.warning("logo of %s not updated: %s", name, e)
            logo = None
    catalog_rows.save_jeweler(db, catalog_rows.Jeweler(jid, name, accent if COLOUR.match(accent) else None,
                                                       str(info.get("currency") or "") or None,
                                                       logo.relative_to(db.data_dir) if logo else None),
                              source=SOURCE, now=now)
    return jid


def _one(db: Database, client: CommerceClient, jeweler: str, p: dict[str, Any], report: Report,
         seen: set[str], clock: Any) -> None:
    rid = str(p.get("id", ""))
    name = str(p.get("name") or f"product {rid}").strip()[:120]
    if not rid:
        report.skipped.append(f"{name}: no product id")
        return
    seen.add(rid)
    category = category_of(p)
    if category is None:
        report.not_jewelry.append(f"{name} (category {_category_text(p.get('category'))})")
        return
    try:
        raw = p.get("price")
        price = None if raw in (None, "") else float(Decimal(str(raw)).quantize(Decimal("0.01")))
    except InvalidOperation:
        report.skipped.append(f"{name}: price {p.get('price')!r} is not a number")
        return
    raw_url = image_url(p)
    if raw_url is None:
        report.skipped.append(f"{name}: no product photo")
        return
    try:
        url = client.resolve(raw_url)
    except CommerceError as e:
        report.skipped.append(f"{name}: {e}")
        return
    width = width_of(p)
    seen_as = [name, price, category, width, url, p.get("updated_at")]
    sig = hashlib.sha256(json.dumps(seen_as).encode()).hexdigest()
    known = catalog_rows.remote_piece(db, SOURCE, rid)
    if known is not None and known.remote_sig == sig:
        if known.hidden:
            catalog_rows.set_hidden(db, [known.id], False, now=clock())
            report.restored.append(name)
        else:
            report.unchanged += 1
        return
    piece_mm = width if width is not None else TYPICAL_MM[category]
    try:
        cache.check_width(category, piece_mm)         # before downloading anything
        data = client.download(url)
        report.downloads += 1
        prep = prepare(decode(data), category)
        pid = known.id if known is not None else f"{jeweler}-{rid}".replace("vendor-", "v")
        new, png = cache.new_piece(prep, pid=pid, jeweler_id=jeweler, name=name, category=category,
                                   price=price, piece_mm=piece_mm, anchor=prep.anchor,
                                   style=str(p.get("sku") or ""))
        cache.save_piece(db, new, png, source=SOURCE, remote_id=rid, remote_sig=sig, now=clock())
    except (CommerceError, PrepareError, AssetError) as e:
        report.skipped.append(f"{name}: {e}")
        return
    except StoreError as e:
        report.errors.append(f"{name}: {e}")
        return
    (report.updated if known is not None else report.added).append(name)
    if width is None:
        report.guessed_width.append(name)


def _hide_gone(db: Database, jewelers: list[str], seen: set[str], report: Report, now: float) -> None:
    gone = [r for r in catalog_rows.listed(db, SOURCE, jewelers) if r.remote_id not in seen]
    if not gone:
        return
    catalog_rows.set_hidden(db, [r.id for r in gone], True, now=now)
    report.hidden += [r.name for r in gone]
