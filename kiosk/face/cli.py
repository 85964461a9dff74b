"""`kiosk face PHOTO... [--json]` and `kiosk face --compare A B`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from kiosk.capture.base import Image, SourceError
from kiosk.capture.sources import load_photo
from kiosk.face.embed import MATCH_THRESHOLD, Embedder, distance

EXIT_OK, EXIT_DIFFERENT, EXIT_INPUT = 0, 1, 2


def _read(path: Path) -> Image | str:
    try:
        return load_photo(path)
    except SourceError as e:
        return str(e)


def analyse(paths: list[Path], as_json: bool) -> int:
    images: list[tuple[Path, Image]] = []
    for p in paths:
        got = _read(p)
        if isinstance(got, str):
            print(f"kiosk face: {got}", file=sys.stderr)
            return EXIT_INPUT
        images.append((p, got))
    from kiosk.face.estimates import Estimator

    embedder, estimator = Embedder(), Estimator()
    report: list[dict[str, Any]] = []
    try:
        for path, img in images:
            faces = embedder.analyse(img, encode_all=True)
            out = []
            for i, f in enumerate(faces):
                est = estimator.estimate(img, f.box)
                vector = [round(float(x), 6) for x in f.vector] if f.vector is not None else None
                out.append({"primary": i == 0, "box": list(f.box), "detector_score": round(f.score, 3),
                            "quality": f.quality.as_json() if f.quality else None, "vector": vector,
                            **est.as_json()})
            report.append({"image": str(path), "faces": len(faces), "results": out})
    finally:
        embedder.close()
        estimator.close()
    if as_json:
        print(json.dumps(report, indent=2))
        return EXIT_OK
    for item in report:
        print(f"{item['image']}: {item['faces']} face(s)")
        for r in item["results"]:
            mark = "primary " if r["primary"] else "        "
            q = r["quality"]
            issues = "" if q["ok"] else " (" + "; ".join(q["problems"]) + ")"
            print(f"  {mark}box {r['box']}  age {r['age']}  {r['gender']}  {r['emotion']}  "
                  f"body {r['body_type']}  quality {q['score']}{issues}")
    return EXIT_OK


def compare(a: Path, b: Path) -> int:
    vectors = []
    embedder = Embedder()
    try:
        for p in (a, b):
            got = _read(p)
            if isinstance(got, str):
                print(f"kiosk face: {got}", file=sys.stderr)
                return EXIT_INPUT
            faces = embedder.detect(got)
            if not faces:
                print(f"kiosk face: {p}: no face found", file=sys.stderr)
                return EXIT_INPUT
            vectors.append(embedder.encode(got, faces[0]))
    finally:
        embedder.close()
    d = distance(vectors[0], vectors[1])
    same = d <= MATCH_THRESHOLD
    print(f"distance {d:.3f} (threshold {MATCH_THRESHOLD}): {'same person' if same else 'different people'}")
    return EXIT_OK if same else EXIT_DIFFERENT
