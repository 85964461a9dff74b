"""The whole configuration (`KioskConfig`): the sections together, environment variables over
the file, and the secrets, each read through `KioskConfig.secret` (the systemd credential first)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import (
    Field,
)
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from kiosk.config.redact import register_secret
from kiosk.config.sections import (
    CameraConfig,
    CatalogConfig,
    CloudConfig,
    CloudTryOnConfig,
    DeviceConfig,
    HealthConfig,
    JewelerConfig,
    PrivacyConfig,
    SellerConfig,
    ShareConfig,
    StoreConfig,
    SyncConfig,
    TryOnConfig,
    UIConfig,
)

ENV_PREFIX = "KIOSK_"
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
        register_secret(value)
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
