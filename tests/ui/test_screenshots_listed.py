"""The README shows a screenshot of every main screen: each `make screenshots` entry is in docs/ui/ and linked."""

from __future__ import annotations

from tests.ui.browser import ROOT
from tests.ui.screenshots import OUT_DIR, all_screens


def test_every_screenshot_exists_and_the_readme_shows_it() -> None:
    readme = (ROOT / "README.md").read_text()
    names = [screen.name for screen in all_screens()]
    assert len(names) == len(set(names)), "two screens would write the same picture"
    assert [n for n in names if not (OUT_DIR / f"{n}.png").is_file()] == [], "run `make screenshots`"
    assert [n for n in names if f"](docs/ui/{n}.png)" not in readme] == [], "add them to the README's table"
    # and no picture is left in docs/ui/ that no screen makes any more
    assert sorted(p.stem for p in OUT_DIR.glob("*.png")) == sorted(names)
