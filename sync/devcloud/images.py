"""The devcloud's image store: the upload endpoint the kiosk's sync daemon uses for shared
photos (and their try-on clips), and the public page, photo and clip under each unguessable
token (404 unknown, 410 expired: both as branded pages a customer can read)."""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.datastructures import UploadFile

from kiosk.share import page
from sync.devcloud.db import CloudDB

TOKEN_MIN_CHARS = 22          # 128 bits in URL-safe base64
MAX_CLIP_BYTES = 16 * 1024 * 1024     # a 5 s 720p clip is under 4 MB
PRIVATE = {"Cache-Control": "private, no-store", "Referrer-Policy": "no-referrer"}


def _err(detail: str, status: int) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status)


def router(db: CloudDB, upload_key: str | None) -> APIRouter:
    r = APIRouter()

    @r.post("/v1/images")
    async def upload(request: Request) -> Response:
        if upload_key and request.headers.get("authorization") != f"Bearer {upload_key}":
            return _err("Invalid or missing upload key.", 401)
        if not request.headers.get("content-type", "").startswith("multipart/form-data"):
            return _err("Send multipart/form-data.", 400)
        form = await request.form()
        image = form.get("image")
        clip = form.get("clip")
        token = str(form.get("token") or "")
        if not isinstance(image, UploadFile):
            return _err("image: this field is required.", 400)
        if clip is not None and not isinstance(clip, UploadFile):
            return _err("clip: send it as a file part (video/mp4).", 400)
        if len(token) < TOKEN_MIN_CHARS or not token.replace("-", "").replace("_", "").isalnum():
            return _err("token: at least 22 URL-safe characters (128 bits).", 400)
        try:
            expires = float(str(form.get("expires_at")))
            price = float(str(form["price"])) if form.get("price") not in (None, "") else None
        except (TypeError, ValueError):
            return _err("expires_at and price must be numbers.", 400)
        content = await image.read()
        if not content.startswith(b"\xff\xd8"):
            return _err("image: not a JPEG.", 400)
        video = await clip.read(MAX_CLIP_BYTES + 1) if clip is not None else b""
        if clip is not None and (video[4:8] != b"ftyp" or len(video) > MAX_CLIP_BYTES):
            return _err(f"clip: an MP4 file (ftyp box first) of at most {MAX_CLIP_BYTES // 2**20} MB.", 400)
        meta: dict[str, Any] = {"jeweler_name": str(form.get("jeweler_name") or ""),
                                "jewelry_name": str(form.get("jewelry_name") or ""),
                                "price": price, "currency": str(form.get("currency") or ""),
                                # who shared it, for the HQ page's QR shares (the daemon sends them)
                                "session_id": str(form.get("session_id") or ""),
                                "size": page.jpeg_size(content), "clip": bool(video),
                                "details": page.StoreDetails.from_form(form).page()}
        if video:
            # Written before the row, so a page that says there is a clip always has it.
            (db.media / "shares" / f"{token}.mp4").write_bytes(video)
        db.add_image(token, content, expires, meta)
        base = str(request.base_url).rstrip("/")
        answer = {"image_url": f"{base}/s/{token}/photo.jpg", "page_url": f"{base}/s/{token}"}
        if video:
            answer["clip_url"] = f"{base}/s/{token}/clip.mp4"
        return JSONResponse(answer, status_code=201)

    def find(token: str) -> dict[str, Any] | Response:
        img = db.get_image(token)
        if img is None:
            return HTMLResponse(page.gone(expired=False), status_code=404, headers=PRIVATE)
        if time.time() >= img["expires_at"]:
            return HTMLResponse(page.gone(img["jeweler_name"], **img.get("details", {})), status_code=410,
                                headers=PRIVATE)
        return img

    @r.get("/s/{token}")
    async def photo_page(token: str) -> Response:
        img = find(token)
        if isinstance(img, Response):
            return img
        db.image_opened(token)
        size = img.get("size")
        return HTMLResponse(page.render(jeweler=img["jeweler_name"], jewelry=img["jewelry_name"],
                                        price=img["price"], currency=img["currency"],
                                        image_url=f"/s/{token}/photo.jpg", expires_at=img["expires_at"],
                                        clip_url=f"/s/{token}/clip.mp4" if img.get("clip") else None,
                                        photo_size=(int(size[0]), int(size[1])) if size else None,
                                        **img.get("details", {})),
                            headers=PRIVATE)

    @r.get("/s/{token}/photo.jpg")
    async def photo(token: str) -> Response:
        img = find(token)
        if isinstance(img, Response):
            return img
        return FileResponse(img["path"], media_type="image/jpeg",
                            headers={"Cache-Control": "private, no-store"})

    @r.get("/s/{token}/clip.mp4")
    async def clip(token: str) -> Response:
        img = find(token)
        if isinstance(img, Response):
            return img
        path = db.media / "shares" / f"{token}.mp4"
        if not img.get("clip") or not path.is_file():
            return HTMLResponse(page.gone(img["jeweler_name"], expired=False, **img.get("details", {})),
                                status_code=404, headers=PRIVATE)
        # FileResponse answers Range requests, which iOS Safari needs to play a video at all.
        return FileResponse(path, media_type="video/mp4", headers={"Cache-Control": "private, no-store"})

    return r
