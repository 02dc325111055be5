"""System checks of the core: the encryption keys must be usable before anything reads a
person's ID or phone number."""
from __future__ import annotations

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from . import crypto


@checks.register(checks.Tags.security)
def encryption_keys(app_configs=None, **kwargs):
    try:
        crypto.load_keyring(data_keys=settings.CANBAO_DATA_KEYS,
                            current=settings.CANBAO_DATA_KEY_ID,
                            index_key=settings.CANBAO_INDEX_KEY, debug=settings.DEBUG)
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), hint="docs/keys.md", id="core.E001")]
    return []
