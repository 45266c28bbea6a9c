"""Each rule of the quality gate, tried on a small DuckDB warehouse: it passes on good data, and on
bad data fails naming the expectation, what was observed and the offending rows."""
from datetime import timedelta

import pytest

from expectations.checks import Scope, conformed_responses_check, nps_mart_check, raw_response_checks
from expectations.runner import run_suites
from expectations.thresholds import QualityConfig
from tests.quality.warehouses import (
    MART_COLUMNS, NOW, RAW, create_table, daily_rows, insert_raw, mart_row, raw_row, raw_warehouse,
)  # fmt: skip

QUALITY = QualityConfig.model_validate({"daily_volume": {"min_baseline": 5}})


def run(warehouse, check, tmp_path, quality=QUALITY):
    scope = Scope(warehouse.query_frame, quality, "UTC", NOW)
    return run_suites(check.suites(scope), tmp_path / "gx", tmp_path / "docs", fetch=warehouse.query_frame)


def raw_check(name: str, sources=("exports",)):
    return next(c for c in raw_response_checks(RAW, list(sources), QUALITY) if c.name == name)


@pytest.fixture
def good_raw(tmp_path):
    rows = daily_rows(NOW - timedelta(days=30), days=29, per_day=10, batch="b1", loaded_at=NOW - timedelta(hours=3))
    warehouse = raw_warehouse(tmp_path / "warehouse.duckdb", rows)
    yield warehouse
    warehouse.close()


def test_good_raw_responses_pass_every_raw_check_and_data_docs_list_the_suites(good_raw, tmp_path):
    outcomes = {name: run(good_raw, raw_check(name), tmp_path)
                for name in ("gx_raw_responses_valid", "gx_daily_volume", "gx_source_freshness")}  # fmt: skip

    assert {name: outcome.success for name, outcome in outcomes.items()} == dict.fromkeys(outcomes, True)
    assert [o.rule for o in outcomes["gx_raw_responses_valid"].outcomes] == [
        "score_present", "score_in_range", "survey_type_accepted", "responded_at_not_in_future"]
    index = (tmp_path / "docs" / "index.html").read_text()
    assert all(suite in index for suite in ("raw.csv__responses.values", "raw.csv__responses.daily_volume"))


def test_a_score_of_11_landed_in_raw_fails_score_in_range_with_the_value_and_the_row(good_raw, tmp_path):
    insert_raw(good_raw, [raw_row("BAD-1", NOW - timedelta(days=2), score=11, batch="b2")])

    outcome = run(good_raw, raw_check("gx_raw_responses_valid"), tmp_path)

    [failure] = outcome.failures
    assert (failure.rule, failure.expectation) == ("score_in_range", "expect_column_values_to_be_between(score)")
    assert failure.unexpected_count == 1
    assert {k: failure.unexpected[0][k] for k in ("source_name", "score", "responses", "example_response_ids")} == {
        "source_name": "exports", "score": 11, "responses": 1, "example_response_ids": ["BAD-1"]}
    assert [(row["response_id"], row["score"]) for row in failure.offending_rows] == [("BAD-1", 11)]
    assert "score_in_range" in outcome.metadata()["summary"]


def test_responses_from_the_future_fail_but_clock_skew_does_not(good_raw, tmp_path):
    insert_raw(good_raw, [raw_row("FUTURE-1", NOW + timedelta(days=3)), raw_row("SKEW-1", NOW + timedelta(minutes=2))])

    outcome = run(good_raw, raw_check("gx_raw_responses_valid"), tmp_path)

    [failure] = outcome.failures
    assert failure.rule == "responded_at_not_in_future"
    assert [row["response_id"] for row in failure.offending_rows] == ["FUTURE-1"]


