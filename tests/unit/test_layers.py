"""The layer check: the core (handlers/) and storage/ know nothing of the frameworks.

Every ``.py`` file is parsed with ``ast``; every ``import`` and ``from ... import``
counts, wherever it is (inside functions, under ``if TYPE_CHECKING``, in ``try``).
Relative imports are resolved against the file's package, so ``from ..bot import x``
is caught too.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

FORBIDDEN = {
    "handlers": {"aiogram", "telegram", "bot"},
    "storage": {"aiogram", "telegram", "bot", "handlers"},
}


@dataclass(frozen=True)
class Import:
    file: str
    line: int
    module: str  # the full dotted name, resolved

    @property
    def top(self) -> str:
        return self.module.split(".")[0]

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: imports {self.module}"


def _package_of(path: Path, root: Path) -> list[str]:
    return list(path.relative_to(root).with_suffix("").parts[:-1])


def imports_in(path: Path, root: Path) -> list[Import]:
    """Every module ``path`` imports, with relative imports made absolute."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    shown = path.relative_to(root).as_posix()
    found: list[Import] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [Import(shown, node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:  # relative: climb from the file's package
                package = _package_of(path, root)
                up = node.level - 1
                base = package[: len(package) - up] if up <= len(package) else []
                module = ".".join([*base, module] if module else base)
            if module:
                found.append(Import(shown, node.lineno, module))
            else:  # "from ... import x" above every package: x is the module
                found += [Import(shown, node.lineno, alias.name) for alias in node.names]
    return sorted(found, key=lambda imp: imp.line)


def violations(root: Path, layer: str, forbidden: set[str]) -> list[Import]:
    bad = []
    for path in sorted((root / layer).rglob("*.py")):
        bad += [imp for imp in imports_in(path, root) if imp.top in forbidden]
    return bad


def _report(bad: list[Import], layer: str) -> str:
    return f"{layer}/ must not import these:\n" + "\n".join(f"  {imp}" for imp in bad)


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports(layer: str) -> None:
    files = list((ROOT / layer).rglob("*.py"))
    assert len(files) > 3, f"nothing to check under {layer}/"
    bad = violations(ROOT, layer, FORBIDDEN[layer])
    assert not bad, _report(bad, layer)


def test_the_checker_sees_real_imports() -> None:
    # Guard against a checker that silently finds nothing.
    seen = {imp.top for path in (ROOT / "handlers").rglob("*.py") for imp in imports_in(path, ROOT)}
    assert "handlers" in seen  # e.g. handlers.callbacks imports handlers.payloads
    assert "__future__" in seen


BAD_MODULE = '''\
"""A module that breaks the layering in every way the checker must see."""
from __future__ import annotations

import json
from typing import TYPE_CHECKING

import aiogram.types
from telegram import Update

if TYPE_CHECKING:
    from bot.settings import Settings


def late():
    import bot.runner as runner
    from handlers.menu import show
    return runner, show


try:
    from ...bot import cli
    from ... import bot
except ImportError:
    pass
'''


def test_checker_catches_violations(tmp_path: Path) -> None:
    layer = tmp_path / "storage"
    (layer / "sub").mkdir(parents=True)
    (layer / "__init__.py").write_text("", encoding="utf-8")
    (layer / "sub" / "__init__.py").write_text("from . import ok\n", encoding="utf-8")
    (layer / "sub" / "ok.py").write_text(
        "import json\nfrom .. import types\nfrom ..bot import helper\n", encoding="utf-8"
    )  # ..bot is storage.bot: allowed
    (layer / "sub" / "bad.py").write_text(BAD_MODULE, encoding="utf-8")

    bad = violations(tmp_path, "storage", FORBIDDEN["storage"])
    assert [(imp.line, imp.module) for imp in bad] == [
        (7, "aiogram.types"),
        (8, "telegram"),
        (11, "bot.settings"),
        (15, "bot.runner"),
        (16, "handlers.menu"),
        (21, "bot"),  # from ...bot import cli: storage/sub climbs to the top level
        (22, "bot"),
    ]
    message = _report(bad, "storage")
    assert "storage/sub/bad.py:7: imports aiogram.types" in message
    assert "storage/sub/bad.py:11: imports bot.settings" in message
    assert "storage/sub/bad.py:16: imports handlers.menu" in message
    assert "ok.py" not in message

    # The same file is fine for a layer that may import those modules.
    assert violations(tmp_path, "storage", {"nothing"}) == []


def test_relative_imports_are_resolved(tmp_path: Path) -> None:
    (tmp_path / "handlers" / "deep").mkdir(parents=True)
    sneaky = tmp_path / "handlers" / "deep" / "sneaky.py"
    sneaky.write_text("from ...bot import settings\nfrom ..payloads import encode\n", "utf-8")
    found = imports_in(sneaky, tmp_path)
    assert [imp.module for imp in found] == ["bot", "handlers.payloads"]
    bad = violations(tmp_path, "handlers", FORBIDDEN["handlers"])
    assert [str(imp) for imp in bad] == ["handlers/deep/sneaky.py:1: imports bot"]
