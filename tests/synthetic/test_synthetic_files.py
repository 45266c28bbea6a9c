"""What write_world puts on disk: layout, formats, and the links between tables."""
from __future__ import annotations

import json
import re
from datetime import date

import pandas as pd
import pytest

from ingestion.synthetic import WorldSpec
from ingestion.synthetic.comments import sentences_of

RESPONSE_COLUMNS = [
    "response_id", "responded_at", "score", "comment", "customer_id", "customer_email", "product",
    "process", "employee_id", "survey_type", "channel", "language",
    "survey_tool", "contact_id", "interaction_id",
]
PRODUCTS = {"internet", "mobile", "tv", "energy", "insurance"}
PROCESSES = {
    "purchase", "onboarding", "support_call", "repair", "billing", "complaint", "cancellation",
}
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


def nps(scores: pd.Series) -> pd.Series:
    score = scores.astype(int)
    return (score >= 9) * 100.0 - (score <= 6) * 100.0


def test_layout_is_one_response_file_per_calendar_month_of_the_window(small_world):
    months = [(2024, m) for m in range(9, 13)] + [(2025, m) for m in range(1, 10)]
    names = [f.name for f in small_world.response_files()]
    assert names == [f"responses_{y}_{m:02d}.csv" for y, m in months]
    for relative in ("truth.json", "org/products.csv", "org/processes.csv", "org/employees.csv",
                     "crm/customers.csv", "crm/contacts.csv", "crm/deals.csv"):
        assert (small_world.root / relative).is_file(), relative
    assert len(list((small_world.root / "interactions").glob("interactions_*.csv"))) == 13


def test_headers_are_exactly_the_documented_columns(small_world):
    headers = {
        "org/products.csv": ["product", "product_name"],
        "org/processes.csv": ["process", "process_name"],
        "org/employees.csv": ["employee_id", "employee_name", "team", "process"],
        "crm/customers.csv": [
            "customer_id", "customer_type", "name", "email", "phone", "size_employees", "product",
            "created_at", "churned_at", "region",
        ],
        "crm/contacts.csv": [
            "contact_id", "customer_id", "first_name", "last_name", "email", "phone", "created_at",
            "updated_at",
        ],
        "crm/deals.csv": [
            "deal_id", "customer_id", "product", "amount", "stage", "created_at", "closed_at",
            "updated_at",
        ],
        "responses/responses_2025_01.csv": RESPONSE_COLUMNS,
        "interactions/interactions_2025_01.csv": [
            "interaction_id", "customer_id", "contact_id", "process", "product", "employee_id",
            "occurred_at", "was_surveyed", "responded",
        ],
    }
    for relative, header in headers.items():
        assert small_world.rows(relative)[0] == header, relative


def test_files_are_rfc4180_with_crlf_and_the_summary_counts_their_rows(small_world):
    for relative, count in small_world.summary.files.items():
        raw = (small_world.root / relative).read_bytes()
        assert raw.endswith(b"\r\n") and raw.count(b"\n") == raw.count(b"\r\n"), relative
        rows = small_world.rows(relative)
        assert len(rows) - 1 == count, relative
        assert {len(r) for r in rows} == {len(rows[0])}, relative
    response_files = [f for f in small_world.summary.files if f.startswith("responses/")]
    assert len(response_files) == 13
    assert small_world.summary.tables["responses"] == sum(
        small_world.summary.files[f] for f in response_files
    )


def test_total_responses_within_ten_percent_of_target(small_world):
    assert abs(small_world.summary.tables["responses"] - 20_000) <= 2_000


def test_response_ids_unique_and_timestamps_utc_inside_the_window_in_order(small_world):
    responses = small_world.responses()
    assert responses["response_id"].is_unique
    assert responses["response_id"].str.fullmatch(r"R\d{13}").all()
    assert responses["responded_at"].str.fullmatch(TIMESTAMP).all()
    assert responses["responded_at"].min() >= "2024-09-17T00:00:00Z"
    assert responses["responded_at"].max() <= "2025-09-17T23:59:59Z"
    assert responses["responded_at"].is_monotonic_increasing
    for f in small_world.response_files():
        month = f.stem.removeprefix("responses_").replace("_", "-")
        assert small_world.table(f"responses/{f.name}")["responded_at"].str.startswith(month).all()


