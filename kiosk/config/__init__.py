"""The kiosk's one configuration model: the only place that reads TOML and environment.

A config file is TOML with the sections below. Every key can be overridden by an
environment variable ``KIOSK_<SECTION>__<KEY>`` (for example ``KIOSK_CAMERA__FPS=15``).
Relative paths in a file are relative to that file's directory, so a config and the
files it names can move together.

Secrets (see ``SECRETS``) are read through ``KioskConfig.secret(name)``: the systemd credential
of that name (``LoadCredential=`` in the units, files under /etc/kiosk) wins because it is the
hardened path, else the key in kiosk.toml (``cloud.person_password`` also from
``cloud.person_password_file``). Problems with a secret-like key never echo its value.
"""

from __future__ import annotations

import difflib
import logging
import os
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    HttpUrl,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from kiosk import paths
from kiosk.ops import logs

log = logging.getLogger(__name__)

ENV_PREFIX = "KIOSK_"
CONFIG_ENV = "KIOSK_CONFIG"
# Every secret by the name of its systemd credential -> its [section] key in kiosk.toml.
# The app unit loads tryon_merchant_key (it calls the cloud try-on API itself); the sync daemon
# loads the others (tests/test_units.py holds the units to this table).
SecretName = Literal["person_password", "tryon_merchant_key", "messaging_password", "smtp_password",
                     "s3_access_key", "s3_secret_key", "upload_key", "catalog_password"]
SECRETS: dict[SecretName, tuple[str, str]] = {
    "person_password": ("cloud", "person_password"),
    "tryon_merchant_key": ("cloud_tryon", "merchant_key"),
    "messaging_password": ("share", "messaging_password"),
    "smtp_password": ("share", "smtp_password"),
    "s3_access_key": ("share", "s3_access_key"),
    "s3_secret_key": ("share", "s3_secret_key"),
    "upload_key": ("share", "upload_key"),
    "catalog_password": ("catalog", "password"),
}
# Keys whose value is never printed in a problem: the four words anywhere in the key
# (upload_key, s3_secret_key, person_password_file: a misplaced password is still one),
# and PIN hashes (the sha256 of a 4-digit PIN is as good as the PIN).
_SECRET_WORDS = ("password", "key", "token", "secret")


class Section(BaseModel):
    # A misspelt key is the most common technician mistake: refuse it by name.
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


NonEmpty = Field(min_length=1, max_length=128)


class DeviceConfig(Section):
    store_id: str = NonEmpty
    seller_id: str = NonEmpty
    device_id: str = NonEmpty


class JewelerConfig(Section):
    """The store's own jeweler. Imported vendors bring their own name, colour and logo."""
    id: str = NonEmpty
    name: str = NonEmpty
    accent: str | None = Field(None, pattern=r"^#[0-9a-fA-F]{6}$",
                               description='brand colour of buttons and highlights, e.g. "#b8860b"')
    logo: Path | None = None      # PNG/JPEG, relative to the config file
    # The store's own vendor id on the commerce platform (seed 002), if it sells there: its
    # imported products are shown as the store's own collection, not as another jeweler's.
    vendor_id: int | None = Field(None, ge=1)

    @field_validator("logo")
    @classmethod
    def _logo_exists(cls, v: Path | None) -> Path | None:
        if v is not None and not v.is_file():
            raise ValueError(f"no logo file at {v}")
        return v


PinHash = Field(pattern=r"^[0-9a-f]{64}$", description="sha256 hex of the PIN: echo -n 1234 | sha256sum")


class SellerConfig(Section):
    id: str = NonEmpty
    name: str = NonEmpty
    pin_sha256: str = PinHash


class CameraConfig(Section):
    # "0" / "/dev/video0" = a V4L2 camera; any other value is a video or image file.
    source: str = Field("0", min_length=1)
    width: int = Field(1280, ge=160, le=3840)
    height: int = Field(720, ge=120, le=2160)
    fps: int = Field(30, ge=1, le=120)
    mirror: bool = True
    # The camera's horizontal field of view: the 3D pieces are rendered through a camera with
    # the same one, so they keep their size and perspective at any distance. 60 is a typical
    # 720p webcam (C920-class); a wide-angle one is 75-90.
    hfov_deg: float = Field(60.0, ge=20, le=120)


