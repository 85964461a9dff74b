from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import pytest

from kiosk import cli, config, logs


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
