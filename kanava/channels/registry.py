"""The registry of channel kinds, filled from each package's manifest."""

from importlib import import_module

from django.apps import apps
from django.utils.module_loading import import_string

from kanava.channels.base import Adapter, ChannelManifest

_manifests: dict[str, ChannelManifest] = {}


def load() -> None:
    for config in apps.get_app_configs():
        if config.name.startswith("kanava.channels.") and config.name.count(".") == 2:
            module = import_module(f"{config.name}.manifest")
            manifest: ChannelManifest = module.MANIFEST
            _manifests[manifest.kind] = manifest


def manifests() -> dict[str, ChannelManifest]:
    if not _manifests:
        load()
    return _manifests


def manifest(kind: str) -> ChannelManifest:
    return manifests()[kind]


def kind_choices() -> list[tuple[str, str]]:
    return [(kind, m.label) for kind, m in sorted(manifests().items())]


def adapter_for(channel) -> Adapter:
    cls = import_string(manifest(channel.kind).adapter)
    return cls(channel)
