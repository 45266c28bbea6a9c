"""The reporting database describes itself: dbt descriptions as table and column comments, friendly
views with readable column names, and the dbt docs site published next to it."""
from __future__ import annotations

from datetime import date

import duckdb
import pytest

from orchestration.dbt import dbt_project, published_models
from reporting.catalog import (
    comment_statements,
    describe_reporting,
    load_manifest,
    model_descriptions,
    publish_dbt_docs,
)

MANIFEST = {
    "nodes": {
        "model.nps.nps_overall": {
            "resource_type": "model", "name": "nps_overall", "alias": "nps_overall",
            "description": "NPS of all responses\n  per period.",
            "columns": {
                "period_start": {"name": "period_start", "description": "First day of the period."},
                "nps": {"name": "nps", "description": "Net Promoter Score, 100 * (p - d) / n; it's unrounded."},
                "responses": {"name": "responses", "description": ""},
            },
        },
        "test.nps.not_null_nps": {"resource_type": "test", "name": "not_null_nps"},
    }
}


def write_overall(con) -> None:
    con.execute("create table nps_overall (period_start date, responses bigint, nps double)")
    con.execute("insert into nps_overall values (date '2026-06-01', 40, 12.5)")


def test_comments_carry_the_dbt_descriptions_on_one_line_and_skip_empty_ones():
    assert comment_statements(MANIFEST, ["nps_overall", "not_a_model"], "main") == [
        """comment on table "main"."nps_overall" is 'NPS of all responses per period.'""",
        """comment on column "main"."nps_overall"."period_start" is 'First day of the period.'""",
        """comment on column "main"."nps_overall"."nps" is 'Net Promoter Score, 100 * (p - d) / n; it''s unrounded.'""",
    ]


def test_a_described_duckdb_reporting_database_has_comments_and_friendly_views(tmp_path):
    path = tmp_path / "reporting.duckdb"
    con = duckdb.connect(str(path))
    write_overall(con)
    describe_reporting(con, MANIFEST, ["nps_overall"])
    con.close()

    con = duckdb.connect(str(path), read_only=True)
    try:
        assert con.execute("select comment from duckdb_tables() where table_name = 'nps_overall'").fetchall() == [
            ("NPS of all responses per period.",)
        ]
        assert con.execute(
            "select column_name, comment from duckdb_columns() where schema_name = 'main' and table_name = 'nps_overall'"
        ).fetchall() == [
            ("period_start", "First day of the period."),
            ("responses", None),
            ("nps", "Net Promoter Score, 100 * (p - d) / n; it's unrounded."),
        ]
        assert con.execute('select * from friendly.nps_overall').fetchall() == [(date(2026, 6, 1), 40, 12.5)]
        assert con.execute(
            "select column_name, comment from duckdb_columns() where schema_name = 'friendly'"
        ).fetchall() == [
            ("Period start", "First day of the period."),
            ("Responses", None),
            ("NPS", "Net Promoter Score, 100 * (p - d) / n; it's unrounded."),
        ]
    finally:
        con.close()
    # A BI tool that attaches the file under another name still reads the views.
    con = duckdb.connect()
    con.execute(f"attach '{path}' as reporting (read_only)")
    assert con.execute("select \"NPS\" from reporting.friendly.nps_overall").fetchall() == [(12.5,)]
    con.close()


@pytest.mark.postgres
def test_a_described_postgres_reporting_schema_has_comments_and_friendly_views(postgres_database):
    import psycopg2

    con = psycopg2.connect(postgres_database)
    try:
        with con, con.cursor() as cursor:
            cursor.execute("create schema reporting")
            cursor.execute(
                "create table reporting.nps_overall (period_start date, responses bigint, nps double precision,"
                " nps_ci_lower double precision)"
            )
            cursor.execute("insert into reporting.nps_overall values ('2026-06-01', 40, 12.5, 1.5)")
            describe_reporting(cursor, MANIFEST, ["nps_overall"], schema="reporting")
        with con.cursor() as cursor:
            cursor.execute("select obj_description('reporting.nps_overall'::regclass, 'pg_class')")
            assert cursor.fetchall() == [("NPS of all responses per period.",)]
            cursor.execute("select col_description('friendly.nps_overall'::regclass, 3)")
            assert cursor.fetchall() == [("Net Promoter Score, 100 * (p - d) / n; it's unrounded.",)]
            # A '%' in a name is plain text to psycopg2 when no parameters are passed.
            cursor.execute('select "Period start"::text, "Responses", "NPS", "NPS 95 % interval, lower" from friendly.nps_overall')
            assert cursor.fetchall() == [("2026-06-01", 40, 12.5, 1.5)]
    finally:
        con.close()


def test_every_column_of_every_published_mart_is_described_in_dbt():
    manifest = load_manifest(dbt_project.manifest_path)
    descriptions = model_descriptions(manifest)
    undescribed = {
        model["alias"]: [column for column, text in descriptions[model["alias"]][1].items() if not text]
        for model in published_models(dbt_project.manifest_path)
    }
    assert {table: columns for table, columns in undescribed.items() if columns} == {}
    assert all(descriptions[model["alias"]][0] for model in published_models(dbt_project.manifest_path))


def test_dbt_docs_are_published_as_a_page_that_opens_from_disk(tmp_path):
    target = tmp_path / "target"
    target.mkdir()
    (target / "static_index.html").write_text("<html>docs with everything embedded</html>")
    (target / "manifest.json").write_text("{}")
    (target / "catalog.json").write_text('{"nodes": {}}')
    (target / "index.html").write_text("<html>fetches manifest.json</html>")
    docs = tmp_path / "data" / "docs" / "dbt"

    published = publish_dbt_docs(target, docs)

    assert published == [docs / "index.html", docs / "manifest.json", docs / "catalog.json"]
    assert (docs / "index.html").read_text() == "<html>docs with everything embedded</html>"
    assert sorted(path.name for path in docs.iterdir()) == ["catalog.json", "index.html", "manifest.json"]


def test_publishing_dbt_docs_names_the_missing_output(tmp_path):
    (tmp_path / "manifest.json").write_text("{}")
    with pytest.raises(FileNotFoundError, match=r"missing static_index.html, catalog.json"):
        publish_dbt_docs(tmp_path, tmp_path / "docs")