class StoreConfig(Section):
    data_dir: Path
    currency: str = Field("INR", min_length=1, max_length=8)
    country_code: str = Field("+91", pattern=r"^\+[1-9]\d{0,3}$")   # added to phones typed without one
    # Housekeeping (the sync daemon, hourly): local copies of delivered photos and delivered
    # outbox rows are removed after these many days; undelivered ones never are.
    keep_images_days: float = Field(14.0, ge=0.5, le=3650)
    keep_delivered_days: float = Field(30.0, ge=1, le=3650)
    # Under this much free space the app shows a technician banner and nothing non-essential
    # is kept (see kiosk/store/housekeeping.py).
    min_free_mb: int = Field(1024, ge=50, le=1_000_000)
    # How a customer reaches the store again, printed on the phone page of a shared photo
    # (tap to call, a wa.me chat, the address). Optional: a page without them just omits them.
    phone: str = Field("", max_length=40, pattern=r"^(\+?[0-9][0-9 ().-]{5,30})?$",
                       description='shown with a call button, e.g. "+91 80 4123 4567"')
    whatsapp: str = Field("", max_length=40, pattern=r"^(\+[1-9][0-9 ().-]{6,30})?$",
                          description='international form for the wa.me link, e.g. "+91 98123 45678"')
    address: str = Field("", max_length=300)


class CloudConfig(Section):
    events_url: HttpUrl
    person_url: HttpUrl
    person_email: str = Field(min_length=3, pattern=r"^[^@\s]+@[^@\s]+$")
    person_password: SecretStr | None = None
    person_password_file: Path | None = None
    timeout_s: float = Field(10.0, gt=0, le=120)

    @field_validator("person_url")
    @classmethod
    def _person_url_is_a_base(cls, v: HttpUrl) -> HttpUrl:
        # Requests are built as f"{person_url}auth/login/": without the trailing slash
        # they would silently go to ".../apiauth/login/".
        if not str(v).endswith("/"):
            raise ValueError("must end with '/' (the base URL including /api/, e.g. http://host/api/)")
        return v

    def events_endpoint(self) -> str:
        return str(self.events_url).rstrip("/") + "/v1/events"

    def person_endpoint(self, path: str) -> str:
        return str(self.person_url) + path.lstrip("/")


class HealthConfig(Section):
    """Monitoring on the device itself (issue 11)."""

    # The sync daemon answers GET /status and /healthz on 127.0.0.1:port (0: off).
    port: int = Field(8787, ge=0, le=65535)
    heartbeat_s: float = Field(10.0, ge=1, le=300)      # how often each process says it is alive
    # More app starts than restart_limit within restart_window_min: the app opens on the
    # technician's safe screen (camera off) instead of crashing again and again.
    restart_limit: int = Field(5, ge=2, le=100)
    restart_window_min: float = Field(10.0, ge=1, le=1440)


class SyncConfig(Section):
    interval_s: float = Field(5.0, gt=0, le=3600)        # periodic drain even with no wake-up
    retry_base_s: float = Field(1.0, gt=0, le=600)       # first retry delay; doubles per attempt
    retry_max_s: float = Field(300.0, gt=0, le=86400)    # backoff ceiling
    workers: int = Field(8, ge=1, le=64)                 # streams sent in parallel
    batch: int = Field(64, ge=1, le=1000)                # rows taken per round


class TryOnConfig(Section):
    # Pieces shown on the live mirror until the seller picks from the catalogue.
    pieces: list[str] = Field(default_factory=list)


DEFAULT_CONSENT = ("May we remember your face to welcome you back and show what you tried? "
                   "We keep it for 30 days, never sell it, and delete it whenever you ask.")


class PrivacyConfig(Section):
    face_enabled: bool = True                        # false: no face features at all
    retention_days: int = Field(30, ge=1, le=3650)
    consent_text: str = Field(DEFAULT_CONSENT, min_length=10, max_length=600)
    consent_version: str = Field("v1", min_length=1, max_length=40)   # change it when the text changes


class UIConfig(Section):
    show_fps: bool = False
    fullscreen: bool = False
    idle_timeout_s: float = Field(120.0, ge=10, le=3600)   # back to the attract screen, data cleared
    # The technician screen (sync status, camera, logs); without a PIN it is not offered.
    technician_pin_sha256: str | None = Field(None, pattern=r"^[0-9a-f]{64}$")


