"""The 取込 check hands a template's columns to the add (issue 16 §3): used only for the same bytes, never
trusted when damaged or foreign, and never a file in the reports folder."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from evaldash import access, audit, handoff, imports, template

CLI = access.cli_actor()
HEADER = "municipality,policy_no,policy_name,measure_id,indicator,unit,fiscal_year,value,extra"


def upload(value: int = 12) -> bytes:
    rows = [HEADER, f"白老町,1,まちづくり,0086,参加者数,人,2020,{value},x", "白老町,1,まちづくり,0086,参加者数,人,2021,13,x"]
    return "\n".join(rows).encode()


def values(db):
    from evaldash import store

    con = store.connect_readonly(db)
    try:
        return con.execute("SELECT fiscal_year, value FROM observations WHERE municipality = '白老町' "
                           "ORDER BY fiscal_year").fetchall()
    finally:
        con.close()


@pytest.fixture
def reads(monkeypatch):
    """How many times a template's bytes are read."""
    count = []
    real = imports.read_columns

    def counting(data, name):
        count.append(name)
        return real(data, name)

    monkeypatch.setattr(imports, "read_columns", counting)
    return count


def checked(name, data, folder):
    findings, preview = imports.check_and_preview(name, data, folder)
    assert preview is not None, findings
    return findings, audit.changes_from_preview(preview)


def test_the_add_uses_the_columns_the_check_read(reports_dir, tmp_path, reads):
    data = upload()
    findings, changes = checked("shiraoi.csv", data, reports_dir)
    assert handoff.path_of(imports.handoff_dir(reports_dir), data).is_file()
    outcome = imports.add_sources([("shiraoi.csv", data)], reports_dir, tmp_path / "s.duckdb", actor=CLI, changes=changes)
    assert outcome.ok, outcome.findings
    assert reads == ["shiraoi.csv"]  # the check's read only
    assert values(tmp_path / "s.duckdb") == [(2020, 12.0), (2021, 13.0)]
    assert [f.message for f in outcome.findings] == [f.message for f in findings]  # the unknown column's warning
    assert not handoff.path_of(imports.handoff_dir(reports_dir), data).exists()  # used once, then gone
    assert sorted(p.name for p in reports_dir.iterdir() if p.suffix == ".csv") == ["shiraoi.csv"]
    assert not list(reports_dir.glob("*.parquet")) and not list(reports_dir.glob(".*"))


def test_other_bytes_are_read_again(reports_dir, tmp_path, reads):
    checked("shiraoi.csv", upload(12), reports_dir)
    other = upload(99)
    outcome = imports.add_sources([("shiraoi.csv", other)], reports_dir, tmp_path / "s.duckdb", actor=CLI)
    assert outcome.ok, outcome.findings
    assert reads == ["shiraoi.csv", "shiraoi.csv"]
    assert values(tmp_path / "s.duckdb") == [(2020, 99.0), (2021, 13.0)]


def damage_truncated(path, data):
    path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])


def damage_other_digest(path, data):
    table = pq.read_table(path)
    pq.write_table(table.replace_schema_metadata({**table.schema.metadata, handoff.DIGEST_KEY: b"0" * 64}), path)


def damage_foreign_column(path, data):
    table = pa.table({"__import__": pa.array(["os"]).dictionary_encode()})
    pq.write_table(table.replace_schema_metadata({handoff.DIGEST_KEY: handoff.digest(data).encode(),
                                                  handoff.FINDINGS_KEY: b"[]"}), path)


def damage_not_parquet(path, data):
    path.write_bytes(b"\x80\x04\x95 not a parquet file")


@pytest.mark.parametrize("damage", [damage_truncated, damage_other_digest, damage_foreign_column,
                                    damage_not_parquet])
def test_a_damaged_or_foreign_handoff_is_ignored(reports_dir, tmp_path, reads, damage):
    data = upload()
    _, changes = checked("shiraoi.csv", data, reports_dir)
    damage(handoff.path_of(imports.handoff_dir(reports_dir), data), data)
    outcome = imports.add_sources([("shiraoi.csv", data)], reports_dir, tmp_path / "s.duckdb", actor=CLI, changes=changes)
    assert outcome.ok, outcome.findings
    assert reads == ["shiraoi.csv", "shiraoi.csv"]  # read again
    assert values(tmp_path / "s.duckdb") == [(2020, 12.0), (2021, 13.0)]


def test_no_handoff_for_an_upload_with_an_error(reports_dir):
    data = upload().replace(b",12,", b",abc,")
    findings, preview = imports.check_and_preview("shiraoi.csv", data, reports_dir)
    assert preview is None and findings
    assert not handoff.path_of(imports.handoff_dir(reports_dir), data).exists()


def test_an_old_handoff_is_cleared(reports_dir, tmp_path):
    import os
    import time

    data = upload()
    checked("shiraoi.csv", data, reports_dir)
    path = handoff.path_of(imports.handoff_dir(reports_dir), data)
    old = time.time() - handoff.MAX_AGE_SECONDS - 60
    os.utime(path, (old, old))
    checked("other.csv", upload(5), reports_dir)  # any later check clears it
    assert not path.exists()


def test_the_columns_read_back_as_they_were_written(tmp_path):
    data = upload()
    columns = template.read_columns(data, "a.csv")
    handoff.write(tmp_path, data, columns)
    frame, findings = handoff.read(tmp_path, data, "a.csv", template.COLUMNS)
    assert {c: list(v) for c, v in frame.items()} == {c: list(v) for c, v in columns[0].items()}
    assert findings == columns[1]


def test_an_add_without_a_preview_records_what_the_preview_shows(reports_dir, tmp_path):
    """`add` on the command line takes its record's changes from the build's own tables, not a second merge."""
    revised = "\n".join([HEADER, "苫小牧市,1,p,1110321,x,人,2020,1,x"]).encode()
    for name, data in [("shiraoi.csv", upload()), ("more.csv", revised)]:
        _, preview = imports.check_and_preview(name, data, reports_dir)
        expected = audit.make_record("add", "x", "done", changes=audit.changes_from_preview(preview))["changes"]
        handoff.discard(imports.handoff_dir(reports_dir), data)
        outcome = imports.add_sources([(name, data)], reports_dir, tmp_path / "s.duckdb", actor=CLI)
        assert outcome.ok, outcome.findings
        assert audit.read().records[0]["changes"] == expected
        assert expected["counts"]["new_values"] > 0
