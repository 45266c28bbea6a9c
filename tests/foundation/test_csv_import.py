import duckdb
import pytest

from ingestion.connectors.csv_export import RowError, parse_row
from orchestration.config import ConfigError, load_config
from orchestration.imports import import_csv_files
from tests.conftest import write_config, write_csv

GOOD = [
    "r1,2026-03-31T23:30:00Z,10,Top service,C1,,internet,support_call,E1,transactional,email,en",
    "r2,2026-04-01T08:00:00,6,Te duur,,Jan@Example.com ,mobile,billing,E2,,sms,nl",
    "r3,2026-04-02T09:15:00+02:00,8,,C3,,tv,,,relational,web,nl",
]
BAD = [
    "r4,2026-04-02T09:00:00Z,11,,C4,,tv,,,transactional,web,en",
    "r5,2026-04-02T09:00:00Z,-1,,C4,,tv,,,transactional,web,en",
    "r6,2026-04-02T09:00:00Z,7.5,,C4,,tv,,,transactional,web,en",
    "r7,2026-04-02T09:00:00Z,ten,,C4,,tv,,,transactional,web,en",
    "r8,2026-04-02T09:00:00Z,,,C4,,tv,,,transactional,web,en",
    ",2026-04-02T09:00:00Z,9,,C4,,tv,,,transactional,web,en",
    "r9,yesterday,9,,C4,,tv,,,transactional,web,en",
    "r10,2026-04-02T09:00:00Z,9,,C4,,tv,,,weekly,web,en",
]


@pytest.fixture
def home(tmp_path):
    write_config(tmp_path, {"sources": [{"name": "exports", "type": "csv", "path": "exports/*.csv"}]})
    return tmp_path


def raw_rows(home, sql):
    con = duckdb.connect(str(home / "data" / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_good_rows_land_and_every_bad_row_is_quarantined_with_its_reason(home):
    export = write_csv(home / "exports" / "april.csv", GOOD + BAD)

    [result] = import_csv_files(load_config(home / "nps.yaml"), "exports", [export])

    assert (result.counts.landed, result.counts.quarantined) == (3, 8)
    assert raw_rows(home, "select response_id, score from raw.csv__responses order by 1") == [
        ("r1", 10), ("r2", 6), ("r3", 8)
    ]
    reasons = dict(raw_rows(home, "select record_ref, reason from raw.quarantine"))
    assert reasons == {
        f"{export}:line 5": "invalid score '11': expected an integer 0..10",
        f"{export}:line 6": "invalid score '-1': expected an integer 0..10",
        f"{export}:line 7": "invalid score '7.5': expected an integer 0..10",
        f"{export}:line 8": "invalid score 'ten': expected an integer 0..10",
        f"{export}:line 9": "missing score",
        f"{export}:line 10": "missing response_id",
        f"{export}:line 11": "invalid responded_at 'yesterday': expected ISO 8601",
        f"{export}:line 12": "invalid survey_type 'weekly': expected one of transactional, relational",
    }
    payload = raw_rows(home, f"select payload from raw.quarantine where record_ref = '{export}:line 8'")[0][0]
    assert '"score": "ten"' in payload


def test_timestamps_without_offset_are_utc_and_defaults_fill_the_survey_type(home):
    export = write_csv(home / "exports" / "a.csv", GOOD)

    import_csv_files(load_config(home / "nps.yaml"), "exports", [export])

    rows = raw_rows(
        home,
        "select response_id, strftime(responded_at at time zone 'UTC', '%Y-%m-%d %H:%M'), survey_type, customer_email "
        "from raw.csv__responses order by 1",
    )
    assert rows == [
        ("r1", "2026-03-31 23:30", "transactional", None),
        ("r2", "2026-04-01 08:00", "transactional", "Jan@Example.com"),
        ("r3", "2026-04-02 07:15", "relational", None),
    ]


def test_importing_the_same_file_twice_changes_nothing(home):
    export = write_csv(home / "exports" / "a.csv", GOOD + BAD)
    config = load_config(home / "nps.yaml")
    import_csv_files(config, "exports", [export])
    before = raw_rows(home, "select * exclude (_batch_id) from raw.csv__responses order by response_id")

    [again] = import_csv_files(config, "exports", [export], batch_id="second")

    assert (again.counts.landed, again.counts.updated, again.counts.unchanged, again.counts.quarantined) == (0, 0, 3, 0)
    assert raw_rows(home, "select * exclude (_batch_id) from raw.csv__responses order by response_id") == before
    assert raw_rows(home, "select count(*) from raw.quarantine") == [(8,)]


def test_a_response_in_two_overlapping_exports_counts_once_with_the_newer_version(home):
    first = write_csv(home / "exports" / "a.csv", GOOD)
    second = write_csv(home / "exports" / "b.csv", [GOOD[0].replace(",10,Top service,", ",9,Top service!,"), GOOD[1]])
    config = load_config(home / "nps.yaml")

    import_csv_files(config, "exports", [first])
    [result] = import_csv_files(config, "exports", [second])

    assert (result.counts.landed, result.counts.updated, result.counts.unchanged) == (0, 1, 1)
    assert raw_rows(home, "select response_id, score, comment from raw.csv__responses order by 1") == [
        ("r1", 9, "Top service!"), ("r2", 6, "Te duur"), ("r3", 8, None)
    ]


def test_a_duplicate_row_within_one_file_counts_once_and_the_last_wins(home):
    export = write_csv(home / "exports" / "a.csv", [GOOD[0], GOOD[0].replace(",10,", ",3,")])

    [result] = import_csv_files(load_config(home / "nps.yaml"), "exports", [export])

    assert (result.counts.landed, result.counts.unchanged) == (1, 1)
    assert raw_rows(home, "select response_id, score from raw.csv__responses") == [("r1", 3)]


def test_a_file_without_a_required_column_is_quarantined_whole(home):
    export = write_csv(home / "exports" / "a.csv", ["r1,2026-01-01,hello"], header="response_id,responded_at,comment")

    [result] = import_csv_files(load_config(home / "nps.yaml"), "exports", [export])

    assert result.quarantine_reasons == {"header lacks required column(s) score": 1}
    assert raw_rows(home, "select count(*) from raw.csv__responses") == [(0,)]


def test_extra_columns_are_kept_as_attributes():
    record = parse_row(
        {"response_id": "x", "responded_at": "2026-01-01T00:00:00Z", "score": " 9 ", "store": "Utrecht"}, "relational"
    )

    assert (record["score"], record["survey_type"], record["attributes"]) == (9, "relational", {"store": "Utrecht"})
    with pytest.raises(RowError, match="missing responded_at"):
        parse_row({"response_id": "x", "score": "9"}, "relational")


def test_import_into_an_unknown_source_is_a_clear_error(home):
    with pytest.raises(ConfigError, match="no source named 'nope'"):
        import_csv_files(load_config(home / "nps.yaml"), "nope", [])


def test_status_shows_each_sources_newest_response_and_last_load(home):
    from orchestration.status import render_status

    import_csv_files(load_config(home / "nps.yaml"), "exports", [write_csv(home / "exports" / "a.csv", GOOD)])

    status = render_status(home / "nps.yaml", load_config(home / "nps.yaml"))

    assert "No run yet" in status
    assert "  exports          2026-04-02 07:15 UTC   " in status
    assert "(not published yet)" in status