def test_scores_are_integers_0_to_10_with_a_realistic_nps(small_world):
    scores = small_world.responses()["score"].astype(int)
    assert scores.between(0, 10).all()
    promoters, detractors = (scores >= 9).mean(), (scores <= 6).mean()
    assert 0.35 < promoters < 0.60
    assert 0.12 < detractors < 0.35
    assert 10 <= 100 * (promoters - detractors) <= 35
    # lumpy at the top like real NPS data: 10 is the most common score, 8 and 9 next
    assert scores.value_counts().index[:3].tolist() in ([10, 8, 9], [10, 9, 8])


def test_products_and_processes_differ_clearly_in_nps(small_world):
    responses = small_world.responses()
    responses["nps"] = nps(responses["score"])
    transactional = responses[responses["survey_type"] == "transactional"]
    by_process = transactional.groupby("process")["nps"].mean()
    assert by_process["purchase"] > by_process["support_call"] > by_process["complaint"]
    assert by_process["purchase"] - by_process["complaint"] > 40
    by_product = responses.groupby("product")["nps"].mean()
    assert by_product["insurance"] - by_product["energy"] > 15


def test_relational_responses_have_no_process_employee_or_interaction(small_world):
    responses = small_world.responses()
    relational = responses[responses["survey_type"] == "relational"]
    transactional = responses[responses["survey_type"] == "transactional"]
    assert 0.03 < len(relational) / len(responses) < 0.15
    assert (relational[["process", "employee_id", "interaction_id"]] == "").all().all()
    assert (transactional["process"] != "").all() and (transactional["employee_id"] != "").all()
    assert set(responses["survey_type"]) == {"transactional", "relational"}
    assert set(responses["channel"]) == {"email", "sms", "web", "app", "phone"}
    assert set(relational["channel"]) <= {"email", "web", "app"}


def test_codes_reference_the_organisation_tables(small_world):
    responses = small_world.responses()
    employees = small_world.table("org/employees.csv")
    assert set(small_world.table("org/products.csv")["product"]) == PRODUCTS
    assert set(small_world.table("org/processes.csv")["process"]) == PROCESSES
    assert set(responses["product"]) == PRODUCTS
    assert set(responses["process"]) - {""} == PROCESSES
    assert set(employees["process"]) == PROCESSES
    transactional = responses[responses["survey_type"] == "transactional"]
    process_of = dict(zip(employees["employee_id"], employees["process"]))
    assert (transactional["employee_id"].map(process_of) == transactional["process"]).all()


def test_employees_about_one_per_400_responses_some_with_very_few_responses(small_world):
    employees = small_world.table("org/employees.csv")
    assert len(employees) == 50
    assert employees["employee_id"].str.fullmatch(r"E\d{4}").all()
    assert employees["employee_id"].is_unique
    handled = small_world.responses()["employee_id"].value_counts()
    assert handled.reindex(employees["employee_id"], fill_value=0).min() < handled.median() / 5


def test_every_identifier_in_responses_and_deals_exists_in_the_crm(small_world):
    responses = small_world.responses()
    customers = small_world.table("crm/customers.csv")
    contacts = small_world.table("crm/contacts.csv")
    deals = small_world.table("crm/deals.csv")
    assert customers["customer_id"].is_unique and contacts["contact_id"].is_unique
    assert deals["deal_id"].is_unique
    known = set(customers["customer_id"])
    assert set(responses["customer_id"]) - {""} <= known
    assert set(deals["customer_id"]) <= known
    assert set(contacts["customer_id"]) == known
    owner = dict(zip(contacts["contact_id"], contacts["customer_id"]))
    with_id = responses[responses["customer_id"] != ""]
    assert (with_id["contact_id"].map(owner) == with_id["customer_id"]).all()


def test_identity_noise_shares(small_world):
    responses = small_world.responses()
    crm_emails = set(small_world.table("crm/contacts.csv")["email"])
    has_id = responses["customer_id"] != ""
    has_email = responses["customer_email"] != ""
    assert abs(has_id.mean() - 0.85) < 0.015
    assert abs((~has_id & ~has_email).mean() - 0.025) < 0.01
    email_only = responses.loc[~has_id & has_email, "customer_email"]
    assert abs(len(email_only) / len(responses) - 0.125) < 0.015  # 10% CRM, 2.5% unknown
    normalised = email_only.str.strip().str.lower()
    matched = normalised.isin(crm_emails)
    assert abs(matched.mean() - 0.8) < 0.04
    assert (email_only != normalised)[matched].mean() > 0.25  # case or spaces differ from the CRM
    assert responses.loc[has_id & has_email, "customer_email"].isin(crm_emails).all()


