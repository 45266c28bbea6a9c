"""Customers: who they are (drawn once, at arrival), their state over time, and their CRM records.

Names, e-mail addresses, phone numbers and language are derived from the customer number with a
stable hash rather than stored, so millions of customers cost a few dozen bytes each; the numbers
are spelled out as text by SQL (tables.py).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ingestion.synthetic import names
from ingestion.synthetic.organisation import PRODUCT_CODES
from ingestion.synthetic.revenue import RevenueModel
from ingestion.synthetic.scores import NONE
from ingestion.synthetic.spec import SECONDS_PER_YEAR

CONSUMER, BUSINESS = 0, 1
CUSTOMER_TYPES = ("consumer", "business")
NEVER = np.iinfo(np.int64).max  # churned timestamp of a customer who has not churned
_NAT = np.iinfo(np.int64).min  # as datetime64: NaT

# Salts of the per-customer hashes (any distinct constants).
_FIRST, _LAST, _DOMAIN, _COMPANY, _SECTOR, _SUFFIX, _PHONE, _LANGUAGE, _AREA = range(101, 110)
_UPDATED = 120


@dataclass(frozen=True)
class CustomerMix:
    business_share: float = 0.15  # of the active customer base
    product_share: dict[str, dict[str, float]] = field(
        default_factory=lambda: {
            "consumer": {
                "internet": 0.30, "mobile": 0.30, "tv": 0.12, "energy": 0.18, "insurance": 0.10,
            },
            "business": {
                "internet": 0.35, "mobile": 0.35, "tv": 0.02, "energy": 0.20, "insurance": 0.08,
            },
        }
    )
    initial_tenure_mean_years: float = 4.0  # tenure of the customers present at simulation start
    business_size_lognormal: tuple[float, float] = (1.8, 1.3)  # size_employees ~ 1 + lognormal
    business_max_size: int = 5000
    max_contacts: int = 5
    dutch_share: dict[str, float] = field(
        default_factory=lambda: {"consumer": 0.66, "business": 0.45}
    )


class Population:
    """Every customer simulated so far, in customer-number order: row i is customer C{i+1:08d}."""

    COLUMNS: dict[str, type] = {
        "created": np.int64,  # epoch seconds
        "churned": np.int64,  # epoch seconds, NEVER if not churned (decided a quarter ahead)
        "kind": np.int8,  # CONSUMER | BUSINESS
        "product": np.int8,
        "size": np.int32,  # employees, 0 for consumers
        "region": np.int8,
        "latent": np.float32,  # persistent satisfaction, N(0, ScoreModel.customer_sd)
        "contacts": np.int8,
        "first_contact": np.int64,  # contact number of the customer's first contact
        "base_monthly": np.float32,  # EUR
        "category": np.int8,  # latest NPS category so far (NONE until the first response)
    }

    def __init__(self) -> None:
        self.size = 0
        self._data = {name: np.empty(1024, dtype) for name, dtype in self.COLUMNS.items()}

    def __getitem__(self, name: str) -> np.ndarray:
        return self._data[name][: self.size]

    def append(self, columns: dict[str, np.ndarray]) -> None:
        count = len(columns["created"])
        needed = self.size + count
        if needed > len(self._data["created"]):
            # Modest growth: the population is the largest thing held in memory.
            capacity = max(needed, len(self._data["created"]) * 5 // 4)
            for name, array in self._data.items():
                grown = np.empty(capacity, array.dtype)
                grown[: self.size] = array[: self.size]
                self._data[name] = grown
        contacts = columns["contacts"]
        first_contact = self.contacts_total() + 1 + np.cumsum(contacts) - contacts
        columns = {**columns, "first_contact": first_contact}
        for name in self.COLUMNS:
            self._data[name][self.size : needed] = columns[name]
        self.size = needed

    def contacts_total(self) -> int:
        if self.size == 0:
            return 0
        last = self.size - 1
        return int(self._data["first_contact"][last] + self._data["contacts"][last] - 1)

    def active_between(self, start: int, end: int) -> np.ndarray:
        """Rows of customers active at some moment of [start, end)."""
        return np.flatnonzero((self["created"] < end) & (self["churned"] > start))

    def active_at(self, moment: int) -> np.ndarray:
        return np.flatnonzero((self["created"] < moment) & (self["churned"] > moment))

    def tenure_years(self, rows: np.ndarray, moment: int) -> np.ndarray:
        return (moment - self["created"][rows]) / SECONDS_PER_YEAR


def draw_customers(
    rng: np.random.Generator,
    created: np.ndarray,
    kind: np.ndarray,
    mix: CustomerMix,
    revenue: RevenueModel,
    latent_sd: float,
) -> dict[str, np.ndarray]:
    """Attributes of new customers of type `kind` created at `created` (sorted epoch seconds)."""
    count = len(created)
    product = np.empty(count, np.int8)
    for k, type_name in enumerate(CUSTOMER_TYPES):
        share = np.array([mix.product_share[type_name][p] for p in PRODUCT_CODES])
        rows = kind == k
        product[rows] = rng.choice(len(PRODUCT_CODES), size=int(rows.sum()), p=share / share.sum())
    mean, sd = mix.business_size_lognormal
    size = np.minimum(1 + rng.lognormal(mean, sd, count), mix.business_max_size).astype(np.int32)
    size[kind == CONSUMER] = 0
    region_share = names.REGION_WEIGHTS / names.REGION_WEIGHTS.sum()
    # Bigger companies have more people who talk to us.
    extra = rng.binomial(mix.max_contacts - 1, np.minimum(0.9, np.log1p(size) / 8))
    contacts = np.where(kind == BUSINESS, 1 + extra, 1).astype(np.int8)
    return {
        "created": created,
        "churned": np.full(count, NEVER),
        "kind": kind,
        "product": product,
        "size": size,
        "region": rng.choice(len(names.REGIONS), size=count, p=region_share),
        "latent": rng.normal(0.0, latent_sd, count),
        "contacts": contacts,
        "base_monthly": revenue.base_monthly(kind == BUSINESS, product, size, rng),
        "category": np.full(count, NONE, np.int8),
    }


def prefers_dutch(population: Population, rows: np.ndarray, mix: CustomerMix) -> np.ndarray:
    business = population["kind"][rows] == BUSINESS
    share = np.where(business, mix.dutch_share["business"], mix.dutch_share["consumer"])
    return names.pick(rows + 1, _LANGUAGE, 10_000) < share * 10_000


def person_keys(
    population: Population, rows: np.ndarray, contact: np.ndarray
) -> dict[str, np.ndarray]:
    """Numbers from which SQL spells the person behind contact `contact` (0-based within the
    customer) of each row, and their company: names, e-mail address, phone (see tables.py). For a
    consumer, contact 0 is the customer themself."""
    number = rows + 1
    key = number * 8 + contact
    # Stepping by 37 gives a company's contacts distinct first names (and so distinct addresses).
    first_name = (names.pick(number, _FIRST, len(names.FIRST_NAMES)) + 37 * contact) % len(
        names.FIRST_NAMES
    )
    domain_pick = names.pick(number, _DOMAIN, len(names.CONSUMER_EMAIL_DOMAIN_PICK))
    return {
        "customer_number": number,
        "business": population["kind"][rows] == BUSINESS,
        "first_name": first_name,
        "last_name": names.pick(key, _LAST, len(names.LAST_NAMES)),
        "mail_domain": names.CONSUMER_EMAIL_DOMAIN_PICK[domain_pick],
        "company_name": names.pick(number, _COMPANY, len(names.LAST_NAMES)),
        "company_sector": names.pick(number, _SECTOR, len(names.COMPANY_SECTORS)),
        "mobile": names.number(key, _PHONE, 8),
    }


def customer_frame(population: Population, rows: np.ndarray, end: int) -> pd.DataFrame:
    """customers.csv content (as numbers, spelled out by SQL) as of `end` (epoch seconds,
    exclusive) for `rows`."""
    keys = person_keys(population, rows, np.zeros(len(rows), np.int64))
    number = keys["customer_number"]
    churned = population["churned"][rows]
    size = pd.Series(population["size"][rows], dtype="Int32").where(keys["business"])
    return pd.DataFrame(
        {
            **keys,
            "company_suffix": names.pick(number, _SUFFIX, len(names.COMPANY_SUFFIXES)),
            "area_code": names.pick(number, _AREA, len(names.AREA_CODES)),
            "landline": names.number(number, _PHONE, 7),
            "customer_type": pd.Categorical.from_codes(population["kind"][rows], CUSTOMER_TYPES),
            "size_employees": size,
            "product": pd.Categorical.from_codes(population["product"][rows], PRODUCT_CODES),
            "created_at": population["created"][rows].astype("datetime64[s]"),
            "churned_at": np.where(churned < end, churned, _NAT).astype("datetime64[s]"),
            "region": pd.Categorical.from_codes(population["region"][rows], names.REGIONS),
        }
    )


def contact_frame(population: Population, rows: np.ndarray, end: int) -> pd.DataFrame:
    """contacts.csv content (as numbers, spelled out by SQL) for the customers `rows`."""
    counts = population["contacts"][rows].astype(np.int64)
    owner = np.repeat(rows, counts)
    contact = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    created = population["created"][owner]
    # Contacts are edited now and then; the latest edit before `end` is the record's updated_at.
    updated = created + names.number(owner * 8 + contact, _UPDATED, 7) * 6  # within ~2 years
    return pd.DataFrame(
        {
            **person_keys(population, owner, contact),
            "contact_number": population["first_contact"][owner] + contact,
            "created_at": created.astype("datetime64[s]"),
            "updated_at": np.where(updated < end, updated, created).astype("datetime64[s]"),
        }
    )
