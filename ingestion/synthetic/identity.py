"""How well a response identifies its customer: the noise identity resolution has to undo."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ingestion.synthetic import names
from ingestion.synthetic.customers import Population
from ingestion.synthetic.records import Responses

NO_EMAIL, CRM_EMAIL, UNKNOWN_EMAIL = 0, 1, 2
# Ways an address typed into a survey tool differs from the CRM's (spelled out in tables.py).
ALTERATIONS = (
    "upper case", "capitalised", "surrounding spaces", "upper case, trailing space", "leading tab",
)


@dataclass(frozen=True)
class IdentityNoise:
    customer_id_share: float = 0.85  # rows carrying customer_id (and contact/interaction ids)
    email_with_customer_id_share: float = 0.5  # of those, rows also carrying the CRM e-mail
    email_only_share: float = 0.10  # rows carrying only an e-mail address of a CRM contact
    altered_email_share: float = 0.35  # of e-mail-only rows: case or surrounding spaces differ
    unknown_email_share: float = 0.5  # of the other rows: an address the CRM lacks, else none


@dataclass(frozen=True)
class Identity:
    customer_number: np.ndarray  # 0 = not given
    contact_number: np.ndarray  # 0 = not given
    interaction_number: np.ndarray  # 0 = not given
    email_kind: np.ndarray  # NO_EMAIL | CRM_EMAIL (the responding contact's) | UNKNOWN_EMAIL
    alteration: np.ndarray  # index into ALTERATIONS for a CRM e-mail typed differently, else -1
    unknown_first: np.ndarray  # the parts of an UNKNOWN_EMAIL address
    unknown_last: np.ndarray
    unknown_digits: np.ndarray
    unknown_domain: np.ndarray


def identify(
    noise: IdentityNoise, population: Population, responses: Responses, rng: np.random.Generator
) -> Identity:
    count = len(responses)
    draw = rng.random(count)
    with_id = draw < noise.customer_id_share
    email_only = ~with_id & (draw < noise.customer_id_share + noise.email_only_share)
    anonymous = ~with_id & ~email_only
    crm_email = (with_id & (rng.random(count) < noise.email_with_customer_id_share)) | email_only
    altered = email_only & (rng.random(count) < noise.altered_email_share)
    alteration = rng.integers(0, len(ALTERATIONS), count)
    unknown = anonymous & (rng.random(count) < noise.unknown_email_share)
    first_contact = population["first_contact"][responses.customer]
    return Identity(
        customer_number=np.where(with_id, responses.customer + 1, 0),
        contact_number=np.where(with_id, first_contact + responses.contact, 0),
        interaction_number=np.where(with_id, responses.interaction, 0),
        email_kind=np.select([crm_email, unknown], [CRM_EMAIL, UNKNOWN_EMAIL], NO_EMAIL),
        alteration=np.where(altered, alteration, -1),
        unknown_first=rng.integers(0, len(names.FIRST_NAMES), count),
        unknown_last=rng.integers(0, len(names.LAST_NAMES), count),
        unknown_digits=rng.integers(1000, 10000, count),
        unknown_domain=rng.integers(0, len(names.CONSUMER_EMAIL_DOMAINS), count),
    )
