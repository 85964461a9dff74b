"""What both seeds' servers share: log-in by email, and one URLconf per port."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest, HttpResponse

from tests.realservers.hits import HITS, SCOPE_KEY, Hit

URLCONFS = {"persons": "tests.realservers.persons.urls", "commerce": "tests.realservers.commerce.urls"}


class EmailBackend(ModelBackend):
    """Both seeds log in with {email, password}; Django's User is keyed by username."""

    def authenticate(self, request: HttpRequest | None, username: str | None = None,
                     password: str | None = None, email: str | None = None, **kwargs: Any) -> Any:
        user = get_user_model().objects.filter(email__iexact=email or username or "").first()
        if user is None or password is None or not user.check_password(password):
            return None
        return user if self.user_can_authenticate(user) else None


class ServerSelect:
    """Outermost middleware: the URLconf of the seed this port serves, and the access log.

    Setting ``request.urlconf`` is Django's own per-request URLconf switch; CommonMiddleware's
    APPEND_SLASH check and the resolver both honour it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        server = request.scope[SCOPE_KEY]  # ASGIRequest
        request.urlconf = URLCONFS[server]
        response = self.get_response(request)
        HITS.add(Hit(server, request.method or "", request.path, response.status_code,
                     "HTTP_AUTHORIZATION" in request.META))
        return response
