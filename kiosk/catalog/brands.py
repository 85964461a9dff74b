"""The jewelers a kiosk serves: the store's own (config `[jeweler]`) and the imported vendors.

A store that shows several jewelers' collections asks the seller whose collection a visit is
for; one jeweler means no question. Each brings its name, colour, logo and currency.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from kiosk.catalog import cache
from kiosk.catalog.pieces import Catalog, Piece
from kiosk.config import JewelerConfig


@dataclass(frozen=True)
class Brand:
    id: str
    name: str
    accent: str | None
    logo: Path | None
    currency: str | None


class Brands:
    def __init__(self, brands: list[Brand], aliases: dict[str, str] | None = None) -> None:
        self.all = brands                      # the store's own first
        self._by_id = {b.id: b for b in brands}
        self._aliases = aliases or {}

    @classmethod
    def load(cls, house: JewelerConfig, data_dir: Path, catalog: Catalog) -> Brands:
        """Only jewelers with something to show are offered; the store's own always exists."""
        found = [Brand(house.id, house.name, house.accent, house.logo, None)]
        aliases = {} if house.vendor_id is None else {cache.vendor_jeweler_id(house.vendor_id): house.id}
        for j in cache.jewelers(data_dir):
            if j.id != house.id and j.id not in aliases:
                logo = j.logo_path if j.logo_path is not None and j.logo_path.is_file() else None
                found.append(Brand(j.id, j.name, j.accent, logo, j.currency))
        every = cls(found, aliases)
        owners = {every.owner(p).id for p in catalog.listed()}
        return cls([b for b in found if b.id in owners] or found[:1], aliases)

    def owner(self, piece: Piece) -> Brand:
        """A piece of a jeweler the store does not know (staff typed another id) is the store's."""
        jid = self._aliases.get(piece.jeweler_id, piece.jeweler_id)
        return self._by_id.get(jid, self.all[0])

    def get(self, brand_id: str) -> Brand | None:
        return self._by_id.get(brand_id)

    @property
    def several(self) -> bool:
        return len(self.all) > 1


def monogram(name: str, colour: str | None, side: int = 256) -> bytes:
    """A round logo of the name's initials on the brand colour (PNG with transparency), for a
    jeweler who has not sent a logo: tiles stay told apart at a glance."""
    from PIL import Image, ImageDraw, ImageFont

    img = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    rim = max(2, side // 26)
    draw.ellipse((rim // 2, rim // 2, side - rim // 2, side - rim // 2), fill=colour or "#4a453d",
                 outline="#f4e3b0", width=rim)
    initials = "".join(w[0] for w in name.split()[:2]).upper() or "?"
    draw.text((side / 2, side / 2), initials, fill="#fff8e6", anchor="mm",
              font=ImageFont.load_default(size=int(side * 0.43)))
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()