def test_about_half_the_responses_have_a_comment_in_the_stated_language(small_world):
    responses = small_world.responses()
    commented = responses[responses["comment"] != ""]
    assert 0.4 < len(commented) / len(responses) < 0.6
    assert 0.55 < (responses["language"] == "nl").mean() < 0.65
    sentences = {language: sentences_of(language) for language in ("nl", "en")}
    for comment, language in zip(commented["comment"], commented["language"]):
        assert any(comment.startswith(s) for s in sentences[language]), (comment, language)
    praise = commented.loc[commented["score"].astype(int) >= 9, "comment"]
    complaints = commented.loc[commented["score"].astype(int) <= 6, "comment"]
    assert praise.str.contains("Very friendly|Zeer vriendelijke").any()
    assert not praise.str.contains("Way too long on hold|Veel te lang in de wacht").any()
    assert complaints.str.contains("Way too long on hold|Veel te lang in de wacht").any()


def test_every_survey_tool_gets_a_decent_share(small_world):
    shares = small_world.responses()["survey_tool"].value_counts(normalize=True)
    assert set(shares.index) == {"qualtrics", "surveymonkey", "typeform", "delighted", "csv"}
    assert shares.min() > 0.08


def test_crm_customers_contacts_and_deals_look_like_a_crm(small_world):
    customers = small_world.table("crm/customers.csv")
    contacts = small_world.table("crm/contacts.csv")
    deals = small_world.table("crm/deals.csv")
    business = customers["customer_type"] == "business"
    assert 0.1 < business.mean() < 0.3
    assert (customers.loc[business, "size_employees"].astype(int) >= 1).all()
    assert (customers.loc[~business, "size_employees"] == "").all()
    assert customers["created_at"].str.fullmatch(TIMESTAMP).all()
    churned = customers["churned_at"] != ""
    assert 0.05 < churned.mean() < 0.4
    assert (customers.loc[churned, "churned_at"] > customers.loc[churned, "created_at"]).all()
    per_customer = contacts["customer_id"].value_counts()
    assert (per_customer[customers.loc[~business, "customer_id"]] == 1).all()
    business_contacts = per_customer[customers.loc[business, "customer_id"]]
    assert business_contacts.between(1, 5).all() and business_contacts.max() > 1
    assert (deals["stage"] == "closedwon").all()
    assert deals["amount"].str.fullmatch(r"\d+\.\d{2}").all()
    assert (deals["closed_at"] >= deals["created_at"]).all()
    assert (deals["updated_at"] >= deals["closed_at"]).all()
    # about one deal per active customer per quarter
    assert 3 < len(deals) / len(customers) < 5


def test_interactions_link_to_transactional_responses(small_world):
    files = sorted((small_world.root / "interactions").glob("*.csv"))
    interactions = pd.concat([small_world.table(f"interactions/{f.name}") for f in files])
    assert interactions["interaction_id"].is_unique
    responses = small_world.responses()
    linked = responses.loc[responses["interaction_id"] != "", "interaction_id"]
    found = linked.isin(interactions["interaction_id"])
    assert found.mean() > 0.99  # the rest happened just before the window
    responded = interactions.set_index("interaction_id")["responded"]
    assert (responded[linked[found]] == "true").all()
    assert 0.15 < (interactions["responded"] == "true").mean() < 0.3
    assert set(interactions["was_surveyed"]) == {"true", "false"}


def test_truth_json_states_the_spec_and_the_models(small_world):
    truth = json.loads(small_world.summary.truth_path.read_text(encoding="utf-8"))
    assert truth["spec"] == {
        "seed": 7, "responses": 20_000, "end_date": "2025-09-17", "months": 12, "effect_scale": 1.0,
    }
    assert truth["rows"] == small_world.summary.tables
    assert set(truth["score_model"]["product_effect"]) == PRODUCTS
    assert set(truth["score_model"]["process_effect"]) == PROCESSES
    assert len(truth["score_model"]["employee_effect"]) == 50
    assert "logit(P(churn in quarter))" in truth["churn"]["formula"]
    category_effect = truth["churn"]["category_effect"]
    assert category_effect["detractor"] > category_effect["passive"] > category_effect["promoter"]
    consumer = truth["derived"]["by_customer_type"]["consumer"]
    assert consumer["churn_12m_odds_ratio_detractor_vs_promoter"] > 2
    assert consumer["revenue_12m_ratio_detractor_vs_promoter"] < 0.9


def test_end_date_is_required_and_parameters_are_validated():
    with pytest.raises(TypeError):
        WorldSpec()  # type: ignore[call-arg]
    with pytest.raises(ValueError):
        WorldSpec(end_date=date(2025, 1, 1), months=0)
    with pytest.raises(ValueError):
        WorldSpec(end_date=date(2025, 1, 1), effect_scale=-1.0)
