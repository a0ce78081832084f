"""Every setting is in the README's table, with the default the code has."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic_core import PydanticUndefined

from bot.settings import Settings

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
ROWS = {
    m.group(1): m.group(2)
    for m in re.finditer(r"^\| `(CHINWAG_[A-Z_]+)` \| ([^|]*) \|", README, flags=re.M)
}


def test_every_setting_has_a_row() -> None:
    missing = [f"CHINWAG_{name.upper()}" for name in Settings.model_fields]
    assert [name for name in missing if name not in ROWS] == []


def test_the_documented_numeric_defaults_are_the_codes() -> None:
    for name, field in Settings.model_fields.items():
        default = field.default
        if default is PydanticUndefined or isinstance(default, bool):
            continue
        if isinstance(default, int | float):
            shown = ROWS[f"CHINWAG_{name.upper()}"].strip().strip("`")
            assert float(shown) == float(default), name


def test_the_pool_size_setting_reaches_the_postgresql_engine() -> None:
    from storage.database import create_engine

    engine = create_engine("postgresql://chinwag@127.0.0.1/nowhere", pool_size=7)
    assert engine.sync_engine.pool.size() == 7  # type: ignore[attr-defined]
    default = create_engine("postgresql://chinwag@127.0.0.1/nowhere")
    assert default.sync_engine.pool.size() == Settings().database_pool_size == 40  # type: ignore[attr-defined]
