"""Seed 002 (commerce API) client for the catalogue import.

Public reads need no login: ``GET products/public/list/`` (``category``, ``search``),
``products/public/{id}/`` and ``products/public/vendor/{vendor_id}/``. A seller's own drafts
need JWT: ``POST auth/login/`` → ``{access, refresh}``, ``Authorization: Bearer``, and on a 401
one ``POST auth/token/refresh/`` (a new login if the refresh token is refused too) and one
repeat. A refresh answer that carries a new ``refresh`` (SimpleJWT's ROTATE_REFRESH_TOKENS) is
kept: such servers blacklist the old one, so using it again would force a login every time.
Errors are ``{error, details}``, turned into one plain sentence.

Where the seed is silent (a careful integrator's reading):
- the vendor endpoint's "vendor info + their products" is ``{"vendor": {...}, "products":
  [...]}``; a bare list, ``results`` (DRF pagination) or ``vendor.products`` are read too;
- lists may be paginated DRF-style (``{"results", "next"}``): ``next`` is followed;
- ``images`` items may be URLs or objects with ``image``/``url``/``image_url``; the one with
  ``is_primary`` comes first;
- image and logo URLs may be relative: a DRF ImageField serialised without the request in its
  context gives ``"/media/x.png"``, a bare FileField name gives ``"products/x.png"``. They are
  resolved as a browser would (RFC 3986) against ``media_url`` when the store set one (the
  server's MEDIA_URL, e.g. on a CDN), else against the API root; only http(s) is fetched.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from sync.clients.http import answer_text, json_body, make_client, short

MAX_PAGES = 50
MAX_IMAGE_BYTES = 20 * 1024 * 1024


class CommerceError(Exception):
    """Something the technician reads as is."""


def error_text(resp: httpx.Response) -> str:
    body = json_body(resp)
    if isinstance(body, dict) and body.get("error"):
        details = body.get("details")
        if isinstance(details, dict) and details:
            parts = [f"{k}: {' '.join(map(str, v)) if isinstance(v, list) else v}"
                     for k, v in details.items()]
            return f"{body['error']} ({'; '.join(parts)})"
        return str(body["error"])
    if isinstance(body, dict) and body.get("detail"):
        return str(body["detail"])
    return f"HTTP {resp.status_code} {answer_text(resp, 120)}"


class CommerceClient:
    def __init__(self, base_url: str, email: str = "", password: Callable[[], str | None] = lambda: None,
                 timeout_s: float = 20.0, transport: httpx.BaseTransport | None = None,
                 media_url: str | None = None):
        self.api = base_url.rstrip("/") + "/"
        self.media = media_url.rstrip("/") + "/" if media_url else self.api
        self.email, self._password = email, password
        self.http = make_client(timeout_s, transport)
        self._lock = threading.Lock()
        self._access: str | None = None
        self._refresh: str | None = None
        self.logins = self.refreshes = 0

    def close(self) -> None:
        self.http.close()

    # ---- public reads ---------------------------------------------------------------------

    def public_list(self, category: str | None = None, search: str | None = None) -> list[dict[str, Any]]:
        params = {k: v for k, v in (("category", category), ("search", search)) if v}
        return self._pages("products/public/list/", params)

    def product(self, product_id: int | str) -> dict[str, Any]:
        body = self._get(f"products/public/{product_id}/")
        if not isinstance(body, dict):
            raise CommerceError(f"product {product_id}: not a product answer")
        return body

    def vendor(self, vendor_id: int | str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        body = self._get(f"products/public/vendor/{vendor_id}/")
        if isinstance(body, list):
            return {"id": vendor_id}, [p for p in body if isinstance(p, dict)]
        if not isinstance(body, dict):
            raise CommerceError(f"vendor {vendor_id}: not a vendor answer")
        info = body.get("vendor") or body.get("seller") or {k: v for k, v in body.items() if k != "products"}
        if not isinstance(info, dict):
            info = {"id": vendor_id}
        products = body.get("products") or body.get("results") or info.get("products") or []
        return info, [p for p in products if isinstance(p, dict)]

    def own_products(self, status: str | None = None) -> list[dict[str, Any]]:
        """The signed-in seller's products (drafts included with status="draft")."""
        return self._pages("products/", {"status": status} if status else {}, auth=True)

    def resolve(self, url: str) -> str:
        """An image URL from an answer as one to fetch (relative ones against the media root)."""
        full = urljoin(self.media, url.strip())
        parts = urlsplit(full)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise CommerceError(f"image {short(url, 120)!r} is not an http(s) address")
        return full

    def download(self, url: str) -> bytes:
        url = self.resolve(url)
        try:
            # A product photo is far bigger than an API answer: its own limit and deadline.
            with self.http.stream("GET", url, extensions={"max_body": MAX_IMAGE_BYTES,
                                                          "deadline_s": 120.0}) as resp:
                if not resp.is_success:
                    raise CommerceError(f"image {url}: HTTP {resp.status_code}")
                data = b""
                for chunk in resp.iter_bytes():
                    data += chunk
                    if len(data) > MAX_IMAGE_BYTES:
                        raise CommerceError(f"image {url}: larger than {MAX_IMAGE_BYTES // 2**20} MB")
                return data
        except httpx.TransportError as e:
            raise CommerceError(f"image {url}: cannot download ({e or type(e).__name__})") from e

    # ---- plumbing -------------------------------------------------------------------------

    def _pages(self, path: str, params: dict[str, str], auth: bool = False) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        url: str | None = self.api + path
        for _ in range(MAX_PAGES):
            if url is None:
                break
            body = self._get(url, params, auth)
            params = {}                                 # `next` carries them
            if isinstance(body, dict) and isinstance(body.get("results"), list):
                out += [p for p in body["results"] if isinstance(p, dict)]
                url = body.get("next") or None
            elif isinstance(body, list):
                out += [p for p in body if isinstance(p, dict)]
                url = None
            else:
                raise CommerceError(f"{path}: not a product list")
        return out

    def _get(self, path: str, params: dict[str, str] | None = None, auth: bool = False) -> Any:
        url = path if path.startswith("http") else self.api + path
        for attempt in range(2):
            headers = {"Authorization": f"Bearer {self._token(fresh=attempt > 0)}"} if auth else {}
            try:
                resp = self.http.get(url, params=params, headers=headers)
            except httpx.TransportError as e:
                why = str(e) or type(e).__name__
                raise CommerceError(f"cannot reach the commerce API at {self.api} ({why})") from e
            if resp.status_code == 401 and auth and attempt == 0:
                continue
            if not resp.is_success:
                raise CommerceError(f"{path.removeprefix(self.api)}: {error_text(resp)}")
            return json_body(resp)
        raise AssertionError("unreachable")

    def _token(self, fresh: bool) -> str:
        with self._lock:
            if fresh:
                self._access = None
                if self._refresh:
                    self._access = self._try_refresh()
            if self._access is None:
                self._login()
            assert self._access is not None
            return self._access

    def _try_refresh(self) -> str | None:
        try:
            resp = self.http.post(self.api + "auth/token/refresh/", json={"refresh": self._refresh})
        except httpx.TransportError as e:
            raise CommerceError(f"cannot reach the commerce API ({e or type(e).__name__})") from e
        self.refreshes += 1
        body = json_body(resp)
        if resp.is_success and isinstance(body, dict) and body.get("access"):
            if body.get("refresh"):
                self._refresh = str(body["refresh"])
            return str(body["access"])
        self._refresh = None
        return None

    def _login(self) -> None:
        password = self._password()
        if not self.email or not password:
            raise CommerceError("drafts need a seller login: set catalog.email and catalog.password")
        try:
            resp = self.http.post(self.api + "auth/login/", json={"email": self.email, "password": password})
        except httpx.TransportError as e:
            raise CommerceError(f"cannot reach the commerce API ({e or type(e).__name__})") from e
        self.logins += 1
        body = json_body(resp)
        if not resp.is_success or not isinstance(body, dict) or not body.get("access"):
            raise CommerceError(f"login as {self.email} refused: {error_text(resp)}")
        self._access, self._refresh = str(body["access"]), body.get("refresh")
