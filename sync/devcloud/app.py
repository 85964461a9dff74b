"""The devcloud FastAPI app: seed 000 (events), seed 001 (person API), seed 003 (messaging:
auth + send), an image store for shared photos, and an HQ page.

Test and demo controls live under /_devcloud/ (faults, counters, request log); they are not
part of any seed.
"""

from __future__ import annotations

import hashlib
import json
import math
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.datastructures import UploadFile

from sync.devcloud import commerce, hq, images, messaging, tryon
from sync.devcloud import events as E
from sync.devcloud import persons as P
from sync.devcloud.auth import CSRF_COOKIE, SESSION_COOKIE, AuthError, Sessions
from sync.devcloud.db import CloudDB
from sync.devcloud.faults import PORTAL_HTML, PORTAL_PATH, FaultMiddleware, Faults, RequestLog

DEFAULT_USERS = {"kiosk@demo.local": "demo-password"}
ORGANIZATION = "00000000-0000-4000-8000-000000000001"


def _event_error(message: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"status": "error", "message": message}, status_code=status)


def _api_error(message: str, status: int, details: dict[str, list[str]] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"error": message}
    if details is not None:
        body["details"] = details
    return JSONResponse(body, status_code=status)


def _forbidden(detail: str) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=403)


def _media_type(request: Request, wanted: str) -> JSONResponse | None:
    """DRF's answer when the view's parser does not take the body's type (seed 001 says which)."""
    got = request.headers.get("content-type", "").split(";")[0].strip()
    if got == wanted:
        return None
    return JSONResponse({"detail": f'Unsupported media type "{got}" in request.'}, status_code=415)


def _invalid(details: dict[str, list[str]]) -> JSONResponse:
    return _api_error("Invalid data provided", 400, details)


def stamp() -> str:
    """created_at/updated_at as DRF renders a DateTimeField (microseconds, Z)."""
    return P.drf_time(datetime.now(UTC))


