"""Key handling: the demo key lives in one place, no real key is committed, and the
demo key never pseudonymises real data."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from lcanalysis import identity
from tests.fixtures.cli import run_cli
from tests.fixtures.messy_raw import write_messy_raw

ROOT = Path(__file__).resolve().parents[2]
KEY_LIKE = re.compile(r"(?<![0-9A-Fa-f])[0-9A-Fa-f]{64}(?![0-9A-Fa-f])")


def repository_files() -> list[Path]:
    """Tracked files and files about to be (untracked, not ignored)."""
    listed = (
        subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
            cwd=ROOT,
            capture_output=True,
            check=True,
        )
        .stdout.decode()
        .split("\0")
    )
    return [ROOT / name for name in listed if name and (ROOT / name).is_file()]


def test_the_demo_key_is_written_down_only_where_it_is_defined():
    # The patterns are built from the key, so this file does not contain them.
    spellings = [identity.DEMO_KEY.decode(), identity.DEMO_KEY.hex()]
    definition = ROOT / "lcanalysis" / "identity" / "keys.py"
    hits = []
    for path in repository_files():
        text = path.read_bytes().decode("utf-8", errors="replace")
        count = sum(text.lower().count(s.lower()) for s in spellings)
        if count and not (path == definition and count == 1):
            hits.append(f"{path.relative_to(ROOT)} ({count}x)")
    assert hits == []


def test_nothing_that_looks_like_a_key_is_committed():
    hits = [
        str(path.relative_to(ROOT))
        for path in repository_files()
        if KEY_LIKE.search(path.read_bytes().decode("utf-8", errors="replace"))
    ]
    assert hits == []


def test_the_demo_key_is_refused_on_real_data(tmp_path):
    raw = write_messy_raw(tmp_path / "raw")
    key_file = tmp_path / "home" / "demo.key"
    key_file.parent.mkdir()
    key_file.write_text(identity.DEMO_KEY.hex() + "\n", encoding="utf-8")
    for how in (
        {"env_extra": {"LCANALYSIS_KEY": identity.DEMO_KEY.hex()}},
        {"args": ("--key-file", str(key_file))},
    ):
        out = tmp_path / "out"
        result = run_cli(
            "clean",
            "--raw",
            str(raw),
            "--out",
            str(out),
            *how.get("args", ()),
            env_extra=how.get("env_extra", {"HOME": str(tmp_path / "home")}),
        )
        assert result.returncode == 2, how
        assert "demo key" in result.stderr and "Traceback" not in result.stderr
        assert not out.exists()
