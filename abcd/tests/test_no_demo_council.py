"""The demo council's place name appears only in the demo package (demo/: its
code and its data). Everything else (product code, templates, static files,
settings, tests, docs) speaks of the council through its own settings and
data, or neutrally, so that any council can adopt the product."""

import subprocess
from pathlib import Path

from demo.identity import DEMO_IDENTITY

ROOT = Path(__file__).resolve().parent.parent.parent
# The demo's town, read from the demo so that the word itself need not be
# written here.
WORD = DEMO_IDENTITY["ASSETS_DEFAULT_TOWN"].lower().encode()
# Files outside demo/ allowed to name the demo council, each with its reason.
# None is needed today: README.md and docs/ say "the demo council".
ALLOWED: dict[str, str] = {}


def project_files() -> list[str]:
    """Every file git tracks, and every new file it does not ignore, so a file
    not yet committed is checked too."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return sorted({path for path in listed.split("\0") if path})


def naming_the_demo_council(paths: list[str]) -> list[str]:
    found = []
    for path in paths:
        if path.startswith("demo/") or path in ALLOWED:
            continue
        file = ROOT / path
        if file.is_file() and WORD in file.read_bytes().lower():
            found.append(path)
    return found


def test_the_word_is_the_demo_councils_town():
    assert len(WORD) > 3
    assert WORD.decode() in DEMO_IDENTITY["COUNCIL_NAME"].lower()


def test_only_the_demo_names_the_demo_council():
    paths = project_files()
    assert "README.md" in paths and "core/identity.py" in paths
    assert naming_the_demo_council(paths) == []


def test_the_walk_finds_a_file_that_names_it(tmp_path, monkeypatch):
    """The check itself can fail: a file outside demo/ that names the town,
    in any case, is reported; the same file inside demo/ is not."""
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    (tmp_path / "demo").mkdir()
    (tmp_path / "core").mkdir()
    text = f"Welcome to {DEMO_IDENTITY['ASSETS_DEFAULT_TOWN'].upper()}!"
    (tmp_path / "demo" / "data.csv").write_text(text)
    (tmp_path / "core" / "hint.py").write_text(text)
    assert naming_the_demo_council(["demo/data.csv", "core/hint.py"]) == [
        "core/hint.py"
    ]


def test_every_allowed_file_says_why_and_still_needs_it():
    for path, reason in ALLOWED.items():
        assert reason.strip(), path
        assert WORD in (ROOT / path).read_bytes().lower(), f"{path} no longer needs it"
