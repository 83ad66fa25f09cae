"""Configuration: classes, environment overrides and instance/.env."""

from __future__ import annotations

from datetime import timedelta

import pytest

from config import ConfigError, load_config, normalise_database_url, parse_env_value


def test_environment_overrides_are_parsed_by_type():
    settings = load_config(
        "development",
        environ={
            "MOTD_ENABLED": "off",
            "PROXY_FIX_X_FOR": "2",
            "PERMANENT_SESSION_LIFETIME": "3600",
            "LOGIN_LIMIT_PER_IP": "5 per minute",
        },
        dotenv_path=None,
    )
    assert settings["MOTD_ENABLED"] is False
    assert settings["PROXY_FIX_X_FOR"] == 2
    assert settings["PERMANENT_SESSION_LIFETIME"] == timedelta(hours=1)
    assert settings["LOGIN_LIMIT_PER_IP"] == "5 per minute"


@pytest.mark.parametrize(("raw", "default"), [("maybe", True), ("two", 3), ("soon", timedelta(1))])
def test_unparseable_values_are_a_clear_error(raw, default):
    with pytest.raises(ConfigError, match="expected"):
        parse_env_value(raw, default)


def test_instance_env_file_can_choose_production(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text(
        "SKYFRAME_CONFIG=production\nSECRET_KEY=" + "k" * 48 + "\nPUBLIC_URL=https://sky.example\n"
    )
    settings = load_config(environ={}, dotenv_path=env_file)
    assert settings["ENV_NAME"] == "production"
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["HSTS_ENABLED"] is True


def test_environment_wins_over_the_env_file(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("SKYFRAME_CONFIG=production\nMOTD_ENABLED=false\n")
    settings = load_config(
        environ={"SKYFRAME_CONFIG": "development", "MOTD_ENABLED": "true"}, dotenv_path=env_file
    )
    assert settings["ENV_NAME"] == "development"
    assert settings["MOTD_ENABLED"] is True


def test_production_chosen_in_the_env_file_still_needs_a_secret_key(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("SKYFRAME_CONFIG=production\n")
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_config(environ={}, dotenv_path=env_file)


def test_testing_never_reads_the_env_file(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("MOTD_ENABLED=false\n")
    assert load_config("testing", environ={}, dotenv_path=env_file)["MOTD_ENABLED"] is True


def test_unknown_config_name_is_refused():
    with pytest.raises(ConfigError, match="unknown SKYFRAME_CONFIG"):
        load_config("staging", environ={})


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:///x.db", "sqlite:///x.db"),
    ],
)
def test_database_urls_use_psycopg3(url, expected):
    assert normalise_database_url(url) == expected