class ShareConfig(Section):
    """Handing the try-on photo to the customer: QR page, WhatsApp/email via seed 003."""

    link_days: float = Field(7.0, gt=0, le=30)          # how long a photo's link works
    # Image store: "devcloud" is the devcloud-compatible upload endpoint
    # (POST {upload_url}/v1/images; empty upload_url: the events cloud's address);
    # "s3" is an S3-compatible bucket (AWS, MinIO, R2...) with presigned links.
    image_store: Literal["devcloud", "s3"] = "devcloud"
    upload_url: HttpUrl | None = None
    upload_key: SecretStr | None = None                 # sent as a Bearer token
    s3_bucket: str = Field("", max_length=63)
    s3_prefix: str = Field("kiosk-shares/", max_length=200)
    s3_region: str = Field("us-east-1", min_length=1, max_length=40)
    s3_endpoint_url: HttpUrl | None = None              # empty: AWS itself
    s3_access_key: SecretStr | None = None              # empty: boto3's own chain (env, ~/.aws)
    s3_secret_key: SecretStr | None = None
    # The kiosk's own download server for phones on the store Wi-Fi while the internet is
    # down. lan_url is the address phones use (empty: this machine's LAN address + port).
    lan_enabled: bool = True
    lan_bind: str = Field("0.0.0.0", min_length=1)
    lan_port: int = Field(8765, ge=0, le=65535)          # 0: any free port
    lan_url: HttpUrl | None = None
    wifi_name: str = Field("", max_length=64)           # shown next to an offline QR code
    # Seed 003 messaging API; empty messaging_url: no WhatsApp/email buttons.
    messaging_url: HttpUrl | None = None
    messaging_email: str = ""
    messaging_password: SecretStr | None = None
    messaging_project_id: str = ""
    email_enabled: bool = False                         # offer email (messaging API, else SMTP)
    # SMTP, used for email only when messaging_url is empty.
    smtp_host: str = Field("", max_length=253)
    smtp_port: int = Field(587, ge=1, le=65535)
    smtp_security: Literal["starttls", "ssl", "none"] = "starttls"
    smtp_user: str = ""
    smtp_password: SecretStr | None = None
    smtp_from: str = Field("", max_length=254)
    message: str = Field("Your try-on photo from {jeweler}: {link}", min_length=6, max_length=500)

    @field_validator("message")
    @classmethod
    def _has_link(cls, v: str) -> str:
        if "{link}" not in v:
            raise ValueError("must contain {link}, where the photo's address goes")
        return v

    @field_validator("image_store")
    @classmethod
    def _presign_limit(cls, v: str, info: ValidationInfo) -> str:
        # SigV4 presigned URLs are valid for at most 7 days; a longer link would break early.
        days = info.data.get("link_days")
        if v == "s3" and isinstance(days, float) and days > 7:
            raise ValueError("S3 links last at most 7 days: set share.link_days to 7 or less")
        return v

    @field_validator("s3_bucket")
    @classmethod
    def _bucket_named(cls, v: str, info: ValidationInfo) -> str:
        if info.data.get("image_store") == "s3" and not v:
            raise ValueError("image_store is s3: name the bucket")
        return v

    @field_validator("smtp_from")
    @classmethod
    def _from_address(cls, v: str, info: ValidationInfo) -> str:
        if info.data.get("smtp_host") and "@" not in v:
            raise ValueError("smtp_host is set: give the sender address, e.g. photos@store.example")
        return v

    @property
    def whatsapp_ready(self) -> bool:
        return self.messaging_url is not None

    @property
    def email_ready(self) -> bool:
        return self.email_enabled and (self.messaging_url is not None or bool(self.smtp_host))


class CatalogConfig(Section):
    """Import of the jewelers' products from the commerce API (seed 002) into the local catalogue."""

    commerce_url: HttpUrl | None = None       # the API root, e.g. https://api.omnisell.com/api/
    # Where relative image paths in the API's answers live when not under the API's own host:
    # the server's MEDIA_URL, e.g. https://cdn.omnisell.com/media/ (default: the API root).
    media_url: HttpUrl | None = None
    vendor_ids: list[int] = Field(default_factory=list)   # the jewelers this store shows
    include_drafts: bool = False              # also the signed-in seller's drafts (needs a login)
    email: str = ""
    password: SecretStr | None = None
    interval_min: float = Field(60.0, ge=5, le=1440)      # the sync daemon's import schedule


class Garment(Section):
    """One garment of the cloud try-on service's catalogue (seed 004 `product`)."""

    id: str = NonEmpty
    name: str = NonEmpty
    image: HttpUrl                       # the service fetches it: must be reachable from the cloud
    category: str = "saree"
    price: float | None = Field(None, ge=0)
    currency: str | None = None


class CloudTryOnConfig(Section):
    """Full garment swap by the cloud try-on widget API (seed 004). Off unless url, key and at
    least one garment are set. The key may also come from the systemd credential
    `tryon_merchant_key`."""

    url: HttpUrl | None = None                # e.g. https://api.fashionmirror.shop
    merchant_key: SecretStr | None = None     # mk_test_… or mk_live_…
    origin: str = ""                          # Origin header, for a live key's domain whitelist
    wait_s: float = Field(120.0, ge=10, le=600)   # give up on a result after this long
    garments: list[Garment] = Field(default_factory=list)

    @field_validator("merchant_key")
    @classmethod
    def _key_shape(cls, v: SecretStr | None) -> SecretStr | None:
        if v is not None and not re.match(r"^mk_(test|live)_\w+$", v.get_secret_value()):
            raise ValueError("a merchant key starts with mk_test_ or mk_live_")
        return v


