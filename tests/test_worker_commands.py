"""workers/cli.py: the commands that start Celery's worker and Flower."""

from __future__ import annotations


def test_flower_with_a_user_and_no_password_is_refused_not_run_open(monkeypatch, caplog):
    from fittrack.cli import EXIT_BAD_INPUT, main
    from fittrack.settings import get_settings

    monkeypatch.setenv("FITTRACK_FLOWER_USER", "admin")
    monkeypatch.setenv("FITTRACK_FLOWER_PASSWORD", "")
    get_settings.cache_clear()
    try:
        assert main(["flower"]) == EXIT_BAD_INPUT
    finally:
        get_settings.cache_clear()
    assert "Flower would run without authentication" in caplog.text
