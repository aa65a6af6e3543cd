"""crawler/settings.py is the one place settings live: each is assigned once.

A second assignment of the same name (two branches each adding a ``SPIDER_MIDDLEWARES``) silently
drops the first one's entries; this guards the general pattern, not one setting.
"""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

SETTINGS = Path(__file__).resolve().parents[1] / "crawler" / "settings.py"


def test_every_setting_is_assigned_once() -> None:
    tree = ast.parse(SETTINGS.read_text(encoding="utf-8"))
    names = Counter(
        target.id
        for node in tree.body
        if isinstance(node, ast.Assign | ast.AnnAssign)
        for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
        if isinstance(target, ast.Name) and target.id.isupper()
    )
    assert len(names) > 20  # the module was read
    assert [name for name, n in names.items() if n > 1] == []
