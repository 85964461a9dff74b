"""The config file's sections, one model each: what a key may hold, checked when it is read
(kiosk.config.load names every bad one)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    HttpUrl,
    SecretStr,
    ValidationInfo,
    field_validator,
)


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
