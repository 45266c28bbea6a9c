"""Output tables: how simulated records become rows, and the SQL (run by DuckDB) that formats them.

Each table is built as a compact pandas frame (numbers, categoricals, timestamps) and formatted by
one SELECT, either typed (for DataFrames) or as text (for CSV), so both always agree.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ingestion.synthetic import names
from ingestion.synthetic.comments import LANGUAGES, SENTENCES
from ingestion.synthetic.customers import Population, person_keys, prefers_dutch
from ingestion.synthetic.identity import CRM_EMAIL, UNKNOWN_EMAIL, identify
from ingestion.synthetic.organisation import PROCESS_CODES, PROCESSES, PRODUCT_CODES, PRODUCTS
from ingestion.synthetic.records import Deals, Interactions, Responses
from ingestion.synthetic.scores import category
from ingestion.synthetic.spec import Stream, rng_for
from ingestion.synthetic.surveys import CHANNELS, RELATIONAL, SURVEY_TOOLS, SURVEY_TYPES
from ingestion.synthetic.world import World

TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def _list(values: Iterable[str]) -> str:
    return "[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


_COMPANY_TITLES = tuple(n[0].upper() + n[1:] for n in names.LAST_NAMES)

# Spelling out people and companies from the numbers in customers.person_keys (lists are 1-based).
VOCABULARY_MACROS = (
    f"CREATE MACRO first_name_of(i) AS ({_list(names.FIRST_NAMES)})[i + 1]",
    f"CREATE MACRO last_name_of(i) AS ({_list(names.LAST_NAMES)})[i + 1]",
    f"CREATE MACRO first_slug_of(i) AS ({_list(names.FIRST_SLUGS)})[i + 1]",
    f"CREATE MACRO last_slug_of(i) AS ({_list(names.LAST_SLUGS)})[i + 1]",
    f"CREATE MACRO mail_domain_of(i) AS ({_list(names.CONSUMER_EMAIL_DOMAINS)})[i + 1]",
    f"CREATE MACRO company_title_of(i) AS ({_list(_COMPANY_TITLES)})[i + 1]",
    f"CREATE MACRO sector_of(i) AS ({_list(names.COMPANY_SECTORS)})[i + 1]",
    f"CREATE MACRO sector_slug_of(i) AS ({_list(names.COMPANY_SECTOR_SLUGS)})[i + 1]",
    f"CREATE MACRO suffix_of(i) AS ({_list(names.COMPANY_SUFFIXES)})[i + 1]",
    f"CREATE MACRO area_code_of(i) AS ({_list(names.AREA_CODES)})[i + 1]",
    "CREATE MACRO company_domain_of(company, sector, number) AS "
    "last_slug_of(company) || '-' || sector_slug_of(sector) || number || '.nl'",
    "CREATE MACRO person_email_of(business, first, last, domain, company, sector, number) AS "
    "CASE WHEN business THEN first_slug_of(first) || '.' || last_slug_of(last) || '@' "
    "|| company_domain_of(company, sector, number) "
    "ELSE first_slug_of(first) || '.' || last_slug_of(last) || number || '@' "
    "|| mail_domain_of(domain) END",
    "CREATE MACRO mobile_of(n) AS '+316' || lpad(n::VARCHAR, 8, '0')",
    # identity.ALTERATIONS, in order
    "CREATE MACRO altered_email(e, k) AS CASE k WHEN 0 THEN upper(e) "
    "WHEN 1 THEN upper(e[1]) || e[2:] WHEN 2 THEN ' ' || e || ' ' WHEN 3 THEN upper(e) || ' ' "
    "WHEN 4 THEN chr(9) || e ELSE e END",
)
_PERSON_EMAIL = (
    "person_email_of(business, first_name, last_name, mail_domain, company_name, company_sector, "
    "customer_number)"
)
_COMPANY_DOMAIN = "company_domain_of(company_name, company_sector, customer_number)"


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[tuple[str, str], ...]  # (output column, SQL expression over the raw frame)
    timestamps: tuple[str, ...] = ()  # output columns holding timestamps

    def select(self, source: str, text: bool) -> str:
        expressions = []
        for column, expression in self.columns:
            if text and column in self.timestamps:
                expression = f"strftime({expression}, '{TIMESTAMP_FORMAT}')"
            expressions.append(f"{expression} AS {column}")
        return f"SELECT {', '.join(expressions)} FROM {source}"

    @property
    def header(self) -> tuple[str, ...]:
        return tuple(column for column, _ in self.columns)


def _id(prefix: str, column: str, width: int) -> str:
    return f"CASE WHEN {column} > 0 THEN printf('{prefix}%0{width}d', {column}) END"


def responses_table(world: World) -> Table:
    width = world.employees.id_width
    return Table(
        "responses",
        (
            ("response_id", "'R' || response_number"),
            ("responded_at", "responded_at"),
            ("score", "score::INTEGER"),
            (
                "comment",
                "CASE WHEN sentence_2 IS NULL THEN sentence_1::VARCHAR "
                "ELSE sentence_1::VARCHAR || ' ' || sentence_2::VARCHAR END",
            ),
            ("customer_id", _id("C", "shown_customer_number", 8)),
            (
                "customer_email",
                f"CASE email_kind WHEN {CRM_EMAIL} THEN altered_email({_PERSON_EMAIL}, alteration) "
                f"WHEN {UNKNOWN_EMAIL} THEN first_slug_of(unknown_first) || '_' || "
                "last_slug_of(unknown_last) || unknown_digits || '@' || "
                "mail_domain_of(unknown_domain) END",
            ),
            ("product", "product::VARCHAR"),
            ("process", "process::VARCHAR"),
            ("employee_id", _id("E", "employee_number", width)),
            ("survey_type", "survey_type::VARCHAR"),
            ("channel", "channel::VARCHAR"),
            ("language", "language::VARCHAR"),
            ("survey_tool", "survey_tool::VARCHAR"),
            ("contact_id", _id("P", "contact_number", 8)),
            (
                "interaction_id",
                "CASE WHEN interaction_number > 0 THEN 'I' || interaction_number END",
            ),
        ),
        timestamps=("responded_at",),
    )


def interactions_table(world: World) -> Table:
    return Table(
        "interactions",
        (
            ("interaction_id", "'I' || interaction_number"),
            ("customer_id", _id("C", "customer_number", 8)),
            ("contact_id", _id("P", "contact_number", 8)),
            ("process", "process::VARCHAR"),
            ("product", "product::VARCHAR"),
            ("employee_id", _id("E", "employee_number", world.employees.id_width)),
            ("occurred_at", "occurred_at"),
            ("was_surveyed", "was_surveyed"),
            ("responded", "responded"),
        ),
        timestamps=("occurred_at",),
    )


DEALS = Table(
    "deals",
    (
        ("deal_id", "'D' || deal_number"),
        ("customer_id", _id("C", "customer_number", 8)),
        ("product", "product::VARCHAR"),
        ("amount", "(amount_cents / 100)::DECIMAL(18, 2)"),
        ("stage", "'closedwon'"),
        ("created_at", "created_at"),
        ("closed_at", "closed_at"),
        ("updated_at", "closed_at"),
    ),
    timestamps=("created_at", "closed_at", "updated_at"),
)

CUSTOMERS = Table(
    "customers",
    (
        ("customer_id", _id("C", "customer_number", 8)),
        ("customer_type", "customer_type::VARCHAR"),
        (
            "name",
            "CASE WHEN business THEN company_title_of(company_name) || ' ' "
            "|| sector_of(company_sector) || ' ' || suffix_of(company_suffix) "
            "ELSE first_name_of(first_name) || ' ' || last_name_of(last_name) END",
        ),
        ("email", f"CASE WHEN business THEN 'info@' || {_COMPANY_DOMAIN} ELSE {_PERSON_EMAIL} END"),
        (
            "phone",
            "CASE WHEN business "
            "THEN '+31' || area_code_of(area_code) || lpad(landline::VARCHAR, 7, '0') "
            "ELSE mobile_of(mobile) END",
        ),
        ("size_employees", "size_employees"),
        ("product", "product::VARCHAR"),
        ("created_at", "created_at"),
        ("churned_at", "churned_at"),
        ("region", "region::VARCHAR"),
    ),
    timestamps=("created_at", "churned_at"),
)

CONTACTS = Table(
    "contacts",
    (
        ("contact_id", _id("P", "contact_number", 8)),
        ("customer_id", _id("C", "customer_number", 8)),
        ("first_name", "first_name_of(first_name)"),
        ("last_name", "last_name_of(last_name)"),
        ("email", _PERSON_EMAIL),
        ("phone", "mobile_of(mobile)"),
        ("created_at", "created_at"),
        ("updated_at", "updated_at"),
    ),
    timestamps=("created_at", "updated_at"),
)


def passthrough(name: str, columns: tuple[str, ...]) -> Table:
    return Table(name, tuple((c, c) for c in columns))


def _categorical(codes: np.ndarray, categories: tuple[str, ...]) -> pd.Categorical:
    return pd.Categorical.from_codes(codes.astype(np.int16), categories=categories)


def _timestamps(seconds: np.ndarray) -> np.ndarray:
    return seconds.astype("datetime64[s]")


def response_frame(
    world: World,
    population: Population,
    month_index: int,
    responses: Responses,
    numbers: np.ndarray,
) -> pd.DataFrame:
    """A month's responses with everything a survey tool would show: identity noise, comments,
    language, tool. Drawn from the month's own stream over all its responses, so the rows a window
    keeps do not change what any row looks like."""
    rng = rng_for(world.spec.seed, Stream.PRESENTATION, month_index)
    identity = identify(world.identity, population, responses, rng)
    dutch = prefers_dutch(population, responses.customer, world.mix)
    relational = responses.survey_type == RELATIONAL
    program = np.where(relational, len(PROCESS_CODES), responses.process)
    first, second = world.comments.draw(program, category(responses.score), dutch, rng)
    surveys = world.surveys
    tool = np.where(
        relational, surveys.relational_tool, surveys.transactional_tools[responses.process]
    )
    employee_number = np.where(relational, 0, world.employees.number[responses.employee])
    return pd.DataFrame(
        {
            "response_number": numbers,
            "responded_at": _timestamps(responses.responded),
            "score": responses.score,
            "sentence_1": _categorical(first, SENTENCES),
            "sentence_2": _categorical(second, SENTENCES),
            "shown_customer_number": identity.customer_number,
            **person_keys(population, responses.customer, responses.contact),
            "email_kind": identity.email_kind,
            "alteration": identity.alteration,
            "unknown_first": identity.unknown_first,
            "unknown_last": identity.unknown_last,
            "unknown_digits": identity.unknown_digits,
            "unknown_domain": identity.unknown_domain,
            "product": _categorical(population["product"][responses.customer], PRODUCT_CODES),
            "process": _categorical(responses.process, PROCESS_CODES),
            "employee_number": employee_number,
            "survey_type": _categorical(responses.survey_type, SURVEY_TYPES),
            "channel": _categorical(responses.channel, CHANNELS),
            "language": _categorical(np.where(dutch, 0, 1), LANGUAGES),
            "survey_tool": _categorical(tool, SURVEY_TOOLS),
            "contact_number": identity.contact_number,
            "interaction_number": identity.interaction_number,
        }
    )


def interaction_frame(
    world: World, population: Population, interactions: Interactions, answers_until: int
) -> pd.DataFrame:
    first_contact = population["first_contact"][interactions.customer]
    return pd.DataFrame(
        {
            "interaction_number": interactions.number,
            "customer_number": interactions.customer + 1,
            "contact_number": first_contact + interactions.contact,
            "process": _categorical(interactions.process, PROCESS_CODES),
            "product": _categorical(population["product"][interactions.customer], PRODUCT_CODES),
            "employee_number": world.employees.number[interactions.employee],
            "occurred_at": _timestamps(interactions.occurred),
            "was_surveyed": interactions.surveyed,
            # As known at the end of the window: an answer still to come is not there yet.
            "responded": (interactions.responded > 0) & (interactions.responded < answers_until),
        }
    )


def deal_frame(population: Population, deals: Deals) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "deal_number": deals.number,
            "customer_number": deals.customer + 1,
            "product": _categorical(population["product"][deals.customer], PRODUCT_CODES),
            "amount_cents": deals.amount_cents,
            "created_at": _timestamps(deals.created),
            "closed_at": _timestamps(deals.closed),
        }
    )


def organisation_frames(world: World) -> dict[str, tuple[Table, pd.DataFrame]]:
    employees = world.employees
    order = np.argsort(employees.number)
    return {
        "org/products.csv": (
            passthrough("products", ("product", "product_name")),
            pd.DataFrame(PRODUCTS, columns=["product", "product_name"]),
        ),
        "org/processes.csv": (
            passthrough("processes", ("process", "process_name")),
            pd.DataFrame(PROCESSES, columns=["process", "process_name"]),
        ),
        "org/employees.csv": (
            passthrough("employees", ("employee_id", "employee_name", "team", "process")),
            pd.DataFrame(
                {
                    "employee_id": np.array(employees.ids(), dtype=object)[order],
                    "employee_name": employees.names()[order],
                    "team": employees.teams()[order],
                    "process": np.array(PROCESS_CODES, dtype=object)[employees.process[order]],
                }
            ),
        ),
    }
