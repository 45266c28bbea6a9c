"""Vocabularies for people, companies and places, and stable per-entity picks from them."""
from __future__ import annotations

import numpy as np

FIRST_NAMES = np.array(
    [
        "Daan", "Sem", "Lucas", "Levi", "Finn", "Milan", "Jesse", "Bram", "Thomas", "Ruben",
        "Jeroen", "Mark", "Peter", "Hans", "Kees", "Willem", "Pieter", "Johan", "Erik", "Sander",
        "Emma", "Julia", "Sophie", "Tess", "Anna", "Sara", "Lisa", "Eva", "Fleur", "Noor",
        "Sanne", "Anouk", "Marieke", "Ingrid", "Els", "Annemarie", "Linda", "Petra", "Femke",
        "Ilse",
        "Mohamed", "Yusuf", "Fatima", "Aisha", "Priya", "Wei", "Olga", "Carlos", "Maria", "James",
        "Emily", "Oliver", "Chloe", "Lars", "Sven", "Mila", "Zoë", "Joost", "Wouter", "Koen",
        "Marloes", "Esther", "Bas",
    ],
    dtype=object,
)

# Surname as written and as it appears in an e-mail address (prefixes such as "van" are kept).
LAST_NAMES = np.array(
    [
        "de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Janssen", "Visser",
        "Smit", "Meijer", "de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks",
        "van Leeuwen", "Dekker", "Brouwer", "de Wit", "Dijkstra", "Smits", "de Graaf",
        "van der Meer",
        "van der Linden", "Kok", "Jacobs", "de Haan", "Vermeulen", "van den Heuvel", "van der Veen",
        "van den Broek", "de Bruijn", "de Bruin", "van der Heijden", "Schouten", "van Beek",
        "Willems", "van Vliet", "van de Ven", "Hoekstra", "Maas", "Verhoeven", "Koster", "van Dam",
        "Prins", "Blom", "Huisman", "Peeters", "el Amrani", "Yilmaz", "Nguyen", "Kowalski", "Smith",
        "Brown", "Wilson", "Müller", "Öztürk", "Bosman", "Kuipers", "Veenstra", "Post",
    ],
    dtype=object,
)
FIRST_SLUGS = np.array([n.lower().replace("ë", "e") for n in FIRST_NAMES], dtype=object)
LAST_SLUGS = np.array(
    [n.lower().replace(" ", "").replace("ü", "u").replace("ö", "o") for n in LAST_NAMES],
    dtype=object,
)

COMPANY_SECTORS = np.array(
    [
        "Installatietechniek", "Bouw", "Advies", "Logistiek", "Bakkerij", "Tandartsen",
        "Autobedrijf",
        "Accountants", "Transport", "Schilders", "IT Services", "Makelaardij", "Kinderopvang",
        "Fysiotherapie", "Hoveniers", "Design Studio", "Horeca", "Groothandel",
    ],
    dtype=object,
)
COMPANY_SECTOR_SLUGS = np.array([s.lower().replace(" ", "") for s in COMPANY_SECTORS], dtype=object)
COMPANY_SUFFIXES = np.array(["B.V.", "B.V.", "B.V.", "V.O.F.", "& Zn.", "Groep"], dtype=object)

CONSUMER_EMAIL_DOMAINS = np.array(
    ["gmail.com", "hotmail.com", "outlook.com", "ziggo.nl", "kpnmail.nl", "icloud.com", "live.nl",
     "xs4all.nl"],
    dtype=object,
)
# Picked by index below, so the duplicates are the weights.
CONSUMER_EMAIL_DOMAIN_PICK = np.array([0, 0, 0, 0, 1, 1, 1, 2, 2, 3, 3, 4, 5, 6, 7])

AREA_CODES = ("20", "10", "30", "40", "70", "50", "13", "24")

REGIONS = (
    "groningen", "friesland", "drenthe", "overijssel", "flevoland", "gelderland", "utrecht",
    "noord-holland", "zuid-holland", "zeeland", "noord-brabant", "limburg",
)
REGION_WEIGHTS = np.array([3.4, 3.7, 2.8, 6.6, 2.5, 12.2, 7.7, 16.6, 21.3, 2.2, 14.8, 6.4])


def mix(keys: np.ndarray, salt: int) -> np.ndarray:
    """splitmix64 of (key, salt): a stable pseudo-random uint64 per key, with no stored state."""
    x = keys.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15) + np.uint64(salt)
    x ^= x >> np.uint64(30)
    x *= np.uint64(0xBF58476D1CE4E5B9)
    x ^= x >> np.uint64(27)
    x *= np.uint64(0x94D049BB133111EB)
    x ^= x >> np.uint64(31)
    return x


def pick(keys: np.ndarray, salt: int, size: int) -> np.ndarray:
    return (mix(keys, salt) % np.uint64(size)).astype(np.int64)


def number(keys: np.ndarray, salt: int, count: int) -> np.ndarray:
    """A stable number of at most `count` digits per key (phone numbers are zero-padded)."""
    return (mix(keys, salt) % np.uint64(10**count)).astype(np.int64)
