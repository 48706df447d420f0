"""Find process-kind packages: every ``kanava/participation/kinds/<kind>/manifest.py``.

Imported by settings, so it must not import Django models.
"""

from pathlib import Path

HERE = Path(__file__).resolve().parent / "kinds"


def kind_apps() -> list[str]:
    return sorted(
        f"kanava.participation.kinds.{path.parent.name}"
        for path in HERE.glob("*/manifest.py")
        if not path.parent.name.startswith("_")
    )
