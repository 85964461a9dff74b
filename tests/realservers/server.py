"""Both seeds' Django servers on loopback ports (uvicorn running Django's ASGI handler in a
thread), the test hooks, and what the tests read back from the servers' database."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sync.devcloud.server import Background
from tests.realservers import settings as project
from tests.realservers.hits import HITS, SCOPE_KEY, Hit

EMAIL = "kiosk@example.com"     # the person API account in tests/conftest.py's config
PASSWORD = "s3cret-pass"


def _for(server: str, handler: Any) -> Any:
    """The ASGI app of one seed's port: Django's handler, told which seed it is."""

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        await handler({**scope, SCOPE_KEY: server}, receive, send)

    return app


@dataclass
class RealServers:
    persons_bg: Background
    commerce_bg: Background
    media: Path
    product_ids: list[int]

    @property
    def persons_root(self) -> str:
        """Seed 001's host (seed 000's events endpoint is on it too: both say localhost:8000)."""
        return self.persons_bg.url

    @property
    def person_url(self) -> str:
        return self.persons_bg.url + "/api/"

    @property
    def commerce_url(self) -> str:
        return self.commerce_bg.url + "/api/"

    def stop(self) -> None:
        self.persons_bg.stop()
        self.commerce_bg.stop()

    # ---- hooks --------------------------------------------------------------------------

    def reset(self) -> None:
        """Between tests: no persons, events, sessions, tokens, throttle history or faults."""
        from django.contrib.sessions.models import Session
        from django.core.cache import cache
        from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

        from tests.realservers.persons.models import Event, Person
        from tests.realservers.persons.views import FAULTS

        Person.objects.all().delete()
        Event.objects.all().delete()
        Session.objects.all().delete()
        OutstandingToken.objects.all().delete()
        cache.clear()
        HITS.clear()
        FAULTS.broadcast_failures = 0

    def fail_broadcasts(self, n: int) -> None:
        from tests.realservers.persons.views import FAULTS

        FAULTS.broadcast_failures = n

    def end_sessions(self) -> None:
        """Every session gone server-side (expired, flushed): the cookies the kiosk holds are stale."""
        from django.contrib.sessions.models import Session

        Session.objects.all().delete()

    # ---- what the servers hold ----------------------------------------------------------

    def hits(self, server: str | None = None) -> list[Hit]:
        return HITS.list(server)

    def persons(self) -> list[dict[str, Any]]:
        from tests.realservers.persons.models import Person

        return [{"id": str(p.id), "full_name": p.full_name, "phone_number": p.phone_number, "age": p.age,
                 "gender": p.gender, "emotion": p.emotion, "body_type": p.body_type,
                 "entry_time": p.entry_time, "exit_time": p.exit_time, "vector": p.vector,
                 "image": p.image.name if p.image else None}
                for p in Person.objects.order_by("created_at")]

    def events(self) -> list[dict[str, Any]]:
        from tests.realservers.persons.models import Event

        return [e.body for e in Event.objects.all()]

    def expired_access_token(self) -> str:
        """A seller access token SimpleJWT signed and that has run out (no waiting 3 s)."""
        from datetime import timedelta

        from django.contrib.auth import get_user_model
        from rest_framework_simplejwt.tokens import AccessToken

        from sync.devcloud.commerce import SELLER_LOGIN

        token = AccessToken.for_user(get_user_model().objects.get(email=SELLER_LOGIN[0]))
        token.set_exp(lifetime=-timedelta(seconds=1))
        return str(token)

    def blacklisted(self) -> int:
        from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken

        return int(BlacklistedToken.objects.count())


def start(root: Path) -> RealServers:
    """Configure Django (once per process), fill its database, and serve both seeds."""
    project.configure(root)
    from django.contrib.auth import get_user_model
    from django.core.asgi import get_asgi_application

    from tests.realservers.commerce import catalogue

    get_user_model().objects.create_user("kiosk", EMAIL, PASSWORD, first_name="Kiosk", last_name="Store 1")
    ids = catalogue.load()
    handler = get_asgi_application()
    return RealServers(Background(_for("persons", handler)), Background(_for("commerce", handler)),
                       root / "media", ids)
