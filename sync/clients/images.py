"""Image store: uploads a shared try-on photo and learns its public URLs.

The default backend is the devcloud's upload endpoint (not part of any seed; the devcloud
defines it): ``POST {upload_url}/v1/images`` as multipart/form-data with the JPEG (``image``)
and the page details (``token``, ``expires_at`` epoch seconds, ``jeweler_name``,
``jewelry_name``, ``price``, ``currency``; optional: ``session_id``, the store's
``store_phone``, ``store_whatsapp``, ``store_address``, ``jeweler_accent`` "#rrggbb" and
``jeweler_logo`` a data: URI, see kiosk.share.page.StoreDetails),
``Authorization: Bearer <upload_key>`` and the outbox row id as ``Idempotency-Key``. The
answer ``{"image_url", "page_url"}`` is kept on the share. The page lives under the same
unguessable token and expires with it.

A share with a try-on clip adds the MP4 as the optional file part ``clip`` (``video/mp4``);
the answer then gains ``"clip_url"``, kept on the share too. An image store that does not
name one has still got the photo and the page: the upload counts as delivered (the page falls
back to the photo), and the clip stays on the kiosk's store-Wi-Fi page.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from kiosk.store.outcomes import Delivered, Outcome, Rejected
from sync.clients.http import (
    answer_text,
    is_retryable_status,
    json_body,
    make_client,
    not_api_retry,
    redirect_retry,
    retry_for_status,
    retry_for_transport,
)

MAX_URL = 1500      # each of the two links kept on the share (and put in messages)


def read_photo(image: Path, what: str = "photo") -> bytes | Rejected:
    """The shared photo (or clip) from the outbox, or why it can never be sent (both image stores)."""
    try:
        return image.read_bytes()
    except OSError as e:
        return Rejected(f"the shared {what} {image.name} cannot be read: {e.strerror}")


def upload_parts(meta: dict[str, Any], image: Path) -> tuple[dict[str, Any], bytes | None] | Rejected:
    """The page details without the outbox's own `clip_file`, and the clip's bytes if the share
    has one (a file beside the photo)."""
    meta = dict(meta)
    name = meta.pop("clip_file", None)
    if not name:
        return meta, None
    if "/" in str(name) or str(name).startswith("."):
        return Rejected(f"the clip's file name {name!r} is not one of the kiosk's")
    clip = read_photo(image.parent / str(name), "clip")
    return clip if isinstance(clip, Rejected) else (meta, clip)


def good_url(u: object) -> bool:
    return isinstance(u, str) and u.startswith(("http://", "https://")) and len(u) <= MAX_URL


class ImageStoreClient:
    def __init__(self, upload_url: str, key: str | None, timeout_s: float = 30.0,
                 transport: httpx.BaseTransport | None = None):
        self.endpoint = upload_url.rstrip("/") + "/v1/images"
        self.key = key
        # A photo is a few hundred KB on a store's uplink: more time than an event.
        self.http = make_client(timeout_s, transport, deadline_s=120.0)

    def close(self) -> None:
        self.http.close()

    def upload(self, meta: dict[str, Any], image: Path, idempotency_key: str) -> Outcome:
        jpeg = read_photo(image)
        if isinstance(jpeg, Rejected):
            return jpeg
        parts = upload_parts(meta, image)
        if isinstance(parts, Rejected):
            return parts
        meta, clip = parts
        files = {"image": (image.name, jpeg, "image/jpeg")}
        if clip is not None:
            files["clip"] = (image.with_suffix(".mp4").name, clip, "video/mp4")
        headers = {"Idempotency-Key": idempotency_key}
        if self.key:
            headers["Authorization"] = f"Bearer {self.key}"
        data = {k: "" if v is None else str(v) for k, v in meta.items()}
        try:
            resp = self.http.post(self.endpoint, data=data, headers=headers, files=files)
        except httpx.TransportError as e:
            return retry_for_transport(e)
        if 300 <= resp.status_code < 400:
            return redirect_retry(resp, "[share] upload_url")
        body = json_body(resp)
        has_detail = isinstance(body, dict) and body.get("detail")
        message = str(body["detail"]) if has_detail else answer_text(resp)
        if resp.is_success:
            urls = (body.get("image_url"), body.get("page_url")) if isinstance(body, dict) else (None, None)
            if all(good_url(u) for u in urls):
                got = {"image_url": urls[0], "page_url": urls[1]}
                clip_url = body.get("clip_url") if isinstance(body, dict) and clip is not None else None
                return Delivered(json.dumps(got | ({"clip_url": clip_url} if good_url(clip_url) else {})))
            return not_api_retry(resp, "image store")
        if is_retryable_status(resp.status_code):
            return retry_for_status(resp, message)
        if body is None:
            return not_api_retry(resp, "image store")
        return Rejected(f"HTTP {resp.status_code}: {message}")
