"""`crawler fixture` saves a case that the fixture walk accepts."""

from __future__ import annotations

import json
from pathlib import Path

from crawler.cli import main

SEED = Path(__file__).parent / "fixtures" / "sites" / "syrianobserver" / "seed"


def test_fixture_drafts_the_current_parse(tmp_path: Path, capsys) -> None:
    url = json.loads((SEED / "meta.json").read_text())["url"]
    code = main(["fixture", "syrianobserver", "copy", str(SEED / "page.html"), "--url", url, "--root", str(tmp_path)])
    assert code == 0
    case = tmp_path / "syrianobserver" / "copy"
    assert (case / "page.html").read_bytes() == (SEED / "page.html").read_bytes()
    assert json.loads((case / "meta.json").read_text()) == {"site": "syrianobserver", "url": url}
    assert json.loads((case / "expected.json").read_text()) == json.loads((SEED / "expected.json").read_text())
    assert "correct it by hand" in capsys.readouterr().out


def test_fixture_refuses_unknown_site_and_existing_case(tmp_path: Path, capsys) -> None:
    assert main(["fixture", "nosuchsite", "x", str(SEED / "page.html"), "--url", "http://x/"]) == 2
    assert "unknown site 'nosuchsite'" in capsys.readouterr().err
    args = ["fixture", "syrianobserver", "seed", str(SEED / "page.html"), "--url", "http://x/", "--root"]
    assert main([*args, str(SEED.parent.parent)]) == 2
    assert "exists; pass --force" in capsys.readouterr().err
