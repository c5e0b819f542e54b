"""The email settings notifications rely on: a bad value stops Rapport naming the variable."""

import pytest

from rapport.core.tests.test_commands import run_rapport


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"EMAIL_BACKEND": "postcard", "EMAIL_URL": None}, "EMAIL_BACKEND"),
        ({"EMAIL_BACKEND": "smtp://host", "EMAIL_URL": None}, "EMAIL_BACKEND"),
        ({"RAPPORT_BASE_URL": "crm.example.com"}, "RAPPORT_BASE_URL"),
    ],
)
def test_bad_email_settings_fail_loudly(env, message, tmp_path):
    result = run_rapport("check", RAPPORT_VAR_DIR=str(tmp_path), **env)
    assert result.returncode != 0
    assert message in result.stderr


def test_short_backend_names_are_accepted(tmp_path):
    script = "from django.conf import settings; print(settings.EMAIL_BACKEND)"
    result = run_rapport(
        "shell", "-c", script, RAPPORT_VAR_DIR=str(tmp_path), EMAIL_BACKEND="file", EMAIL_URL=None
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("django.core.mail.backends.filebased.EmailBackend")
