import pytest


@pytest.fixture(autouse=True)
def staging(settings, tmp_path):
    """Staged uploads go to a temporary directory, never into var/."""
    settings.UPLOAD_STAGING_DIR = tmp_path / "staged"
    return settings.UPLOAD_STAGING_DIR
