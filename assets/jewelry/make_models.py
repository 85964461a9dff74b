"""Build the bundled catalogue from scratch: each piece's 3D models and the images rendered
from them, assets/jewelry/<id>/.

    python assets/jewelry/make_models.py           # every piece; manifests and sets updated
    python assets/jewelry/make_models.py --only jhumka_gold --out /tmp/x --models-only

The one command that regenerates the catalogue. Per piece it writes
  model.glb        the piece at full detail (stills, the captured photo, these renders)
  model_live.glb   the same piece at live detail (jewelgen/detail.py): the mirror's 30 fps
  piece.png        front view as worn, 12 px/mm (less for the big necklaces): the sprite the
                   photo-only paths and the 2D compositor draw (anchor = the hook's pixel)
  yaw_*.png        fallback sprites at several head yaws, one scale, for when no OpenGL
                   context can be made (issue 20, deliverable 9)
  tile.png         the catalogue tile, three-quarter view in studio light, 256 px
and the manifest's keys for them. The images are rendered by the kiosk's own renderer
(jewelgen/studio.py, kiosk/render) on this machine's OpenGL (llvmpipe is fine): `--models-only`
needs no OpenGL. Deterministic: the same code gives the same model bytes (seeded randomness
only, floats rounded before they are written, stable order), so the committed models are
checked by regenerating some of them (tests/assets/test_models.py); the renders are the same
pixels run to run on one machine. No Blender, no third-party meshes: every vertex is computed
in jewelgen/.

Conventions (issue 20, shared with the renderer): glTF 2.0 binary, metres, +Y up, +Z out of the
piece's front, +X left to right seen from the front; a mesh-less node `hook` at the attachment
point (here always the origin); swinging parts are nodes named swing_* whose translation is
their pivot and whose extras are {"swing": {"pivot": [x, y, z], "damping": d}} (a part pinned
at both ends, the nath's chain, adds "hinge": its other end); necklaces are built round a
neck and say its radius in the scene extras; materials are metallic-roughness with
extras.kind (see jewelgen/materials.py for the values and their sources). Hand pieces (issue
22, jewelgen/hands.py) differ: the hook is the centre of the band's opening, +Y runs along the
finger or forearm towards the fingertips, the band circles Y, +Z comes out of the ring's top
(its setting); the scene extras give {"inner_diameter_mm", "band_width_mm"}; a stack of
bangles keeps each in a node bangle_<i> along Y. Rings are built at Indian size 14 (17.3 mm
inside), bangles at 2.4 (57.2 mm); their width is the outside diameter seen from the front.

The catalogue (each builder's docstring in jewelgen/ describes the real piece and its sizes):

  id                category     what it is                                      width mm  triangles
  stud_gold_ruby    earring      ruby petal flower stud, diamond centre                9.0    5986 /   984
  jhumka_gold       earring      temple jhumka: ruby flower top, bell, pearl fringe   24.0   33144 /  3921
  chandbali_polki   earring      polki crescent, green meenakari, pearl strands       32.4   22800 /  3912
  hoop_rose_gold    earring      rose gold bali hoop with 15 diamonds                 20.1    7122 /   942
  drop_pearl        earring      long drop: pearl stem and a 10 x 13 mm drop pearl    10.0    5392 /   892
  earring_diamond   earring      white gold diamond chandelier                        18.0    5880 /  1270
  earring_gold      earring      filigree leaf drop on a French hook                  14.0    9348 /  1326
  earring_pink      earring      rose quartz cabochon and pear drop, rose gold        16.0    4014 /   574
  choker_gold       necklace     kundan polki choker with emerald latkans            121.7   37922 /  9714
  temple_haar_gold  necklace     temple mango mala with a lotus pendant              139.7   39516 /  8046
  pendant_ruby      necklace     cable chain, oval ruby in a diamond halo            127.4   18798 /  8130
  haar_long         necklace     layered rani haar: gold, pearl, emerald; pendant    147.9   36460 / 12214
  nath_gold         nose_ring    bridal nath: pearls, kundan flower, pearl drop       22.0    6676 /  1406
  nath_chain_gold   nose_ring    the nath with its pearl chain to the hair            22.0   13588 /  1818
  nose_pin_diamond  nose_ring    seven-diamond flower nose pin                         5.4    1722 /   422
  maang_tikka_gold  maang_tikka  round ruby and meenakari tikka on a pearl chain      25.0   19628 /  3660
  tikka_polki       maang_tikka  polki teardrop tikka on a seed-pearl strand          20.5   10032 /  2941
  ring_solitaire_diamond  ring  platinum 1 ct solitaire, six claws, pave shoulders   21.5   10338 /  1302
  ring_navratna_gold      ring  22k navratna: ruby ringed by the other eight grahas  20.8   13332 /  1276
  ring_polki_cocktail     ring  kundan polki head 24 mm, red meenakari, seed pearls  24.0   17474 /  2879
  ring_ruby_band          ring  ruby and diamond half-eternity band, channel set     21.1   13038 /   614
  ring_gold_band          ring  plain 22k court band, satin stripe, milgrain edges   20.7   14320 /   508
  kada_gold_filigree      bangle    22k kada, filigree lozenges, granules, ropes    69.3   38496 /  6504
  kada_temple_gold        bangle    temple kada: ruby kemp lotuses, mangoes, beads  70.4   30248 /  7516
  bangles_gold_stack      bangle    four thin bangles: diamond-cut, twisted, beaded 63.3   24480 /  6056
  bangle_polki_kundan     bangle    24 polki in kundan, rubies, green meenakari     68.6   37296 /  5208
  bracelet_diamond_tennis bracelet  54 diamonds in white gold box links, clasp     63.0   22992 /  6516
  (triangles: model.glb / model_live.glb)
  sets: bridal_set_gold (jhumka, choker, tikka, nath), bridal_set_polki (chandbali, rani
  haar, polki tikka, nath with chain), bridal_set_kundan (choker, chandbali, polki tikka, nath,
  cocktail ring, polki bangle); ruby_set is left as it was.
  `--only` takes set ids too (their manifests only: a set has no model).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1]))  # the repository: the renders use kiosk.render

from jewelgen import bangles, detail, earrings, face, hands, necklaces  # noqa: E402
from jewelgen.gltf import Model, Node, to_glb  # noqa: E402
from jewelgen.mesh import Arr, rot_x  # noqa: E402

if TYPE_CHECKING:
    from kiosk.render.renderer import Renderer

COPYRIGHT = "CC0-1.0: generated by assets/jewelry/make_models.py (kiosk project), no third-party meshes"
SPRITE_PX_PER_MM, SPRITE_MAX_PX = 12.0, 800  # piece.png: 288 px for a 24 mm jhumka
YAW_PX_PER_MM, YAW_MAX_PX = 5.0, 600  # fallback sprites: 720p mirror 2.4 px/mm, 1080p 3.6
TILE_PX = 256
# Head yaws of the fallback sprites: a face piece turns with the head through its whole range;
# a necklace lies on the shoulders, which turn less.
YAWS = {"necklace": (-40, -20, 0, 20, 40)}
FACE_YAWS = (-60, -40, -20, 0, 20, 40, 60)
# A hand piece's tile stands it as a product shot does (its fallback sprites turn it about the
# finger's or forearm's axis, +Y, the way the hand rolls): a ring upright on its band, the
# setting on top and the finger's axis going away from the viewer; a bangle tipped back so its
# opening shows as an ellipse under its front.
HAND_TILE_TURN: dict[str, Arr] = {"ring": rot_x(-50.0), "bangle": rot_x(-60.0), "bracelet": rot_x(-60.0)}


@dataclass(frozen=True)
class Spec:
    id: str
    build: Callable[[], Model]
    name: str  # name, style and price are for a new piece's manifest; existing ones keep theirs
    category: str
    style: str
    price: float
    lobe: str | None = None  # what of the wearer hides part of it in the sprites (studio.LOBES)


# fmt: off
CATALOGUE = [
    Spec("jhumka_gold", earrings.jhumka_gold, "Temple Gold Jhumka", "earring", "jhumka", 38900.0, "post"),
    Spec("stud_gold_ruby", earrings.stud_gold_ruby, "Ruby Gold Studs", "earring", "stud", 18500.0, "post"),
    Spec("chandbali_polki", earrings.chandbali_polki, "Polki Chandbali Earrings", "earring", "chandbali",
         68500.0, "post"),
    Spec("drop_pearl", earrings.drop_pearl, "Pearl Drop Earrings", "earring", "drop", 12400.0, "post"),
    Spec("earring_diamond", earrings.earring_diamond, "Diamond Chandelier Drops", "earring", "drop", 98000.0,
         "post"),
    Spec("earring_gold", earrings.earring_gold, "Gold Filigree Drops", "earring", "drop", 42000.0, "wire"),
    Spec("earring_pink", earrings.earring_pink, "Rose Quartz Drops", "earring", "drop", 27500.0, "wire"),
    # (the hoop's wire runs through the lobe along X: its hidden two millimetres are left drawn)
    Spec("hoop_rose_gold", earrings.hoop_rose_gold, "Rose Gold Diamond Bali Hoops", "earring", "hoop",
         32500.0),
    Spec("choker_gold", necklaces.choker_gold, "Kundan Gold Choker", "necklace", "choker", 145000.0),
    Spec("pendant_ruby", necklaces.pendant_ruby, "Ruby Pendant Necklace", "necklace", "pendant", 56000.0),
    Spec("haar_long", necklaces.haar_long, "Rani Haar", "necklace", "long haar", 265000.0),
    Spec("temple_haar_gold", necklaces.temple_haar_gold, "Temple Mango Haar", "necklace", "long haar",
         185000.0),
    Spec("nath_gold", face.nath_gold, "Bridal Gold Nath", "nose_ring", "nath", 22500.0),
    Spec("nath_chain_gold", face.nath_chain_gold, "Bridal Nath with Chain", "nose_ring", "nath", 34500.0),
    Spec("nose_pin_diamond", face.nose_pin_diamond, "Diamond Nose Pin", "nose_ring", "stud", 9800.0, "pin"),
    Spec("maang_tikka_gold", face.maang_tikka_gold, "Gold Maang Tikka", "maang_tikka", "tikka", 31000.0),
    Spec("tikka_polki", face.tikka_polki, "Polki Teardrop Maang Tikka", "maang_tikka", "tikka", 46500.0),
    Spec("ring_solitaire_diamond", hands.ring_solitaire_diamond, "Platinum Solitaire Diamond Ring", "ring",
         "solitaire", 285000.0),
    Spec("ring_navratna_gold", hands.ring_navratna_gold, "Navratna Gold Ring", "ring", "navratna", 42500.0),
    Spec("ring_polki_cocktail", hands.ring_polki_cocktail, "Polki Kundan Cocktail Ring", "ring", "cocktail",
         78500.0),
    Spec("ring_ruby_band", hands.ring_ruby_band, "Ruby and Diamond Band", "ring", "band", 36500.0),
    Spec("ring_gold_band", hands.ring_gold_band, "Plain Gold Band", "ring", "band", 24500.0),
    Spec("kada_gold_filigree", bangles.kada_gold_filigree, "Filigree Gold Kada", "bangle", "kada", 168000.0),
    Spec("kada_temple_gold", bangles.kada_temple_gold, "Temple Kemp Kada", "bangle", "kada", 192000.0),
    Spec("bangles_gold_stack", bangles.bangles_gold_stack, "Gold Bangles, Set of Four", "bangle", "bangles",
         124000.0),
    Spec("bangle_polki_kundan", bangles.bangle_polki_kundan, "Polki Kundan Bangle", "bangle", "kundan",
         215000.0),
    Spec("bracelet_diamond_tennis", bangles.bracelet_diamond_tennis, "Diamond Tennis Bracelet", "bracelet",
         "tennis", 395000.0),
]
# Sets list pieces; they have no model of their own.
SETS = {
    "bridal_set_gold": ("Bridal Gold Set", 230000.0,
                        ["jhumka_gold", "choker_gold", "maang_tikka_gold", "nath_gold"]),
    "bridal_set_polki": ("Polki Bridal Set", 395000.0,
                         ["chandbali_polki", "haar_long", "tikka_polki", "nath_chain_gold"]),
    # (one bangle piece: Catalog.expand keeps one piece per category; the stack would displace it)
    "bridal_set_kundan": ("Kundan Bridal Set with Bangle", 488000.0,
                          ["choker_gold", "chandbali_polki", "tikka_polki", "nath_gold",
                           "ring_polki_cocktail", "bangle_polki_kundan"]),
}
# fmt: on


def _chains(model: Model) -> tuple[str, ...]:
    """Nodes of a chain that runs off to the hair (the nath's): not part of the piece's width
    nor of its sprites (the 2D compositor draws that chain itself)."""
    return tuple(n.name for n in model.nodes() if "chain_to" in n.extras)


def width_mm(model: Model) -> float:
    """The piece's real width (its X extent), without a chain that runs off to the hair."""
    pts = model.points(_chains(model))
    return float(round(pts[:, 0].max() - pts[:, 0].min(), 1))


def without(model: Model, skip: tuple[str, ...]) -> Model:
    """The model without the named nodes and what hangs from them."""

    def copy(n: Node) -> Node:
        return Node(n.name, n.origin, n.part, [copy(c) for c in n.children if c.name not in skip],
                    n.damping, n.extras, n.rotation, n.hinge)

    return Model(model.id, copy(model.root), model.scene_extras)


def write_model(spec: Spec, out: Path) -> tuple[Model, Model, bytes]:
    """model.glb (full detail) and model_live.glb (the same piece at live detail)."""
    model = spec.build()
    with detail.using(detail.LIVE):
        live = spec.build()
    data = to_glb(model, COPYRIGHT)
    folder = out / spec.id
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "model.glb").write_bytes(data)
    (folder / "model_live.glb").write_bytes(to_glb(live, COPYRIGHT))
    return model, live, data


