from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import get_args

import pytest
from pydantic import SecretStr

from kiosk import cli, config
from kiosk.ops import logs


def problems(path: Path) -> dict[str, str]:
    with pytest.raises(config.ConfigError) as exc:
        config.load(path)
    return {p.key: p.message for p in exc.value.problems}


def test_valid_config_loads(make_config: Callable[..., Path]) -> None:
    cfg = config.load(make_config())
    assert cfg.device.device_id == "ipad_1"
    assert cfg.cloud.events_endpoint() == "http://127.0.0.1:9/v1/events"
    assert cfg.cloud.person_endpoint("auth/login/") == "http://127.0.0.1:9/api/auth/login/"
    assert cfg.camera.width == 1280  # default


def test_missing_key_is_named(make_config: Callable[..., Path]) -> None:
    p = make_config({'seller_id = "seller_1"\n': ""})
    assert problems(p) == {"device.seller_id": "required key 'seller_id' is missing in [device]"}


def test_missing_section_is_named(make_config: Callable[..., Path]) -> None:
    p = make_config({'[jeweler]\nid = "abharana"\nname = "Abharana"\n': ""})
    assert problems(p) == {"jeweler": "section [jeweler] is missing"}


def test_wrong_type_is_named_with_the_value(make_config: Callable[..., Path]) -> None:
    p = make_config({"fps = 30": 'fps = "fast"'})
    msg = problems(p)["camera.fps"]
    assert msg.startswith("Input should be a valid integer")
    assert "(got 'fast')" in msg


def test_out_of_range_value(make_config: Callable[..., Path]) -> None:
    p = make_config({"fps = 30": "fps = 0"})
    assert "greater than or equal to 1" in problems(p)["camera.fps"]


def test_bad_url_is_named(make_config: Callable[..., Path]) -> None:
    p = make_config(events_url="not a url")
    msg = problems(p)["cloud.events_url"]
    assert "valid URL" in msg and "not a url" in msg


def test_person_url_must_be_a_base_ending_in_slash(make_config: Callable[..., Path]) -> None:
    p = make_config(person_url="http://127.0.0.1:9/api")
    assert problems(p)["cloud.person_url"].startswith("must end with '/'")


def test_unknown_key_is_refused(make_config: Callable[..., Path]) -> None:
    p = make_config({"fps = 30": "fps = 30\nwidht = 640"})
    assert problems(p) == {"camera.widht": "unknown key (misspelt? it is not a setting the kiosk knows)"}


def test_all_problems_reported_at_once(make_config: Callable[..., Path]) -> None:
    p = make_config({"fps = 30": 'fps = "x"', 'seller_id = "seller_1"\n': ""},
                    events_url="ftp:/x")
    assert set(problems(p)) == {"camera.fps", "device.seller_id", "cloud.events_url"}


def test_toml_syntax_error(tmp_path: Path) -> None:
    p = tmp_path / "bad.toml"
    p.write_text("[device\nstore_id = 1\n")
    (key, msg), = problems(p).items()
    assert key == "(syntax)" and "line 1" in msg


def test_missing_file(tmp_path: Path) -> None:
    assert problems(tmp_path / "nope.toml") == {"(file)": f"config file not found: {tmp_path / 'nope.toml'}"}


def test_missing_video_file(make_config: Callable[..., Path], tmp_path: Path) -> None:
    p = make_config(source=str(tmp_path / "missing.mp4"))
    assert problems(p) == {"camera.source": f"file not found: {tmp_path / 'missing.mp4'}"}


def test_relative_paths_are_relative_to_the_file(tmp_path: Path,
                                                 make_config: Callable[..., Path]) -> None:
    p = make_config({f'data_dir = "{tmp_path / "data"}"': 'data_dir = "d"'})
    assert config.load(p).store.data_dir == tmp_path / "d"


