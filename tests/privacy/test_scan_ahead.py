"""The gate begun while a run still writes (ScanAhead) finds what a scan afterwards finds."""

from __future__ import annotations

import os
import shutil

from lcanalysis import privacy
from lcanalysis.privacy import scanner

NAMES = {"Cecilia Ceder", "Ceder"}
NUMBER = "811218-9876"


def _found(findings):
    return sorted(str(f) for f in findings)


def _write_unsafe_table(run):
    tables = run / "tables" / "01_nb"
    tables.mkdir(parents=True)
    (tables / "unsafe.csv").write_text(
        "region,count,suppressed,suppression_reason\nNorrtälje,3,false,\nGävle,12,false,\n", encoding="utf-8")


def test_files_written_or_changed_after_the_listing_are_scanned(tmp_path):
    run, figures = tmp_path / "run", tmp_path / "figures"
    run.mkdir()
    figures.mkdir()
    (run / "early.csv").write_text(f"who\n{NUMBER}\n", encoding="utf-8")
    (run / "changed.md").write_text("nothing here\n", encoding="utf-8")
    (figures / "poster.svg").write_text("<svg><text>Cecilia Ceder</text></svg>", encoding="utf-8")
    ahead = scanner.ScanAhead([run, figures], names=NAMES)
    (run / "report.html").write_text("<p>mail anna@example.se</p>", encoding="utf-8")
    changed = run / "changed.md"
    changed.write_text("now Ceder is here\n", encoding="utf-8")
    os.utime(changed, ns=(changed.stat().st_atime_ns, changed.stat().st_mtime_ns + 10**9))
    (run / "poster_pack").mkdir()
    shutil.copy2(figures / "poster.svg", run / "poster_pack" / "poster.svg")
    _pdf(run / "report.pdf", "Cecilia Ceder")  # read beside the other later files
    found = ahead.finish()
    assert [f.file.removeprefix(str(run)) for f in found[-4:]] == [  # the later files, in order
        "/changed.md", "/poster_pack/poster.svg", "/report.html", "/report.pdf"]
    assert _found(found) == _found(privacy.scan([run, figures], names=NAMES))
    assert {(f.file.removeprefix(str(tmp_path)), f.kind) for f in found} == {
        ("/run/early.csv", "identity_number"), ("/run/changed.md", "name"), ("/run/report.html", "email"),
        ("/figures/poster.svg", "name"), ("/run/poster_pack/poster.svg", "name"), ("/run/report.pdf", "name")}


def _pdf(path, title):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.set_title(title)
    fig.savefig(path)
    plt.close(fig)


def test_a_copy_is_read_once_and_reported_at_its_own_path(tmp_path, monkeypatch):
    (tmp_path / "a.svg").write_text("<svg><text>Cecilia Ceder</text></svg>", encoding="utf-8")
    shutil.copy2(tmp_path / "a.svg", tmp_path / "b.svg")
    (tmp_path / "c.txt").write_text("<svg><text>Cecilia Ceder</text></svg>", encoding="utf-8")
    read = []
    original = scanner._read_content
    monkeypatch.setattr(scanner, "_read_content", lambda path, scan: read.append(path.name) or original(path, scan))
    found = privacy.scan([tmp_path], names=NAMES)
    assert read == ["a.svg", "c.txt"]  # same bytes under another suffix are read: readers differ
    assert sorted(f.file.rsplit("/", 1)[-1] for f in found if f.kind == "name") == ["a.svg", "b.svg", "c.txt"]


def test_tables_exported_after_the_listing_are_attacked(tmp_path):
    reports = tmp_path / "reports"
    (reports / "run-1").mkdir(parents=True)
    ahead = scanner.ScanAhead([reports], names=NAMES)
    _write_unsafe_table(reports / "run-1")
    found = ahead.finish()
    assert _found(found) == _found(privacy.scan([reports], names=NAMES))
    assert any(f.kind == "disclosure" and f.file.endswith("unsafe.csv") for f in found)


def test_a_file_removed_after_the_listing_is_not_an_error(tmp_path):
    (tmp_path / "gone.csv").write_text(f"who\n{NUMBER}\n", encoding="utf-8")
    (tmp_path / "kept.csv").write_text(f"who\n{NUMBER}\n", encoding="utf-8")
    listed = list(scanner._files([tmp_path]))
    (tmp_path / "gone.csv").unlink()
    state = scanner.Scan(privacy.Matcher(NAMES), "default")
    assert [f.file.rsplit("/", 1)[-1] for f in scanner._scan_files(listed, state, scanner.DEFAULT_BUDGET)] == [
        "kept.csv"]


def test_if_the_other_process_dies_the_listed_files_are_scanned_here(tmp_path):
    (tmp_path / "early.csv").write_text(f"who\n{NUMBER}\n", encoding="utf-8")
    ahead = scanner.ScanAhead([tmp_path], names=NAMES)
    for process in list(ahead._pool._processes.values()):
        process.kill()
    assert [(f.file.rsplit("/", 1)[-1], f.kind) for f in ahead.finish()] == [("early.csv", "identity_number")]
