"""`kiosk tryon` (jewelry on a photo) and `kiosk assets` (the staff asset tool, its preview drawn
worn through the same still path)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kiosk.ops.commandline import EXIT_USAGE, catalogue_config, load_config


def _cmd_tryon(args: argparse.Namespace) -> int:
    from kiosk.tryon import still

    cfg, ok = catalogue_config(args)
    if not ok:
        return EXIT_USAGE
    return still.main(args.photo, args.jewelry, args.out, args.json, args.attire,
                      data_dir=cfg.store.data_dir if cfg else None, coin_mm=args.coin_mm)


def _cmd_assets(args: argparse.Namespace) -> int:
    from kiosk.catalog import tool

    if args.assets_command == "check":
        cfg, ok = catalogue_config(args)
        if not ok:
            return EXIT_USAGE
        return tool.check(cfg.store.data_dir if cfg else None)
    cfg = load_config(args.config)
    if cfg is None:
        return EXIT_USAGE
    anchor = None
    if args.anchor:
        x, _, y = args.anchor.partition(",")
        if not (x.strip().isdigit() and y.strip().isdigit()):
            print("kiosk assets add: --anchor wants X,Y in pixels of the cut-out", file=sys.stderr)
            return EXIT_USAGE
        anchor = (int(x), int(y))
    preview = None
    if args.preview is not None:
        from kiosk.tryon.still import preview_on_sample

        def preview(pid: str) -> None:
            preview_on_sample(cfg.store.data_dir, pid, args.preview)
    return tool.add(cfg.store.data_dir, args.image, jeweler=args.jeweler or cfg.jeweler.id,
                    category=args.category, name=args.name, price=args.price, width_mm=args.width_mm,
                    coin_mm=args.coin_mm, anchor=anchor, preview=preview)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    tr = sub.add_parser("tryon", help="composite jewelry onto a still photo")
    tr.add_argument("photo", type=Path)
    tr.add_argument("--jewelry", required=True, metavar="ID[,ID...]", help="piece or set ids")
    tr.add_argument("--out", type=Path, required=True, metavar="OUT.jpg")
    tr.add_argument("--attire", metavar="ID", help="recolour the outfit (assets/attire/manifest.json)")
    tr.add_argument("--json", action="store_true", help="per piece: anchor, width px/mm, scale, hidden")
    tr.add_argument("--coin-mm", type=float, metavar="MM",
                    help="a coin of this diameter held beside the hand sets the ring and bangle sizes' scale")
    tr.set_defaults(func=_cmd_tryon)

    ast = sub.add_parser("assets", help="staff asset tool: add a piece from a product photo, check manifests")
    ast_sub = ast.add_subparsers(dest="assets_command", required=True, metavar="ACTION")
    add = ast_sub.add_parser("add", help="cut a product photo on a plain background into a wearable piece")
    add.add_argument("image", type=Path)
    add.add_argument("--jeweler", help="jeweler id (default: [jeweler] id)")
    add.add_argument("--category", required=True, help="earring, necklace, nose_ring or maang_tikka")
    add.add_argument("--name", required=True)
    add.add_argument("--price", type=float)
    add.add_argument("--width-mm", type=float, help="the piece's real width in mm")
    add.add_argument("--coin-mm", type=float, help="diameter of a coin lying by the piece, to measure it")
    add.add_argument("--anchor", help="X,Y hook point in the cut-out (default: guessed per category)")
    add.add_argument("--preview", type=Path, help="also write the piece worn on the sample face here")
    ast_sub.add_parser("check", help="validate every jewelry manifest (bundled and in the catalogue)")
    ast.set_defaults(func=_cmd_assets)