def test_an_unknown_or_missing_survey_type_fails_survey_type_accepted(good_raw, tmp_path):
    insert_raw(good_raw, [raw_row("T-1", NOW - timedelta(days=1), survey_type="nps"),
                          raw_row("T-2", NOW - timedelta(days=1), survey_type=None)])  # fmt: skip

    [failure] = run(good_raw, raw_check("gx_raw_responses_valid"), tmp_path).failures

    assert failure.rule == "survey_type_accepted"
    assert sorted(row["survey_type"] for row in failure.unexpected) == ["(missing)", "nps"]
    assert sorted(row["response_id"] for row in failure.offending_rows) == ["T-1", "T-2"]


def test_a_batch_loaded_twice_under_new_ids_fails_daily_volume_naming_the_doubled_days(good_raw, tmp_path):
    insert_raw(good_raw, daily_rows(NOW - timedelta(days=30), days=29, per_day=10, batch="b2", loaded_at=NOW,
                                    prefix="AGAIN-"))  # fmt: skip

    [failure] = run(good_raw, raw_check("gx_daily_volume"), tmp_path).failures

    assert failure.rule == "daily_volume_within_band"
    assert failure.unexpected_count == 22  # every day with a week of history before it
    assert {(row["responses"], row["baseline_median"], row["ratio"]) for row in failure.unexpected} == {(20, 10.0, 2.0)}


def test_a_stale_or_silent_source_is_a_warning(good_raw, tmp_path):
    check = raw_check("gx_source_freshness", sources=("exports", "silent"))
    insert_raw(good_raw, [raw_row("OLD-1", NOW - timedelta(days=40), loaded_at=NOW - timedelta(days=40))])

    outcome = run(good_raw, check, tmp_path, QualityConfig.model_validate({"freshness": {"max_response_age_hours": 12}}))

    assert check.blocking is False
    assert {(f.rule, row["source_name"]) for f in outcome.failures for row in f.unexpected} == {
        ("source_has_responses", "silent"), ("newest_response_recent", "exports")}


CONFORMED_COLUMNS = (
    "response_id varchar, source_name varchar, source_response_id varchar, responded_at timestamptz, "
    "score integer, survey_type varchar, customer_id varchar, has_matched_customer boolean, loaded_at timestamptz"
)


def conformed_rows(count: int, batch_loaded_at, *, unmatched: int = 0, prefix: str = "R") -> list[tuple]:
    return [
        (f"{prefix}{n}", "exports", f"{prefix}{n}", NOW - timedelta(days=2), 9,
         "transactional", None if n < unmatched else "C1", n >= unmatched, batch_loaded_at)
        for n in range(count)
    ]  # fmt: skip


@pytest.fixture
def conformed(tmp_path):
    """200 matched responses in load b1, then a latest load b2 of 60 responses, 30 unmatched."""
    first, latest = NOW - timedelta(days=1), NOW - timedelta(hours=1)
    warehouse = raw_warehouse(tmp_path / "warehouse.duckdb", [raw_row("R0", NOW, batch="b1", loaded_at=first),
                                                              raw_row("L0", NOW, batch="b2", loaded_at=latest)])
    create_table(warehouse, "intermediate.int_responses_conformed", CONFORMED_COLUMNS,
                 conformed_rows(200, first) + conformed_rows(60, latest, unmatched=30, prefix="L"))
    create_table(warehouse, "customers.customers", "customer_id varchar", [("C1",)])
    yield warehouse
    warehouse.close()


def conformed_check(customers="customers.customers"):
    return conformed_responses_check("intermediate.int_responses_conformed", customers, [RAW])


def test_an_unmatched_customer_spike_in_the_latest_load_fails_though_the_total_share_is_low(conformed, tmp_path):
    [failure] = run(conformed, conformed_check(), tmp_path).failures

    assert failure.rule == "unmatched_customer_share_below_threshold"
    assert failure.unexpected == [{"source_name": "exports", "scope": "latest load", "responses": 60,
                                   "unmatched": 30, "unmatched_share": 0.5}]  # fmt: skip
    assert len(failure.offending_rows) == 5 and not any(row["has_matched_customer"] for row in failure.offending_rows)


