"""Upload bounds (issue 16 §3): time and peak memory of checking, previewing and adding large uploads.

A benchmark, not a test: run it by hand and copy the figures into BENCHMARKS.md.

    python bench/uploads.py                 # every case, each in a fresh process
    python bench/uploads.py csv-add         # one case: csv-add, csv-page, csv-worker, xlsx, bomb

csv-add     a 1,000,000-row template (minimal columns, about 20 MB) through `python -m evaldash add`
csv-page    the same through the functions 取込 calls (imports.check_and_preview, then imports.add_sources)
csv-worker  the same through worker.check_upload and worker.add_uploads (time only: the work is in a child)
xlsx        a 100,000-row .xlsx through check_and_preview and add_sources

As the 取込 page does, the add is given the changes its preview found (audit.changes_from_preview), so it
does not work the preview out again.
bomb        an .xlsx whose one member inflates to 1 GiB, through check_and_preview: refused

Peak memory is the process's own maximum resident size (ru_maxrss), for csv-add the CLI's.
"""

from __future__ import annotations

import io
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from proc import ROOT, maxrss_mb

CASES = ["csv-add", "csv-page", "csv-worker", "xlsx", "bomb"]
HEADER = ["municipality", "policy_no", "policy_name", "measure_id", "indicator", "unit", "fiscal_year", "value"]
DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def rows(count: int):
    """`count` valid rows: measures of 10 indicators over 5 fiscal years, cells short enough for 1,000,000
    rows to stay under the file size limit (the unit may be blank)."""
    for k in range(count):
        indicator, year = divmod(k, 5)
        measure, name = divmod(indicator, 10)
        code = DIGITS[measure // 1296 % 36] + DIGITS[measure // 36 % 36] + DIGITS[measure % 36]
        yield ["a", str(1 + measure % 9), "p", code, str(name), "", str(2019 + year), str(k % 10)]


def template_csv(count: int) -> bytes:
    return ("\n".join(",".join(r) for r in [HEADER, *rows(count)]) + "\n").encode()


def template_xlsx(count: int) -> bytes:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("data")
    sheet.append(HEADER)
    for r in rows(count):
        sheet.append(r[:7] + [int(r[7])])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def bomb_xlsx() -> bytes:
    """A workbook whose sheet inflates to 1 GiB of spaces: written in chunks, never held whole."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            chunk = b" " * 2**24
            for _ in range(64):
                member.write(chunk)
    return out.getvalue()


def folder_with_the_bundled_report(tmp: Path) -> tuple[Path, Path]:
    folder = tmp / "reports"
    folder.mkdir()
    shutil.copy(ROOT / "data" / "reports" / "tomakomai_R1.txt", folder)
    return folder, tmp / "store.duckdb"


def run_case(case: str) -> None:
    from evaldash import access, audit, imports, worker
    CLI = access.cli_actor()  # what `add` passes: the operator is audited, not role-checked

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        folder, db = folder_with_the_bundled_report(tmp)
        name, data = ("big.xlsx", template_xlsx(100_000)) if case == "xlsx" else (
            ("bomb.xlsx", bomb_xlsx()) if case == "bomb" else ("big.csv", template_csv(1_000_000)))
        print(f"{case}: {name} {len(data):,} bytes", flush=True)
        start = time.perf_counter()
        if case == "csv-add":
            (tmp / name).write_bytes(data)
            cmd = [sys.executable, "-m", "evaldash", "add", str(tmp / name), "--reports", str(folder), "--db", str(db)]
            done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
            assert done.returncode == 0, done.stderr[-2000:]
            report(case, time.perf_counter() - start, maxrss_mb(resource.RUSAGE_CHILDREN))
            return
        if case == "csv-worker":
            findings, preview = worker.check_upload(name, data, folder)
            assert preview is not None, findings[:5]
            mid = time.perf_counter()
            outcome = worker.add_uploads([(name, data)], folder, db, actor=CLI,
                                         changes=audit.changes_from_preview(preview))
            assert outcome.ok, outcome.findings[:5]
            print(f"  check+preview {mid - start:.1f} s, add {time.perf_counter() - mid:.1f} s")
            report(case, time.perf_counter() - start, None)
            return
        findings, preview = imports.check_and_preview(name, data, folder)
        mid = time.perf_counter()
        if case == "bomb":
            assert preview is None and findings, findings
            print(f"  {findings[0]}")
        else:
            assert preview is not None, findings[:5]
            outcome = imports.add_sources([(name, data)], folder, db, actor=CLI,
                                          changes=audit.changes_from_preview(preview))
            assert outcome.ok, outcome.findings[:5]
            print(f"  check+preview {mid - start:.1f} s, add {time.perf_counter() - mid:.1f} s")
        report(case, time.perf_counter() - start, maxrss_mb())


def report(case: str, seconds: float, peak_mb: float | None) -> None:
    memory = f", peak {peak_mb:,.0f} MB" if peak_mb else ""
    print(f"RESULT {case}: {seconds:.1f} s{memory}", flush=True)


def main(argv: list[str]) -> int:
    if argv:
        run_case(argv[0])
        return 0
    for case in CASES:  # each in a fresh process, so each peak is its own
        subprocess.run([sys.executable, __file__, case], cwd=ROOT, check=False)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
