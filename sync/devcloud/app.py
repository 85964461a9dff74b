"""The devcloud FastAPI app: seed 000 (events), seed 001 (person API), seed 003 (messaging:
auth + send), an image store for shared photos, and an HQ page.

Test and demo controls live under /_devcloud/ (faults, counters, request log); they are not
part of any seed.
"""

from __future__ import annotations

import json
import math
import uuid
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from kiosk.store.events import Envelope
from sync.devcloud import commerce, hq, images, messaging, tryon
from sync.devcloud import persons as P
from sync.devcloud.auth import CSRF_COOKIE, SESSION_COOKIE, AuthError, Sessions
from sync.devcloud.db import CloudDB, now_iso
from sync.devcloud.faults import FaultMiddleware, Faults, RequestLog

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


def _describe(e: ValidationError) -> str:
    err = e.errors()[0]
    loc = ".".join(str(p) for p in err["loc"])
    msg = str(err["msg"]).removeprefix("Value error, ")
    return f"{loc}: {msg}" if loc else msg


def create_app(data_dir: Path, faults: Faults | None = None,
               users: dict[str, str] | None = None, upload_key: str | None = None) -> FastAPI:
    faults = faults or Faults()
    db = CloudDB(data_dir)
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
        raw = await request.body()
        try:
            env = Envelope.model_validate_json(raw, strict=True)
        except ValidationError as e:
            if any(err["type"] == "json_invalid" for err in e.errors()):
                return _event_error("Invalid JSON body")
            return _event_error(_describe(e))
        key = request.headers.get("idempotency-key")
        event_id, _dup = db.add_event(env.model_dump(mode="json"), key)
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
        if not request.headers.get("content-type", "").startswith("multipart/form-data"):
            return _api_error("Invalid data provided", 400,
                              {"non_field_errors": ["Send multipart/form-data."]})
        form = await request.form()
        fields: dict[str, Any] = {}
        image: UploadFile | None = None
        for name, value in form.multi_items():
            if name == "image" and isinstance(value, UploadFile):
                image = value
            else:
                fields[name] = value
        if "vector" not in fields:
            return _api_error("Invalid data provided", 400, {"vector": ["This field is required."]})
        try:
            clean = P.validate(fields, P.CREATE_FIELDS, from_form=True)
        except P.Invalid as e:
            return _api_error("Invalid data provided", 400, e.details)
        key = request.headers.get("idempotency-key")
        if key:
            seen = db.person_by_key(key)
            if seen is not None:
                return JSONResponse(P.create_view(seen), status_code=201)
        person_id = str(uuid.uuid4())
        image_path = None
        if image is not None:
            content = await image.read()
            if not content.startswith((b"\xff\xd8", b"\x89PNG")):
                return _api_error("Invalid data provided", 400, {"image": [
                    "Upload a valid image. The file you uploaded was either not an image"
                    " or a corrupted image."]})
            ext = ".png" if content.startswith(b"\x89PNG") else ".jpg"
            image_path = f"people/{person_id}{ext}"
            (db.media / image_path).write_bytes(content)
        stamp = now_iso()
        person = {"id": person_id, "organization": ORGANIZATION, "full_name": None, "phone_number": None,
                  "vector": clean["vector"], "image": image_path, "age": clean.get("age"),
                  "gender": clean.get("gender"), "emotion": clean.get("emotion"),
                  "body_type": clean.get("body_type"), "entry_time": clean.get("entry_time"),
                  "exit_time": clean.get("exit_time"), "created_at": stamp, "updated_at": stamp}
        db.add_person(person, key)
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
        try:
            data = json.loads(await request.body())
        except ValueError:
            return _api_error("Invalid data provided", 400, {"non_field_errors": ["Malformed JSON."]})
        if not isinstance(data, dict):
            return _api_error("Invalid data provided", 400, {"non_field_errors": ["Expected an object."]})
        try:
            clean = P.validate(data, P.UPDATE_FIELDS, from_form=False)
        except P.Invalid as e:
            return _api_error("Invalid data provided", 400, e.details)
        person.update(clean)
        person["updated_at"] = now_iso()
        db.save_person(person)
        return JSONResponse(P.list_view(person))

    @app.get("/api/client/persons/")
    async def list_persons(request: Request, page: int = 1, page_size: int = 10) -> Response:
        try:
            sessions.check(request, unsafe=False)
        except AuthError as e:
            return _forbidden(e.detail)
        page_size = max(1, min(page_size, 100))
        total, rows = db.list_persons((page - 1) * page_size, page_size)
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

    # ---- HQ page and controls ---------------------------------------------------------------

    @app.get("/", response_class=HTMLResponse)
    async def hq_page() -> str:
        return hq.render(db.events(), db.counts(), faults, db.messages())

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
        return db.counts() | {"logins": sessions.logins}

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
