"""Find channel packages: every ``kanava/channels/<kind>/manifest.py``.

Imported by settings, so it must not import Django models.
"""

from pathlib import Path

HERE = Path(__file__).resolve().parent


def channel_apps() -> list[str]:
    return sorted(
        f"kanava.channels.{path.parent.name}"
        for path in HERE.glob("*/manifest.py")
        if not path.parent.name.startswith("_")
    )
