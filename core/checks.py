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
        ring = crypto.load_keyring(data_keys=settings.CANBAO_DATA_KEYS,
                                   current=settings.CANBAO_DATA_KEY_ID,
                                   index_key=settings.CANBAO_INDEX_KEY)
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), hint="docs/keys.md", id="core.E001")]
    if not settings.DEBUG and crypto.development_keys_in(ring):
        return [checks.Error(
            "CANBAO_DATA_KEYS / CANBAO_INDEX_KEY 仍是仓库中的开发用密钥：DJANGO_DEBUG=false 时"
            "须使用新生成的密钥。", hint="docs/keys.md", id="core.E002")]
    return []