class KioskConfig(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter="__",
        extra="forbid",
        case_sensitive=False,
    )

    device: DeviceConfig
    jeweler: JewelerConfig
    # Sellers who sign in with a PIN; without any, visits are recorded as device.seller_id.
    sellers: list[SellerConfig] = Field(default_factory=list)
    camera: CameraConfig = CameraConfig()
    store: StoreConfig
    cloud: CloudConfig
    sync: SyncConfig = SyncConfig()
    health: HealthConfig = HealthConfig()
    tryon: TryOnConfig = TryOnConfig()
    privacy: PrivacyConfig = PrivacyConfig()
    ui: UIConfig = UIConfig()
    share: ShareConfig = ShareConfig()
    catalog: CatalogConfig = CatalogConfig()
    cloud_tryon: CloudTryOnConfig = CloudTryOnConfig()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The file is passed as init data; environment variables override it.
        return (env_settings, init_settings)

    def secret(self, name: SecretName) -> str | None:
        """The secret `name` (a key of SECRETS): its systemd credential, else kiosk.toml; None when
        neither is set (an empty credential file or value is not set). Every value handed out is
        registered with the log filter, so no log line can show it."""
        value = _credential(name)
        if value is None and name == "person_password" and self.cloud.person_password_file is not None:
            value = self.cloud.person_password_file.read_text().strip() or None
        if value is None:
            section, key = SECRETS[name]
            configured = getattr(getattr(self, section), key)
            value = configured.get_secret_value() if configured is not None else None
        value = value or None
        logs.register_secret(value)
        return value

    def person_password(self) -> str | None:
        return self.secret("person_password")

    def merchant_key(self) -> str | None:
        """The cloud try-on key: the systemd credential, else `[cloud_tryon] merchant_key`."""
        return self.secret("tryon_merchant_key")

    @property
    def cloud_tryon_ready(self) -> bool:
        c = self.cloud_tryon
        return c.url is not None and bool(c.garments) and self.merchant_key() is not None


def _credential(name: str) -> str | None:
    # The units pair each LoadCredential= with an empty SetCredential= so a missing file does
    # not stop them: an empty credential means "not set here", fall back to kiosk.toml.
    cred_dir = os.environ.get("CREDENTIALS_DIRECTORY")
    if cred_dir:
        cred = Path(cred_dir) / name
        if cred.is_file():
            return cred.read_text().strip() or None
    return None


def is_secret_key(key: str) -> bool:
    """Whether a dotted config key holds a secret whose value must never be printed. Every part
    is looked at, not only the last: pydantic may add its own (a list index, a union member)."""
    parts = key.lower().split(".")
    return any(w in p for p in parts for w in _SECRET_WORDS) or any("pin" in p.split("_") for p in parts)


@dataclass(frozen=True)
class Problem:
    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.key}: {self.message}"


class ConfigError(Exception):
    def __init__(self, path: Path | None, problems: list[Problem]):
        self.path = path
        self.problems = problems
        where = str(path) if path else "configuration"
        super().__init__(f"{where}: " + "; ".join(str(p) for p in problems))


def resolve_path(explicit: str | Path | None = None, demo: bool = False) -> Path:
    """--config, else $KIOSK_CONFIG, else /etc/kiosk/kiosk.toml, else the bundled demo config."""
    if explicit:
        return Path(explicit)
    if demo:
        return paths.DEMO_CONFIG
    env = os.environ.get(CONFIG_ENV)
    if env:
        return Path(env)
    if paths.SYSTEM_CONFIG.exists():
        return paths.SYSTEM_CONFIG
    return paths.DEMO_CONFIG


def _env_key(loc: tuple[Any, ...]) -> str:
    return ENV_PREFIX + "__".join(str(p).upper() for p in loc)


def _describe(err: Any) -> Problem:  # pydantic's ErrorDetails
    loc = tuple(str(p) for p in err["loc"])
    key = ".".join(loc)
    kind = err["type"]
    if kind == "missing":
        section = loc[0]
        if len(loc) == 1:
            msg = f"section [{section}] is missing"
        else:
            msg = f"required key '{loc[-1]}' is missing in [{section}]"
        return Problem(key, msg)
    if kind == "extra_forbidden":
        return Problem(key, "unknown key (misspelt? it is not a setting the kiosk knows)")
    msg = err["msg"].removeprefix("Value error, ")
    if "input" in err and not isinstance(err["input"], dict) and kind != "missing":
        msg += " (got ***)" if is_secret_key(key) else f" (got {err['input']!r})"
    if os.environ.get(_env_key(loc)) is not None:
        msg += f" [from environment variable {_env_key(loc)}]"
    return Problem(key, msg)


