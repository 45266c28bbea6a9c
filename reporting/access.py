"""Who reads what. The general reporting schema (DuckDB: reporting.duckdb) holds the marts any BI
user may read; the restricted one (DuckDB: reporting_restricted.duckdb) holds employee-level results.
Neither holds personal data: customers appear only under a pseudonymous key (ingestion/pseudonyms.py).

On PostgreSQL two NOLOGIN group roles carry the grants: the reader reads `reporting` and its friendly
views; the manager is a member of the reader and also reads `reporting_restricted`. Neither reads the
customer database (customers, raw, staging, intermediate, marts). Every publish recreates the
schemas, so the publish re-applies these grants in its swap transaction: a reader never sees the new
schema without them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from reporting.catalog import FRIENDLY_SCHEMA

REPORTING_SCHEMA = "reporting"
RESTRICTED_SCHEMA = "reporting_restricted"
FRIENDLY_RESTRICTED_SCHEMA = f"{FRIENDLY_SCHEMA}_restricted"
# The friendly views of each schema. Views read with their owner's rights, so the views over the
# restricted tables live in a restricted schema of their own.
FRIENDLY_SCHEMAS = {REPORTING_SCHEMA: FRIENDLY_SCHEMA, RESTRICTED_SCHEMA: FRIENDLY_RESTRICTED_SCHEMA}
ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


@dataclass(frozen=True)
class ReportingRoles:
    reader: str = "nps_reader"
    manager: str = "nps_manager"

    def schemas(self) -> dict[str, tuple[str, ...]]:
        """Role -> the schemas it reads (the manager also reads the reader's, as its member)."""
        return {
            self.reader: (REPORTING_SCHEMA, FRIENDLY_SCHEMA),
            self.manager: (RESTRICTED_SCHEMA, FRIENDLY_RESTRICTED_SCHEMA),
        }


def grant_reporting_access(cursor, roles: ReportingRoles) -> list[str]:
    """Grants each existing role USAGE on its schemas and SELECT on every table and view in them;
    returns the roles granted to. Run by the owner of the schemas (the publishing user)."""
    from psycopg2 import sql

    cursor.execute("select rolname from pg_roles where rolname = any(%s)", [[roles.reader, roles.manager]])
    existing = {row[0] for row in cursor.fetchall()}
    cursor.execute("select nspname from pg_namespace")
    schemas = {row[0] for row in cursor.fetchall()}
    granted = []
    for role, readable in roles.schemas().items():
        if role not in existing:
            continue
        for schema in (s for s in readable if s in schemas):
            cursor.execute(sql.SQL("grant usage on schema {} to {}").format(sql.Identifier(schema), sql.Identifier(role)))
            cursor.execute(
                sql.SQL("grant select on all tables in schema {} to {}").format(sql.Identifier(schema), sql.Identifier(role))
            )
        granted.append(role)
    return granted


def setup_roles(
    dsn: str, roles: ReportingRoles, reader_logins: list[str] = (), manager_logins: list[str] = ()
) -> list[str]:
    """Creates the group roles (and login users in them) that do not exist yet, and grants them the
    reporting schemas as they are now; idempotent, in one transaction. Returns what it did, one line
    each. Login users get no password here (set one with psql's \\password, or use the server's
    authentication: certificates, LDAP, ...)."""
    import psycopg2
    from psycopg2 import sql

    for name in (roles.reader, roles.manager, *reader_logins, *manager_logins):
        if not ROLE_NAME.match(name):
            raise ValueError(f"role name {name!r}: expected lowercase letters, digits and _, not starting with a digit")
    done = []
    con = psycopg2.connect(dsn)
    try:
        with con, con.cursor() as cursor:
            for group in (roles.reader, roles.manager):
                if _create_role(cursor, group, login=False):
                    done.append(f"created group role {group} (NOLOGIN)")
            cursor.execute(sql.SQL("grant {} to {}").format(sql.Identifier(roles.reader), sql.Identifier(roles.manager)))
            cursor.execute(
                sql.SQL("grant connect on database {} to {}").format(
                    sql.Identifier(con.info.dbname), sql.Identifier(roles.reader)
                )
            )
            for group, logins in ((roles.reader, reader_logins), (roles.manager, manager_logins)):
                for login in logins:
                    if _create_role(cursor, login, login=True):
                        done.append(f"created login user {login}")
                    cursor.execute(sql.SQL("grant {} to {}").format(sql.Identifier(group), sql.Identifier(login)))
                    done.append(f"{login} is a member of {group}")
            granted = grant_reporting_access(cursor, roles)
            for role in granted:
                done.append(f"{role} reads {', '.join(roles.schemas()[role])}"
                            + (f" and, as a member of {roles.reader}, what it reads" if role == roles.manager else ""))
    finally:
        con.close()
    return done


def _create_role(cursor, name: str, login: bool) -> bool:
    from psycopg2 import sql

    cursor.execute("select 1 from pg_roles where rolname = %s", [name])
    if cursor.fetchone():
        return False
    cursor.execute(sql.SQL("create role {} " + ("login" if login else "nologin")).format(sql.Identifier(name)))
    return True
