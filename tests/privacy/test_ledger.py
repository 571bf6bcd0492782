"""The gate's ledger of contents read clean: what is not read again, and what always is."""

from __future__ import annotations

import json

import pytest

from lcanalysis import privacy
from lcanalysis.privacy import ledger as ledger_module
from lcanalysis.privacy import scanner
from lcanalysis.privacy.ledger import CleanLedger, checks_fingerprint
from lcanalysis.report import tables as tables_module

NAMES = {"Cecilia Ceder"}
NUMBER = "811218-9876"


@pytest.fixture
def read(monkeypatch):
    """The names of the files the scans in this process read, in order."""
    names: list[str] = []
    original = scanner._read_content
    monkeypatch.setattr(scanner, "_read_content",
                        lambda path, scan: names.append(path.name) or original(path, scan))
    return names


def _scan(folder, ledger_dir, names=NAMES, policy="default"):
    """One gate's scan of ``folder`` with the ledger in ``ledger_dir`` (saved after)."""
    state = scanner.Scan(privacy.Matcher(names), policy,
                         ledger=CleanLedger(ledger_dir, checks_fingerprint(names, policy)))
    found = scanner._scan_files(scanner._files([folder]), state, privacy.DEFAULT_BUDGET)
    state.ledger.save()
    return sorted((f.file.rsplit("/", 1)[-1], f.kind) for f in found)


def test_a_clean_file_is_read_once_and_a_file_with_a_finding_every_time(tmp_path, read):
    out, kept = tmp_path / "out", tmp_path / "derived"
    out.mkdir()
    (out / "clean.csv").write_text("region,count\nGävle,12\n", encoding="utf-8")
    (out / "leak.csv").write_text(f"who\n{NUMBER}\n", encoding="utf-8")
    assert _scan(out, kept) == [("leak.csv", "identity_number")]
    assert read == ["clean.csv", "leak.csv"]
    read.clear()
    assert _scan(out, kept) == [("leak.csv", "identity_number")]  # still found, still reported
    assert read == ["leak.csv"]
    assert privacy.scan([out], names=NAMES) == privacy.scan([out], names=NAMES)  # no ledger: reads all


def test_new_bytes_another_name_or_another_suffix_are_read_again(tmp_path, read):
    out, kept = tmp_path / "out", tmp_path / "derived"
    out.mkdir()
    clean = out / "notes.md"
    clean.write_text("Ceder was not here\n", encoding="utf-8")
    _scan(out, kept)
    read.clear()
    # the raw files now name "Ceder": the same bytes are a finding
    assert _scan(out, kept, names=NAMES | {"Ceder"}) == [("notes.md", "name")]
    assert read == ["notes.md"]
    read.clear()
    clean.write_text("Ceder was not here either\n", encoding="utf-8")
    assert _scan(out, kept) == [] and read == ["notes.md"]
    read.clear()
    clean.rename(out / "notes.txt")  # other readers
    assert _scan(out, kept) == [] and read == ["notes.txt"]


def test_a_file_written_while_it_is_read_is_not_recorded(tmp_path, monkeypatch):
    out, kept = tmp_path / "out", tmp_path / "derived"
    out.mkdir()
    notes = out / "notes.md"
    notes.write_text("first\n", encoding="utf-8")
    read = []
    original = scanner._read_content

    def rewritten_meanwhile(path, scan):
        read.append(path.read_text(encoding="utf-8"))
        yield from original(path, scan)
        if len(read) == 1:
            path.write_text(f"Cecilia Ceder {NUMBER}\n", encoding="utf-8")

    monkeypatch.setattr(scanner, "_read_content", rewritten_meanwhile)
    assert _scan(out, kept) == []  # "first" read clean, but the file is no longer "first"
    notes.write_text("first\n", encoding="utf-8")
    assert _scan(out, kept) == [] and read == ["first\n", "first\n"]  # so it is read again
    assert _scan(out, kept) == [] and len(read) == 2  # now recorded


def test_another_package_or_policy_reads_everything_again():
    one = checks_fingerprint(NAMES, "default")
    assert checks_fingerprint(set(NAMES), "default") == one
    assert checks_fingerprint(NAMES, "strict") != one
    assert checks_fingerprint(NAMES | {"Ceder"}, "default") != one


def test_a_damaged_ledger_reads_everything_and_is_replaced(tmp_path, read):
    out, kept = tmp_path / "out", tmp_path / "derived"
    out.mkdir()
    (out / "a.md").write_text("nothing\n", encoding="utf-8")
    kept.mkdir()
    (kept / ledger_module.LEDGER_FILE).write_text("{not json", encoding="utf-8")
    assert _scan(out, kept) == [] and read == ["a.md"]
    assert len(json.loads((kept / ledger_module.LEDGER_FILE).read_text())["keys"]) == 1


