"""The extraction benchmark's CI gate: figures below a pinned floor fail with a message naming them.

No benchmark data is needed: the gate is fed figures directly, as ``bench/extraction.py
--check-floors`` feeds it the project's measured ones.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"


def _load(name: str):  # noqa: ANN202 - a module
    spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


gate = _load("extraction_gate")


def _at_floors(floors: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
    return {set_name: dict(figures) for set_name, figures in floors.items()}


def test_pinned_floors_cover_both_sets_with_f1_and_recall() -> None:
    floors = gate.load_floors()
    for set_name in ("article-extraction", "trafilatura-eval"):
        assert {"f1", "recall"} <= set(floors[set_name]), set_name


def test_figures_at_the_floors_pass() -> None:
    floors = gate.load_floors()
    assert gate.check(_at_floors(floors), floors) == []


@pytest.mark.parametrize("figure", ["f1", "recall"])
def test_a_regression_below_a_floor_fails_naming_set_figure_and_floor(figure: str) -> None:
    floors = gate.load_floors()
    results = _at_floors(floors)
    results["trafilatura-eval"][figure] = round(floors["trafilatura-eval"][figure] - 0.01, 4)
    failures = gate.check(results, floors)
    assert len(failures) == 1
    assert failures[0].startswith(f"trafilatura-eval: {figure} ")
    assert "below its floor" in failures[0] and str(floors["trafilatura-eval"][figure]) in failures[0]


def test_a_set_not_measured_fails() -> None:
    floors = gate.load_floors()
    results = _at_floors(floors)
    del results["article-extraction"]
    assert gate.check(results, floors) == [
        "article-extraction: no figures measured (floors pinned for it in bench/floors.toml)"
    ]


def test_the_benchmark_command_exits_1_below_a_floor(tmp_path: Path, monkeypatch, capsys) -> None:
    """End to end: bench/extraction.py --check-floors on a tiny dataset the project cannot reach a floor on."""
    import gzip
    import json

    data = tmp_path / "set"
    (data / "html").mkdir(parents=True)
    page = "<html><body><nav>Home News</nav><p>Only a menu here.</p></body></html>"
    (data / "html" / "p1.html.gz").write_bytes(gzip.compress(page.encode()))
    truth = {"p1": {"url": "https://example.org/a", "articleBody": "A long article body the page does not hold."}}
    (data / "ground-truth.json").write_text(json.dumps(truth), encoding="utf-8")
    floors = tmp_path / "floors.toml"
    floors.write_text('["article-extraction"]\nf1 = 0.9\nrecall = 0.9\n', encoding="utf-8")
    bench = _load("extraction")
    status = bench.main(["--dataset", str(data), "--only", "project", "--check-floors", str(floors)])
    assert status == 1
    err = capsys.readouterr().err
    assert "FLOOR FAILED: article-extraction: f1 0.0 is below its floor 0.9" in err


def test_unknown_figure_in_floors_is_refused(tmp_path: Path) -> None:
    floors = tmp_path / "floors.toml"
    floors.write_text('["article-extraction"]\nfone = 0.9\n', encoding="utf-8")
    with pytest.raises(ValueError, match="unknown figures"):
        gate.load_floors(floors)