def _resolve_relative(data: dict[str, Any], base: Path) -> None:
    """Paths in a file are relative to the file, not to wherever the kiosk was started."""
    store = data.get("store")
    if isinstance(store, dict) and isinstance(store.get("data_dir"), str):
        store["data_dir"] = str((base / os.path.expanduser(store["data_dir"])).resolve())
    cloud = data.get("cloud")
    if isinstance(cloud, dict) and isinstance(cloud.get("person_password_file"), str):
        cloud["person_password_file"] = str(base / cloud["person_password_file"])
    jeweler = data.get("jeweler")
    if isinstance(jeweler, dict) and isinstance(jeweler.get("logo"), str):
        jeweler["logo"] = str((base / os.path.expanduser(jeweler["logo"])).resolve())
    camera = data.get("camera")
    if isinstance(camera, dict) and isinstance(camera.get("source"), str):
        src = camera["source"]
        if not _is_camera(src):
            camera["source"] = str((base / os.path.expanduser(src)).resolve())


def _is_camera(source: str) -> bool:
    return source.isdigit() or source.startswith("/dev/")


def camera_kind(source: str) -> Literal["camera", "video", "image"]:
    if _is_camera(source):
        return "camera"
    if Path(source).suffix.lower() in {".jpg", ".jpeg", ".png", ".bmp", ".webp"}:
        return "image"
    return "video"


def _check_files(cfg: KioskConfig) -> list[Problem]:
    problems = []
    src = cfg.camera.source
    if not _is_camera(src) and not Path(src).is_file():
        problems.append(Problem("camera.source", f"file not found: {src}"))
    pwf = cfg.cloud.person_password_file
    if pwf is not None and not pwf.is_file():
        # A password typed here by mistake would be echoed as a path: name the key only.
        problems.append(Problem("cloud.person_password_file", "file not found (the path is not shown: "
                                "it may be the password itself)"))
    return problems


def load(path: str | Path | None = None, demo: bool = False) -> KioskConfig:
    """Read, validate and return the config; raise ConfigError naming every bad key."""
    cfg_path = resolve_path(path, demo)
    try:
        raw = cfg_path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(cfg_path, [Problem("(file)", f"config file not found: {cfg_path}")]) from None
    except OSError as e:
        raise ConfigError(cfg_path, [Problem("(file)", f"cannot read {cfg_path}: {e.strerror}")]) from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(cfg_path, [Problem("(file)", "not UTF-8 text")]) from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(cfg_path, [Problem("(syntax)", f"TOML syntax error: {e}")]) from None
    _resolve_relative(data, cfg_path.resolve().parent)
    try:
        cfg = KioskConfig(**data)
    except ValidationError as e:
        raise ConfigError(cfg_path, [_describe(err) for err in e.errors()]) from None
    problems = _check_files(cfg)
    if problems:
        raise ConfigError(cfg_path, problems)
    log.info("config loaded from %s", cfg_path)
    return cfg


def check_pieces(cfg: KioskConfig) -> list[Problem]:
    """`[tryon] pieces` against the catalogue the app will load (bundled pieces and those
    imported into the data dir): a misspelt id passed the check and then broke the mirror.
    Not part of `load`: the catalogue is read from disk, and only the app draws pieces."""
    if not cfg.tryon.pieces:
        return []
    # Heavy (OpenCV), and only needed when there are pieces to check.
    from kiosk.catalog import cache
    from kiosk.tryon.assets import AssetError

    try:
        known = cache.load(Path(cfg.store.data_dir)).pieces
    except (AssetError, OSError) as e:
        return [Problem("tryon.pieces", f"the catalogue cannot be read to check them: {e}")]
    return [Problem("tryon.pieces", unknown_piece(pid, known))
            for pid in cfg.tryon.pieces if pid not in known]


def unknown_piece(pid: str, known: Iterable[str]) -> str:
    """What to tell of a piece id the catalogue does not have, with the nearest known id."""
    near = difflib.get_close_matches(pid, list(known), n=1)
    hint = f" (did you mean {near[0]!r}?)" if near else ""
    return f"unknown piece id {pid!r}{hint}: not in the catalogue; `kiosk assets check` lists every id"
