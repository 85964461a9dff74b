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

import logging
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from kiosk import paths
from kiosk.config.sections import (
    DEFAULT_CONSENT,
    CameraConfig,
    CatalogConfig,
    CloudConfig,
    CloudTryOnConfig,
    DeviceConfig,
    Garment,
    HealthConfig,
    JewelerConfig,
    PrivacyConfig,
    Section,
    SellerConfig,
    ShareConfig,
    StoreConfig,
    SyncConfig,
    TryOnConfig,
    UIConfig,
)
from kiosk.config.settings import ENV_PREFIX, SECRETS, KioskConfig, SecretName, is_secret_key

__all__ = ["CONFIG_ENV", "DEFAULT_CONSENT", "ENV_PREFIX", "SECRETS", "CameraConfig", "CatalogConfig",
           "CloudConfig", "CloudTryOnConfig", "ConfigError", "DeviceConfig", "Garment", "HealthConfig",
           "JewelerConfig", "KioskConfig", "PrivacyConfig", "Problem", "SecretName", "Section",
           "SellerConfig", "ShareConfig", "StoreConfig", "SyncConfig", "TryOnConfig", "UIConfig",
           "camera_kind", "is_secret_key", "load", "resolve_path"]

log = logging.getLogger(__name__)

CONFIG_ENV = "KIOSK_CONFIG"


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
