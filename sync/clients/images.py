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


def read_photo(image: Path) -> bytes | Rejected:
    """The shared photo from the outbox, or why it can never be sent (both image stores)."""
    try:
        return image.read_bytes()
    except OSError as e:
        return Rejected(f"the shared photo {image.name} cannot be read: {e.strerror}")


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
        headers = {"Idempotency-Key": idempotency_key}
        if self.key:
            headers["Authorization"] = f"Bearer {self.key}"
        data = {k: "" if v is None else str(v) for k, v in meta.items()}
        try:
            resp = self.http.post(self.endpoint, data=data, headers=headers,
                                  files={"image": (image.name, jpeg, "image/jpeg")})
        except httpx.TransportError as e:
            return retry_for_transport(e)
        if 300 <= resp.status_code < 400:
            return redirect_retry(resp, "[share] upload_url")
        body = json_body(resp)
        has_detail = isinstance(body, dict) and body.get("detail")
        message = str(body["detail"]) if has_detail else answer_text(resp)
        if resp.is_success:
            urls = (body.get("image_url"), body.get("page_url")) if isinstance(body, dict) else (None, None)
            if all(isinstance(u, str) and u.startswith(("http://", "https://")) and len(u) <= MAX_URL
                   for u in urls):
                return Delivered(json.dumps({"image_url": urls[0], "page_url": urls[1]}))
            return not_api_retry(resp, "image store")
        if is_retryable_status(resp.status_code):
            return retry_for_status(resp, message)
        if body is None:
            return not_api_retry(resp, "image store")
        return Rejected(f"HTTP {resp.status_code}: {message}")
