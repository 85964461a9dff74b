"""The Django project's settings, made in code (one project per test process)."""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path

import django
from django.conf import settings
from django.core.management import call_command

SESSION_S = 3       # "sessions expiring every few seconds"
ACCESS_S = 3        # SimpleJWT access tokens
LOGINS_PER_MIN = 10  # seed 001: "Authentication endpoints: 10 requests per minute per IP"


def configure(root: Path) -> None:
    """Configure Django once for this process, with its SQLite database and media under root."""
    if settings.configured:
        raise RuntimeError("Django is already configured in this process")
    root.mkdir(parents=True, exist_ok=True)
    settings.configure(
        DEBUG=False,                      # as deployed: HTML error pages, POSTs redirected by APPEND_SLASH
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS=["127.0.0.1", "localhost"],
        INSTALLED_APPS=[
            "django.contrib.contenttypes",
            "django.contrib.auth",
            "django.contrib.sessions",
            "rest_framework",
            "rest_framework_simplejwt.token_blacklist",
            "tests.realservers.persons",
            "tests.realservers.commerce",
        ],
        MIDDLEWARE=[
            "tests.realservers.common.ServerSelect",
            "django.middleware.security.SecurityMiddleware",
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.middleware.common.CommonMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
        ],
        ROOT_URLCONF="tests.realservers.persons.urls",      # ServerSelect picks per port
        APPEND_SLASH=True,
        TEMPLATES=[{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True}],
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": root / "db.sqlite3",
                               "OPTIONS": {"timeout": 20}}},
        DEFAULT_AUTO_FIELD="django.db.models.AutoField",
        USE_TZ=True,
        TIME_ZONE="UTC",
        MEDIA_ROOT=root / "media",
        MEDIA_URL="/media/",
        SESSION_COOKIE_AGE=SESSION_S,
        AUTHENTICATION_BACKENDS=["tests.realservers.common.EmailBackend"],
        # PBKDF2's million rounds would cost ~0.5 s a login; the wire is the same.
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
        REST_FRAMEWORK={
            # Seed 002's default; seed 001's views name SessionAuthentication themselves.
            "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework_simplejwt.authentication.JWTAuthentication"],
            "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
            "DEFAULT_THROTTLE_RATES": {"person_login": f"{LOGINS_PER_MIN}/min",
                                       "commerce_login": f"{LOGINS_PER_MIN}/min"},
        },
        SIMPLE_JWT={
            "ACCESS_TOKEN_LIFETIME": timedelta(seconds=ACCESS_S),
            "REFRESH_TOKEN_LIFETIME": timedelta(days=1),
            "ROTATE_REFRESH_TOKENS": True,
            "BLACKLIST_AFTER_ROTATION": True,
            "UPDATE_LAST_LOGIN": False,
            "AUTH_HEADER_TYPES": ("Bearer",),
        },
        # Leave the kiosk's logging (in the same test process) alone.
        LOGGING_CONFIG=None,
    )
    django.setup()
    call_command("migrate", run_syncdb=True, verbosity=0)
