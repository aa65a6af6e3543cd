"""The CI gate of the extraction benchmark: the project's figures against floors pinned in the repo.

``bench/floors.toml`` names, per figure set (``article-extraction``, ``trafilatura-eval``,
``trafilatura-eval/held-out`` ...), the lowest ``f1`` and ``recall`` the project may score.
:func:`check` returns one message per figure below its floor (an empty list passes); a set
the floors name but the run did not produce is a failure too, so a gate never passes by
silently measuring nothing.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

FLOORS_FILE = Path(__file__).with_name("floors.toml")
GATED_FIGURES = ("f1", "recall", "precision")


def load_floors(path: Path = FLOORS_FILE) -> dict[str, dict[str, float]]:
    """The floors per figure set, as pinned in ``path``."""
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    floors: dict[str, dict[str, float]] = {}
    for set_name, figures in data.items():
        if not isinstance(figures, dict):
            raise ValueError(f"{path}: [{set_name}] must be a table of figure = floor")
        unknown = set(figures) - set(GATED_FIGURES)
        if unknown:
            raise ValueError(f"{path}: [{set_name}] has unknown figures {sorted(unknown)}; known: {GATED_FIGURES}")
        floors[set_name] = {name: float(value) for name, value in figures.items()}
    return floors


def check(results: dict[str, dict], floors: dict[str, dict[str, float]], source: str = "bench/floors.toml"
          ) -> list[str]:
    """Messages for each of the project's figures below its floor; ``results[set]`` is the project's figures.

    ``source``: the floors file, named in each message.
    """
    failures: list[str] = []
    for set_name, set_floors in floors.items():
        figures = results.get(set_name)
        if figures is None:
            failures.append(f"{set_name}: no figures measured (floors pinned for it in {source})")
            continue
        for name, floor in set_floors.items():
            value = figures.get(name)
            if value is None or value < floor:
                failures.append(f"{set_name}: {name} {value} is below its floor {floor} ({source})")
    return failures