def _yaw_name(yaw: int) -> str:
    return f"yaw_{'m' if yaw < 0 else ''}{abs(yaw)}.png"


def write_images(r: Renderer, spec: Spec, model: Model, folder: Path) -> dict[str, Any]:
    """Render the piece's sprites and tile into its folder; their manifest keys."""
    from jewelgen import studio

    from kiosk.render.model import load_model

    with tempfile.TemporaryDirectory() as tmp:
        whole = Path(tmp) / "whole.glb"
        worn = Path(tmp) / "worn.glb"
        whole.write_bytes(to_glb(model, COPYRIGHT))
        worn.write_bytes(to_glb(without(model, _chains(model)), COPYRIGHT))
        whole_m, worn_m = load_model(whole), load_model(worn)
    try:
        scale = studio.fit(worn_m, [0.0], SPRITE_PX_PER_MM, SPRITE_MAX_PX)
        front = studio.sprite(r, worn_m, 0.0, scale, spec.lobe, full_width=True)
        studio.save(front.rgba, folder / "piece.png")
        for old in folder.glob("yaw_*.png"):
            old.unlink()
        yaws = []
        angles = YAWS.get(spec.category, FACE_YAWS)
        scale = studio.fit(worn_m, [float(a) for a in angles], YAW_PX_PER_MM, YAW_MAX_PX)
        for yaw in angles:
            shot = studio.sprite(r, worn_m, float(yaw), scale, spec.lobe)
            studio.save(shot.rgba, folder / _yaw_name(yaw))
            yaws.append({"yaw": yaw, "image": _yaw_name(yaw), "anchor": list(shot.anchor),
                         "px_per_mm": round(shot.px_per_mm, 4)})
        studio.save(studio.tile(r, whole_m, TILE_PX, HAND_TILE_TURN.get(spec.category)), folder / "tile.png")
    finally:
        r.unload(whole_m)
        r.unload(worn_m)
    return {"image": "piece.png", "anchor": list(front.anchor), "yaw_sprites": yaws, "tile": "tile.png"}


