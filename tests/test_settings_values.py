"""Odd values of the settings: each stops the process with SettingsError (exit 2, one line), never
a traceback, and none is taken for something it does not say."""

import pytest

from api.config import Settings, SettingsError
from api.observability.settings import ObserveSettings


@pytest.mark.parametrize("port", ["²", "8000²", "①", "-1", "0", "65536", "8e3"])
def test_a_port_that_is_no_port_number_is_a_settings_error(port):
    with pytest.raises(SettingsError, match="SCORING_PORT must be a port number"):
        Settings.from_env({"SCORING_PORT": port})


@pytest.mark.parametrize("name", ["SCORING_METRICS", "SCORING_ACCESS_LOG"])
@pytest.mark.parametrize("value", ["maybe", "2", "disabled", "nein"])
def test_a_switch_that_is_neither_on_nor_off_is_a_settings_error(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError, match=f"{name} must be 1 or 0"):
        ObserveSettings.from_env()


@pytest.mark.parametrize(("value", "on"), [("0", False), ("Off", False), ("yes", True), ("", True)])
def test_switches_read_on_and_off(monkeypatch, value, on):
    monkeypatch.setenv("SCORING_METRICS", value)
    monkeypatch.setenv("SCORING_ACCESS_LOG", value)
    settings = ObserveSettings.from_env()
    assert (settings.metrics, settings.access_log) == (on, on)


def test_a_data_dir_that_cannot_be_a_folder_is_a_settings_error(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(SettingsError, match="SCORING_DATA_DIR must be a folder"):
        Settings.from_env({"SCORING_DATA_DIR": str(blocker / "data")})