def create_app(data_dir: Path, faults: Faults | None = None,
               users: dict[str, str] | None = None, upload_key: str | None = None) -> FastAPI:
    faults = faults or Faults()
    db = CloudDB(data_dir, lambda: not faults.ignore_idempotency)
    sessions = Sessions(users or DEFAULT_USERS, faults)
    reqlog = RequestLog()
    app = FastAPI(title="Kiosk devcloud", docs_url="/_devcloud/docs", openapi_url="/_devcloud/openapi.json",
                  redoc_url=None)
    app.add_middleware(FaultMiddleware, faults=faults, log=reqlog)
    app.state.db, app.state.faults, app.state.sessions, app.state.log = db, faults, sessions, reqlog
    app.include_router(images.router(db, upload_key))
    app.include_router(messaging.router(db, faults, users or DEFAULT_USERS))
    app.include_router(commerce.router(faults))
    app.include_router(tryon.router(faults))

    # ---- seed 000 --------------------------------------------------------------------------

    @app.post("/v1/events")
    async def post_event(request: Request) -> Response:
        # The seed's example sends -H "Content-Type: application/json"; a body in any other
        # type is refused as a JSON API would.
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
            return _event_error("Content-Type must be application/json", 415)
        try:
            env = E.parse(await request.body())
        except E.Invalid as e:
            return _event_error(str(e))
        event_id, _dup = db.add_event(env, request.headers.get("idempotency-key"))
        return JSONResponse({"status": "ok", "event_id": event_id})

    # ---- seed 001: auth ---------------------------------------------------------------------

    @app.get("/api/auth/login/")
    async def login_form() -> Response:
        # Like Django's ensure_csrf_cookie on a login page: hands out a CSRF cookie.
        resp = JSONResponse({"detail": 'Method "GET" not allowed.'}, status_code=405)
        resp.set_cookie(CSRF_COOKIE, uuid.uuid4().hex, samesite="lax")
        return resp

    @app.post("/api/auth/login/")
    async def login(request: Request) -> Response:
        ctype = request.headers.get("content-type", "")
        try:
            if ctype.startswith("application/json"):
                data = json.loads(await request.body())
            else:
                data = dict(await request.form())
        except ValueError:
            return _api_error("Invalid data provided", 400, {"non_field_errors": ["Malformed body."]})
        if not isinstance(data, dict):
            return _api_error("Invalid data provided", 400, {"non_field_errors": ["Expected an object."]})
        missing = {k: ["This field is required."] for k in ("email", "password")
                   if not isinstance(data.get(k), str) or not data.get(k)}
        if missing:
            return _api_error("Invalid data provided", 400, missing)
        got = sessions.login(data["email"], data["password"])
        if got is None:
            return _api_error("Invalid email or password", 400)
        sid, csrf = got
        user = {"id": str(uuid.uuid5(uuid.NAMESPACE_URL, data["email"])), "email": data["email"],
                "first_name": "Kiosk", "last_name": "Device", "is_verified": True}
        resp = JSONResponse({"message": "Login successful", "user": user})
        resp.set_cookie(SESSION_COOKIE, sid, httponly=True, samesite="lax")
        resp.set_cookie(CSRF_COOKIE, csrf, samesite="lax")
        return resp

    # ---- seed 001: persons ------------------------------------------------------------------

    @app.post("/api/client/person/")
    async def create_person(request: Request) -> Response:
        try:
            sessions.check(request, unsafe=True)
        except AuthError as e:
            return _forbidden(e.detail)
        if (refused := _media_type(request, "multipart/form-data")) is not None:
            return refused
        form = await request.form()
        fields: dict[str, Any] = {}
        image: UploadFile | None = None
        for name, value in form.multi_items():
            if name == "image" and isinstance(value, UploadFile):
                image = value
            elif isinstance(value, UploadFile):
                return _invalid({name: ["Unknown field: not part of the person resource."]})
            else:
                fields[name] = value
        try:
            clean = P.validate(fields, from_form=True)
        except P.Invalid as e:
            return _invalid(e.details)
        key = request.headers.get("idempotency-key")
        seen = db.person_by_key(key)
        if seen is not None:
            return JSONResponse(P.create_view(seen), status_code=201)
        person_id = str(uuid.uuid4())
        image_path, content = None, b""
        if image is not None:
            content = await image.read()
            if not content.startswith((b"\xff\xd8", b"\x89PNG")):
                return _invalid({"image": ["Upload a valid image. The file you uploaded was either"
                                           " not an image or a corrupted image."]})
            ext = ".png" if content.startswith(b"\x89PNG") else ".jpg"
            image_path = f"people/{person_id}{ext}"
            (db.media / image_path).write_bytes(content)
        person = P.new_person(person_id, ORGANIZATION, clean, image_path, stamp())
        sent = clean | {"image": hashlib.sha256(content).hexdigest() if image is not None else None}
        db.add_person(person, key, sent)
        return JSONResponse(P.create_view(person), status_code=201)

    def authed_person(request: Request, person_id: str, unsafe: bool) -> dict[str, Any] | Response:
        try:
            sessions.check(request, unsafe=unsafe)
        except AuthError as e:
            return _forbidden(e.detail)
        person = db.get_person(person_id)
        return _api_error("Person not found", 404) if person is None else person

    @app.put("/api/client/person/{person_id}/")
    async def update_person(person_id: str, request: Request) -> Response:
        person = authed_person(request, person_id, unsafe=True)
        if isinstance(person, Response):
            return person
        if (refused := _media_type(request, "application/json")) is not None:
            return refused
        try:
            data = json.loads(await request.body())
        except ValueError:
            return _api_error("Invalid data provided", 400, {"non_field_errors": ["Malformed JSON."]})
        if not isinstance(data, dict):
            return _api_error("Invalid data provided", 400, {"non_field_errors": ["Expected an object."]})
        try:
            clean = P.validate(data, from_form=False)
        except P.Invalid as e:
            return _invalid(e.details)
        person.update(clean)
        person["updated_at"] = stamp()
        db.save_person(person)
        return JSONResponse(P.list_view(person))

    @app.get("/api/client/persons/")
    async def list_persons(request: Request) -> Response:
        try:
            sessions.check(request, unsafe=False)
        except AuthError as e:
            return _forbidden(e.detail)
        # As DRF's PageNumberPagination: a page that is not a number (or past the end) is a
        # 404 "Invalid page."; a bad page_size falls back to the default, capped at 100.
        raw_page, raw_size = request.query_params.get("page", "1"), request.query_params.get("page_size", "")
        page = int(raw_page) if raw_page.isdigit() else 0
        page_size = min(int(raw_size), 100) if raw_size.isdigit() and int(raw_size) > 0 else 10
        total, rows = db.list_persons((max(page, 1) - 1) * page_size, page_size)
        pages = max(1, math.ceil(total / page_size))
        if page < 1 or page > pages:
            return JSONResponse({"detail": "Invalid page."}, status_code=404)
        return JSONResponse({
            "count": total, "total_pages": pages, "current_page": page, "page_size": page_size,
            "has_next": page < pages, "has_previous": page > 1,
            "next_page": page + 1 if page < pages else None,
            "previous_page": page - 1 if page > 1 else None,
            "results": [P.list_view(p) for p in rows]})

    @app.get("/api/client/person/{person_id}/detail/")
    async def person_detail(person_id: str, request: Request) -> Response:
        person = authed_person(request, person_id, unsafe=False)
        if isinstance(person, Response):
            return person
        return JSONResponse(P.list_view(person) | {"carts": []})

    @app.get("/media/people/{name}")
    async def media(name: str) -> Response:
        path = db.media / "people" / Path(name).name
        if not path.is_file():
            return _api_error("Not found", 404)
        return FileResponse(path)

    @app.get(PORTAL_PATH, response_class=HTMLResponse)
    async def portal_login() -> str:
        # Where the captive-portal fault sends the kiosk: a login page, as store Wi-Fi shows.
        return PORTAL_HTML.format(url=PORTAL_PATH)

    # ---- HQ page and controls ---------------------------------------------------------------

    @app.get("/", response_class=HTMLResponse)
    async def hq_page() -> str:
        return hq.render(db.events(), db.counts(), faults, db.messages(), db.images())

    @app.get("/_devcloud/faults")
    async def get_faults() -> dict[str, Any]:
        return faults.as_dict()

    @app.post("/_devcloud/faults")
    async def set_faults(request: Request) -> Response:
        changes = await request.json()
        action = changes.pop("action", None) if isinstance(changes, dict) else None
        try:
            faults.update(changes)
        except (ValueError, TypeError) as e:
            return JSONResponse({"error": str(e)}, status_code=400)
        if action == "rotate_csrf":
            sessions.rotate_all_csrf()
        elif action == "expire_sessions":
            sessions.expire_all()
        return JSONResponse(faults.as_dict())

    @app.get("/_devcloud/stats")
    async def stats() -> dict[str, Any]:
        # *_repeats: re-sends recognised by their Idempotency-Key; *_duplicates: rows stored more
        # than once (same key, or same content without one); faults: how often each struck.
        return db.counts() | {"logins": sessions.logins, "faults": dict(reqlog.tally)}

    @app.get("/_devcloud/requests")
    async def requests_log() -> list[dict[str, Any]]:
        return reqlog.list()

    @app.get("/_devcloud/messages")
    async def messages_log() -> list[dict[str, Any]]:
        return db.messages()

    @app.get("/_devcloud/events")
    async def events(session_id: str | None = None) -> list[dict[str, Any]]:
        return db.events(session_id)

    return app
