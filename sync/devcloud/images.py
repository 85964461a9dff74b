"""The devcloud's image store: the upload endpoint the kiosk's sync daemon uses for shared
photos, and the public page + photo under each unguessable token (404 unknown, 410 expired)."""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.datastructures import UploadFile

from kiosk.share import page
from sync.devcloud.db import CloudDB

TOKEN_MIN_CHARS = 22          # 128 bits in URL-safe base64


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
        token = str(form.get("token") or "")
        if not isinstance(image, UploadFile):
            return _err("image: this field is required.", 400)
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
        meta: dict[str, Any] = {"jeweler_name": str(form.get("jeweler_name") or ""),
                                "jewelry_name": str(form.get("jewelry_name") or ""),
                                "price": price, "currency": str(form.get("currency") or "")}
        db.add_image(token, content, expires, meta)
        base = str(request.base_url).rstrip("/")
        return JSONResponse({"image_url": f"{base}/s/{token}/photo.jpg", "page_url": f"{base}/s/{token}"},
                            status_code=201)

    def find(token: str) -> dict[str, Any] | Response:
        img = db.get_image(token)
        if img is None:
            return HTMLResponse("<h1>Not found</h1>", status_code=404)
        if time.time() >= img["expires_at"]:
            return HTMLResponse(page.gone(img["jeweler_name"]), status_code=410)
        return img

    @r.get("/s/{token}")
    async def photo_page(token: str, request: Request) -> Response:
        img = find(token)
        if isinstance(img, Response):
            return img
        return HTMLResponse(page.render(jeweler=img["jeweler_name"], jewelry=img["jewelry_name"],
                                        price=img["price"], currency=img["currency"],
                                        image_url=f"/s/{token}/photo.jpg", expires_at=img["expires_at"]),
                            headers={"Cache-Control": "private, no-store", "Referrer-Policy": "no-referrer"})

    @r.get("/s/{token}/photo.jpg")
    async def photo(token: str) -> Response:
        img = find(token)
        if isinstance(img, Response):
            return img
        return FileResponse(img["path"], media_type="image/jpeg",
                            headers={"Cache-Control": "private, no-store"})

    return r
