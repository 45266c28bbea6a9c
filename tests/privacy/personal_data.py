"""Scanning a published reporting database for personal data: every text value of every table,
compared with the identifiers the warehouse and the world know."""
from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

import duckdb
import pandas as pd


def world_personal_values(world: Path) -> set[str]:
    """Customer numbers, names, e-mail addresses and phone numbers of the world's customers and
    contacts, and the names of its employees."""
    customers = pd.read_csv(world / "crm" / "customers.csv", dtype=str, keep_default_na=False)
    contacts = pd.read_csv(world / "crm" / "contacts.csv", dtype=str, keep_default_na=False)
    employees = pd.read_csv(world / "org" / "employees.csv", dtype=str, keep_default_na=False)
    columns = [
        customers[["customer_id", "name", "email", "phone"]],
        contacts[["contact_id", "first_name", "last_name", "email", "phone"]],
        employees[["employee_name"]],
    ]
    return {value for frame in columns for value in frame.to_numpy().ravel() if value}


def duckdb_text_values(path: Path) -> dict[str, set[str]]:
    """table -> every distinct text value in it (all text columns of the main schema)."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        columns = con.execute(
            "select table_name, column_name from information_schema.columns "
            "where table_schema = 'main' and data_type = 'VARCHAR'"
        ).fetchall()
        values: dict[str, set[str]] = {}
        for table, column in columns:
            rows = con.execute(f'select distinct "{column}" from "{table}" where "{column}" is not null').fetchall()
            values.setdefault(table, set()).update(row[0] for row in rows)
        return values
    finally:
        con.close()


def postgres_text_values(dsn: str, schema: str) -> dict[str, set[str]]:
    import psycopg2

    con = psycopg2.connect(dsn)
    try:
        with con.cursor() as cursor:
            cursor.execute(
                "select table_name, column_name from information_schema.columns "
                "where table_schema = %s and data_type in ('text', 'character varying')",
                [schema],
            )
            values: dict[str, set[str]] = {}
            for table, column in cursor.fetchall():
                cursor.execute(f'select distinct "{column}" from "{schema}"."{table}" where "{column}" is not null')
                values.setdefault(table, set()).update(row[0] for row in cursor.fetchall())
            return values
    finally:
        con.close()


def found(values: dict[str, set[str]], needles: set[str]) -> dict[str, set[str]]:
    """table -> the needles among its values (tables without any left out)."""
    return {table: hits for table, table_values in values.items() if (hits := table_values & needles)}


def keyed_hash(key: bytes, value: str) -> str:
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()