def _read(path: Path, default: dict[str, object]) -> dict[str, object]:
    data: dict[str, object] = json.loads(path.read_text()) if path.exists() else default
    return data


def update_manifest(spec: Spec, out: Path, w: float, images: dict[str, Any] | None) -> None:
    """The piece's manifest with its models, its width from the model and, when rendered, its
    images; a new piece gets a whole manifest. One model serves both ears: a single image."""
    path = out / spec.id / "manifest.json"
    m = _read(path, {"id": spec.id, "name": spec.name, "category": spec.category, "style": spec.style,
                     "price": spec.price})
    if images is not None:
        m.pop("images", None)
        m.update(images)
    m["width_mm"] = w
    m.setdefault("jeweler_id", "abharana")
    m["model"] = "model.glb"
    m["model_live"] = "model_live.glb"
    path.write_text(json.dumps(m, indent=2) + "\n")


def write_set(sid: str, out: Path) -> None:
    name, price, pieces = SETS[sid]
    path = out / sid / "manifest.json"
    m = _read(path, {"id": sid, "name": name, "category": "set", "price": price, "jeweler_id": "abharana"})
    m["pieces"] = pieces
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(m, indent=2) + "\n")


def _renderer() -> Renderer | None:
    from kiosk.render.context import RenderUnavailable
    from kiosk.render.renderer import Renderer

    try:
        return Renderer()
    except RenderUnavailable as e:
        print(f"cannot render the sprites and tiles: no OpenGL context ({e.reason}); "
              "--models-only writes the models alone", file=sys.stderr)
        return None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Build the bundled catalogue's 3D pieces and their renders.")
    ap.add_argument("--out", type=Path, default=HERE, help="catalogue folder (default: this one)")
    ap.add_argument("--only", nargs="*", default=None,
                    help="piece or set ids to build (other pieces and sets are left alone)")
    ap.add_argument("--models-only", action="store_true",
                    help="write model.glb and model_live.glb only: no renders, manifests left alone")
    a = ap.parse_args(argv)
    known = {s.id: s for s in CATALOGUE}
    unknown = [x for x in a.only or [] if x not in known and x not in SETS]
    if unknown:
        print(f"unknown piece ids: {', '.join(unknown)}; known: {', '.join([*known, *SETS])}",
              file=sys.stderr)
        return 2
    r = None if a.models_only else _renderer()
    if r is None and not a.models_only:
        return 1
    try:
        for spec in CATALOGUE:
            if a.only and spec.id not in a.only:
                continue
            model, live, data = write_model(spec, a.out)
            w = width_mm(model)
            if r is not None:
                update_manifest(spec, a.out, w, write_images(r, spec, model, a.out / spec.id))
            kib = len(data) / 1024
            print(f"{spec.id:18s} {model.triangles():6d} triangles ({live.triangles():5d} live) "
                  f"{w:6.1f} mm wide {kib:7.1f} KiB")
        if r is not None:
            for sid in SETS:
                if not a.only or sid in a.only:
                    write_set(sid, a.out)
    except OSError as e:
        print(f"cannot write the catalogue under {a.out}: {e.strerror or e}", file=sys.stderr)
        return 1
    finally:
        if r is not None:
            r.release()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
