"""Builds the faces `kiosk simulate` uses for consented person records (seed 001).

Run from the repository root: .venv/bin/python assets/simulate/make_faces.py

Each labelled photo in tests/fixtures/faces goes through the kiosk's own face pipeline, as a
frame from the camera would (kiosk/face/worker.py): MediaPipe box → quality gate → dlib
128-d encoding → on-device age/gender/emotion/body-type estimates → the face crop the person
record carries. The crops are scaled down to at most CROP_PX on their long side. The results
go to faces/<identity>-<n>.jpg and faces.json here, so simulate needs neither the test tree
nor the face models at run time (encoding a photo takes ~0.3 s; simulate records hundreds).
Photos the quality gate refuses are left out and listed.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import cv2
import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SOURCE = ROOT / "tests" / "fixtures" / "faces"
CROP_PX = 240


def main() -> int:
    sys.path.insert(0, str(ROOT))
    from kiosk.face.embed import Embedder, measure_quality
    from kiosk.face.estimates import Estimator
    from kiosk.face.worker import _known, face_photo

    out_dir = HERE / "faces"
    out_dir.mkdir(exist_ok=True)
    for old in out_dir.glob("*.jpg"):
        old.unlink()
    embedder, estimator = Embedder(), Estimator()
    faces, skipped = [], []
    try:
        for row in csv.DictReader((SOURCE / "labels.csv").open()):
            img = cv2.imread(str(SOURCE / row["path"]))
            found = embedder.detect(img) if img is not None else []
            quality = measure_quality(img, found[0].box) if found else None
            if quality is None or not quality.ok:
                skipped.append(f"{row['path']}: {'; '.join(quality.problems) if quality else 'no face'}")
                continue
            face = found[0]
            vector = embedder.encode(img, face)
            est = estimator.estimate(img, face.box)
            crop = cv2.imdecode(np.frombuffer(face_photo(img, face.box), np.uint8), cv2.IMREAD_COLOR)
            scale = CROP_PX / max(crop.shape[:2])
            if scale < 1:
                crop = cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
            name = f"{row['identity']}-{Path(row['path']).stem}.jpg"
            ok, buf = cv2.imencode(".jpg", crop, [cv2.IMWRITE_JPEG_QUALITY, 85])
            assert ok
            (out_dir / name).write_bytes(bytes(buf))
            faces.append({"file": f"faces/{name}", "identity": row["identity"],
                          "quality": quality.score, "age": est.age, "gender": _known(est.gender),
                          "emotion": _known(est.emotion), "body_type": _known(est.body_type),
                          "source": row["source"], "license": row["license"],
                          "vector": [round(float(x), 6) for x in vector]})
    finally:
        embedder.close()
        estimator.close()
    (HERE / "faces.json").write_text(json.dumps({"generated_by": "assets/simulate/make_faces.py",
                                                 "faces": faces}, indent=1) + "\n")
    print(f"{len(faces)} faces written to {out_dir}")
    for s in skipped:
        print(f"  skipped {s}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