def test_env_overrides_a_key(make_config: Callable[..., Path],
                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KIOSK_CAMERA__FPS", "15")
    monkeypatch.setenv("KIOSK_DEVICE__DEVICE_ID", "ipad_9")
    cfg = config.load(make_config())
    assert cfg.camera.fps == 15 and cfg.device.device_id == "ipad_9"


def test_bad_env_override_names_the_variable(make_config: Callable[..., Path],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KIOSK_CAMERA__HEIGHT", "tall")
    msg = problems(make_config())["camera.height"]
    assert msg.endswith("[from environment variable KIOSK_CAMERA__HEIGHT]")


def test_kiosk_config_env_selects_the_file(make_config: Callable[..., Path],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    p = make_config()
    monkeypatch.setenv("KIOSK_CONFIG", str(p))
    assert config.resolve_path() == p
    assert config.load().device.store_id == "store_1"


def test_password_sources(make_config: Callable[..., Path], tmp_path: Path,
                          monkeypatch: pytest.MonkeyPatch) -> None:
    assert config.load(make_config()).person_password() == "s3cret-pass"
    (tmp_path / "pw").write_text("from-file\n")
    p = make_config({'person_password = "s3cret-pass"': 'person_password_file = "pw"'})
    assert config.load(p).person_password() == "from-file"
    creds = tmp_path / "creds"
    creds.mkdir()
    (creds / "person_password").write_text("from-systemd\n")
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(creds))
    assert config.load(p).person_password() == "from-systemd"


def test_password_never_shown(make_config: Callable[..., Path], caplog: pytest.LogCaptureFixture) -> None:
    cfg = config.load(make_config())
    assert "s3cret-pass" not in repr(cfg) and "s3cret-pass" not in str(cfg.model_dump())
    logs.register_secret(cfg.person_password())
    logs.setup("INFO")
    handler = logging.getLogger().handlers[0]
    record = logging.LogRecord("t", logging.INFO, __file__, 1, "login with %s", ("s3cret-pass",), None)
    handler.filter(record)
    assert record.getMessage() == "login with ***"


def test_config_check_cli_exit_codes(make_config: Callable[..., Path],
                                     capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["config", "check", str(make_config())]) == 0
    bad = make_config({"fps = 30": 'fps = "fast"'}, name="bad.toml")
    assert cli.main(["config", "check", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "camera.fps: Input should be a valid integer" in err


def test_bundled_configs_are_valid() -> None:
    assert config.load(demo=True).device.store_id == "demo_store"


def test_install_template_is_valid(tmp_path: Path) -> None:
    # The template must load so a technician only edits values, never fixes syntax.
    src = (Path(__file__).parent.parent / "config" / "kiosk.toml.template").read_text()
    p = tmp_path / "kiosk.toml"
    p.write_text(src)
    cfg = config.load(p)
    assert cfg.camera.source == "0" and cfg.store.data_dir == Path("/var/lib/kiosk")


# ---- secrets: never echoed, read through KioskConfig.secret ---------------------------------

# A wrong value for each secret-like key, carrying a marker that must never be printed. Wrong
# types (a list or a number) and wrong shapes are what pydantic echoes as "(got ...)".
BAD_SECRETS = {
    "cloud.person_password": ("cloud", 'person_password = ["LEAK-person-7f3a"]'),
    "share.upload_key": ("share", 'upload_key = ["LEAK-upload-91c2"]'),
    "share.s3_access_key": ("share", "s3_access_key = 4417239901"),
    "share.s3_secret_key": ("share", 's3_secret_key = ["LEAK-s3secret-0b7e"]'),
    "share.messaging_password": ("share", 'messaging_password = ["LEAK-messaging-5d1f"]'),
    "share.smtp_password": ("share", "smtp_password = 8675309123"),
    "catalog.password": ("catalog", 'password = ["LEAK-catalog-c4e8"]'),
    "cloud_tryon.merchant_key": ("cloud_tryon", 'merchant_key = "mk_nope_LEAK-merchant-2a9d"'),
    "ui.technician_pin_sha256": ("ui", 'technician_pin_sha256 = "913572"'),
    "sellers.0.pin_sha256": ("sellers", 'id = "s1"\nname = "Asha"\npin_sha256 = "246813"'),
}


def _marker(line: str) -> str:
    return line.rsplit("=", 1)[1].strip(' "[]').removeprefix("mk_nope_")


def _with_secrets(path: Path, keys: list[str]) -> Path:
    """Append the bad values of `keys` (not [cloud]'s) to a config, one table per section."""
    tables: dict[str, list[str]] = {}
    for key in keys:
        section, line = BAD_SECRETS[key]
        tables.setdefault(section, []).append(line)
    path.write_text(path.read_text() + "".join(
        f"\n{'[[sellers]]' if section == 'sellers' else f'[{section}]'}\n" + "\n".join(lines) + "\n"
        for section, lines in tables.items()))
    return path


def _with_secret(make_config: Callable[..., Path], key: str) -> Path:
    if key == "cloud.person_password":
        return make_config({'person_password = "s3cret-pass"': BAD_SECRETS[key][1]})
    return _with_secrets(make_config(), [key])


@pytest.mark.parametrize("key", sorted(BAD_SECRETS))
def test_config_check_never_prints_a_secret(key: str, make_config: Callable[..., Path],
                                            capsys: pytest.CaptureFixture[str]) -> None:
    marker = _marker(BAD_SECRETS[key][1])
    assert cli.main(["config", "check", str(_with_secret(make_config, key))]) == 2
    out = capsys.readouterr()
    assert marker not in out.out + out.err
    # Still named with the reason, so the technician knows what to fix.
    line = next(ln for ln in out.err.splitlines() if ln.strip().startswith(f"{key}:"))
    assert line.endswith("(got ***)") and len(line.split(":", 1)[1]) > len(" (got ***)")


@pytest.mark.slow
def test_config_check_as_a_process_prints_no_secret_at_all(make_config: Callable[..., Path]) -> None:
    p = _with_secret(make_config, "cloud.person_password")
    _with_secrets(p, [k for k in BAD_SECRETS if not k.startswith("cloud.")])
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    r = subprocess.run([sys.executable, "-c", "import sys; from kiosk.cli import main; sys.exit(main())",
                        "config", "check", str(p)], capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 2, r.stderr
    assert f"{len(BAD_SECRETS)} problem(s)" in r.stderr
    for key, (_, line) in BAD_SECRETS.items():
        assert _marker(line) not in r.stdout + r.stderr and f"  {key}: " in r.stderr


def test_a_password_typed_as_its_file_is_not_echoed(make_config: Callable[..., Path],
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    p = make_config({'person_password = "s3cret-pass"': 'person_password_file = "LEAK-pwfile-hunter2"'})
    assert cli.main(["config", "check", str(p)]) == 2
    out = capsys.readouterr()
    assert "LEAK-pwfile-hunter2" not in out.out + out.err
    assert "cloud.person_password_file: file not found" in out.err


def test_a_bad_secret_from_the_environment_is_not_printed(make_config: Callable[..., Path],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KIOSK_CLOUD_TRYON__MERCHANT_KEY", "mk_wrong_LEAK-env-66b1")
    msg = problems(make_config())["cloud_tryon.merchant_key"]
    assert "LEAK-env-66b1" not in msg and msg.endswith("(got ***) [from environment variable "
                                                       "KIOSK_CLOUD_TRYON__MERCHANT_KEY]")


def test_every_secret_field_is_masked_and_has_a_credential() -> None:
    fields = set()
    for section, info in config.KioskConfig.model_fields.items():
        model = info.annotation
        if isinstance(model, type) and issubclass(model, config.Section):
            fields |= {(section, name) for name, f in model.model_fields.items()
                       if f.annotation == (SecretStr | None)}
    assert fields == set(config.SECRETS.values())
    assert set(config.SECRETS) == set(get_args(config.SecretName))
    assert all(config.is_secret_key(f"{s}.{k}") for s, k in fields)
    assert not any(config.is_secret_key(k) for k in ("store.keep_images_days", "share.s3_bucket",
                                                     "tryon.pieces", "share.smtp_host"))


def test_secret_credential_wins_and_blank_means_not_set(make_config: Callable[..., Path], tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    p = make_config()
    p.write_text(p.read_text() + '\n[share]\nupload_key = "from-toml"\n')
    cfg = config.load(p)
    assert cfg.secret("upload_key") == "from-toml" and cfg.secret("smtp_password") is None
    creds = tmp_path / "creds"
    creds.mkdir()
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(creds))
    (creds / "upload_key").write_text("from-credential\n")
    (creds / "person_password").write_text("")         # install.sh's empty file
    (creds / "smtp_password").write_text("\n")         # the units' SetCredential= fallback
    assert cfg.secret("upload_key") == "from-credential"
    assert cfg.secret("person_password") == "s3cret-pass" == cfg.person_password()
    assert cfg.secret("smtp_password") is None
    (creds / "tryon_merchant_key").write_text("mk_live_fromcred\n")
    assert cfg.merchant_key() == "mk_live_fromcred"


def test_secrets_handed_out_are_masked_in_logs(make_config: Callable[..., Path], tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    creds = tmp_path / "creds"
    creds.mkdir()
    (creds / "catalog_password").write_text("cat-pass-from-cred")
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(creds))
    assert config.load(make_config()).secret("catalog_password") == "cat-pass-from-cred"
    logs.setup("INFO")
    handler = logging.getLogger().handlers[0]
    record = logging.LogRecord("t", logging.INFO, __file__, 1, "login %s", ("cat-pass-from-cred",), None)
    handler.filter(record)
    assert record.getMessage() == "login ***"


def test_the_daemon_takes_its_secrets_from_credentials(make_config: Callable[..., Path], tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from sync import daemon

    p = make_config()
    p.write_text(p.read_text() + '\n[share]\nupload_key = "toml-upload"\nmessaging_url = "http://127.0.0.1:9/"\n'
                 'messaging_password = "toml-msg"\nsmtp_host = "127.0.0.1"\nsmtp_from = "a@b.example"\n')
    creds = tmp_path / "creds"
    creds.mkdir()
    for name in ("person_password", "upload_key", "messaging_password", "smtp_password"):
        (creds / name).write_text(f"cred-{name}\n")
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(creds))
    clients = daemon.Clients(config.load(p))
    try:
        assert clients.persons._password() == "cred-person_password"
        assert clients.images.key == "cred-upload_key"            # type: ignore[union-attr]
        assert clients.messaging is not None and clients.messaging._password() == "cred-messaging_password"
        assert clients.smtp is not None and clients.smtp._password() == "cred-smtp_password"
    finally:
        clients.close()


def test_only_the_config_module_reads_secret_values() -> None:
    # One accessor: a module reading SecretStr itself would skip the credential and the log mask.
    root = Path(__file__).parent.parent
    readers = [str(f.relative_to(root)) for d in ("kiosk", "sync") for f in (root / d).rglob("*.py")
               if "get_secret_value" in f.read_text() and f.parent != root / "kiosk" / "config"]
    assert readers == []