def test_unmatched_customers_are_not_judged_without_customers_or_the_column_and_the_check_says_so(conformed, tmp_path):
    conformed.execute("delete from customers.customers")
    no_customers = run(conformed, conformed_check(), tmp_path)
    conformed.execute("alter table intermediate.int_responses_conformed drop column has_matched_customer")
    conformed.execute("alter table intermediate.int_responses_conformed drop column customer_id")
    no_column = run(conformed, conformed_check(), tmp_path)

    assert no_customers.success and no_column.success
    assert no_customers.notes == ["unmatched customers not checked: there are no customers to match against "
                                  "(customers.customers is empty)"]  # fmt: skip
    assert no_column.notes == ["unmatched customers not checked: intermediate.int_responses_conformed has no "
                               "customer_id or has_matched_customer column yet"]  # fmt: skip


def test_a_repeated_response_id_fails_response_id_unique(conformed, tmp_path):
    conformed.execute("update intermediate.int_responses_conformed set has_matched_customer = true")
    conformed.execute("update intermediate.int_responses_conformed set response_id = 'R1' where response_id = 'R2'")

    [failure] = run(conformed, conformed_check(), tmp_path).failures

    assert failure.rule == "response_id_unique"
    assert failure.unexpected == [{"id": "R1", "occurrences": 2}]
    assert sorted(row["source_response_id"] for row in failure.offending_rows) == ["R1", "R2"]


MART = "marts.nps_by_product"


@pytest.mark.parametrize(
    ("bad_row", "rule"),
    [
        (mart_row("x", 3, 0, 0, nps=150.0, reportable=False), "nps_at_most_100"),
        (mart_row("x", 3, 0, 0, responses=4), "counts_add_up"),
        (mart_row("x", 1, 0, 0, ci=(-52.3, 98.5)), "interval_contains_nps"),  # n = 1 reported
        (mart_row("x", 0, 0, 0, nps=0.0), "every_group_has_responses"),
    ],
)
def test_a_broken_mart_row_fails_its_rule_and_is_shown(tmp_path, bad_row, rule):
    warehouse = raw_warehouse(tmp_path / "warehouse.duckdb", [])
    create_table(warehouse, MART, MART_COLUMNS, [mart_row("a", 40, 10, 10), bad_row])

    [failure] = run(warehouse, nps_mart_check(MART), tmp_path).failures
    warehouse.close()

    assert failure.rule == rule
    assert [row["product"] for row in failure.offending_rows] == ["x"]


def test_an_unreportable_group_may_have_an_interval_that_misses_its_nps(tmp_path):
    warehouse = raw_warehouse(tmp_path / "warehouse.duckdb", [])
    create_table(warehouse, MART, MART_COLUMNS, [mart_row("x", 1, 0, 0, ci=(-52.3, 98.5), reportable=False)])

    assert run(warehouse, nps_mart_check(MART), tmp_path).success
    warehouse.close()


def test_a_published_nps_mart_missing_columns_is_an_error_naming_them(tmp_path):
    warehouse = raw_warehouse(tmp_path / "warehouse.duckdb", [])
    create_table(warehouse, MART, "period_grain varchar, survey_type varchar, nps double", [])

    with pytest.raises(ValueError, match=r"marts.nps_by_product has an nps column.*lacks \['detractors', 'is_reportable'"):
        run(warehouse, nps_mart_check(MART), tmp_path)
    warehouse.close()


def test_a_published_model_that_is_no_nps_mart_passes_with_a_note(tmp_path):
    warehouse = raw_warehouse(tmp_path / "warehouse.duckdb", [])
    create_table(warehouse, "marts.follow_up_kpis", "period_start date, follow_ups integer", [])

    outcome = run(warehouse, nps_mart_check("marts.follow_up_kpis"), tmp_path)
    warehouse.close()

    assert outcome.success and outcome.outcomes == []
    assert outcome.notes == ["marts.follow_up_kpis has no nps column: not an NPS mart, so only its dbt tests apply"]