def test_the_most_recently_used_keys_are_kept(tmp_path, monkeypatch):
    monkeypatch.setattr(ledger_module, "LIMIT", 3)
    times = iter(range(100))
    monkeypatch.setattr(ledger_module.time, "time", lambda: next(times))
    first = CleanLedger(tmp_path, "checks")
    for key in ("a", "b", "c", "d"):
        first.add(key)
    first.save()
    assert set(json.loads((tmp_path / ledger_module.LEDGER_FILE).read_text())["keys"]) == {"b", "c", "d"}
    second = CleanLedger(tmp_path, "checks")
    assert "b" in second  # used again: now the newest
    second.add("e")
    second.save()
    assert set(json.loads((tmp_path / ledger_module.LEDGER_FILE).read_text())["keys"]) == {"b", "d", "e"}


def _safe_export(run):
    """A protected table exported as a run exports it (tests/disclosure/test_run.py)."""
    from lcanalysis import disclosure as dc
    from tests.disclosure.test_attack import BY_AGE, ISSUE_CELLS, cross
    from tests.disclosure.test_run import _export

    primary = dc.apply_policy(cross(ISSUE_CELLS), "default", keys=BY_AGE.keys)
    return _export(run, dc.protect(dc.Published("first_generation_by_age", primary, BY_AGE), "default"), "en")


def test_tables_the_intruder_attacked_clean_are_not_attacked_again(tmp_path, monkeypatch):
    attacked = []
    original = tables_module.attack_run
    monkeypatch.setattr(tables_module, "attack_run", lambda t, p: attacked.append(t) or original(t, p))
    run, kept = tmp_path / "run", tmp_path / "derived"
    folder = _safe_export(run)

    def attack():
        ledger = CleanLedger(kept, checks_fingerprint(NAMES, "default"))
        found = tables_module.attack_exports([run], "default", ledger=ledger)
        ledger.save()
        return found

    assert attack() == [] and attacked == [run / "tables"]
    attacked.clear()
    assert attack() == [] and attacked == []
    assert (run / tables_module.LOG_FILE).is_file()  # the run's log is still merged
    # Someone shows a hidden cell again: other bytes, attacked, found; and found again
    path = folder / "first_generation_by_age.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    hidden = next(i for i, line in enumerate(lines) if line.endswith(",secondary"))
    lines[hidden] = lines[hidden].replace(",true,secondary", ",false,")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    found = attack()
    assert attacked == [run / "tables"] and found and found == tables_module.attack_exports([run], "default")
    attacked.clear()
    assert attack() == found and attacked == [run / "tables"]  # a finding is never kept


def test_tables_rewritten_while_attacked_are_attacked_again(tmp_path, monkeypatch):
    run, kept = tmp_path / "run", tmp_path / "derived"
    folder = _safe_export(run)
    layouts = folder / tables_module.LAYOUT_FILE
    attacked = []
    original = tables_module.attack_run

    def rewritten_meanwhile(tables, policy):
        attacked.append(tables)
        found = original(tables, policy)
        if len(attacked) == 1:  # the same layouts, other bytes
            layouts.write_text(json.dumps(json.loads(layouts.read_text(encoding="utf-8")), indent=4),
                               encoding="utf-8")
        return found

    def attack():
        ledger = CleanLedger(kept, checks_fingerprint(NAMES, "default"))
        assert tables_module.attack_exports([run], "default", ledger=ledger) == []
        ledger.save()

    monkeypatch.setattr(tables_module, "attack_run", rewritten_meanwhile)
    before = layouts.read_bytes()
    attack()  # the tables attacked are not those there now: nothing recorded
    layouts.write_bytes(before)
    attack()
    attack()
    assert len(attacked) == 2  # the first bytes attacked again, then recorded


def test_a_run_gate_with_the_ledger_finds_what_a_full_scan_finds(tmp_path):
    run, kept = tmp_path / "run", tmp_path / "derived"
    run.mkdir()
    (run / "clean.md").write_text("nothing here\n", encoding="utf-8")
    (run / "leak.md").write_text("Cecilia Ceder\n", encoding="utf-8")
    _safe_export(run)
    full = sorted(map(str, privacy.scan([run], names=NAMES)))
    for _ in range(2):  # the second time, from the ledger the first one wrote
        ahead = scanner.ScanAhead([run], names=NAMES, ledger=kept)
        (run / "report.html").write_text("<p>clean</p>", encoding="utf-8")
        assert sorted(map(str, ahead.finish())) == full
    assert (kept / ledger_module.LEDGER_FILE).is_file()
