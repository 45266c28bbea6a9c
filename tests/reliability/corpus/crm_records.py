"""CRM records as HubSpot (properties) and Salesforce (sObject fields) serve them, spoiled. Keys are
connector ids as in tests/connectors/emulated.py: `<source type>-<object>`."""
from __future__ import annotations

from . import EMOJI_AND_SCRIPTS, LONG_COMMENT, NUL_INSIDE, SQL_LOOKING, Entry

CRM = {
    "hubspot-companies": [
        Entry("SQL-looking name", vendor={"name": SQL_LOOKING}, lands={"name": SQL_LOOKING}),
        Entry("emoji and mixed scripts", vendor={"name": EMOJI_AND_SCRIPTS}, lands={"name": EMOJI_AND_SCRIPTS}),
        Entry("1 MB name", vendor={"name": LONG_COMMENT}, lands={"name": LONG_COMMENT}),
        Entry("30 February", "invalid createdate '2026-02-30T00:00:00.000Z'", vendor={"createdate": "2026-02-30T00:00:00.000Z"}),
        Entry("year 0", "invalid createdate '0000-06-01T00:00:00Z'", vendor={"createdate": "0000-06-01T00:00:00Z"}),
        Entry("employees as a word", "invalid numberofemployees 'many': expected an integer", vendor={"numberofemployees": "many"}),
        Entry("employees beyond an integer", "invalid numberofemployees '10000000000000': expected an integer from -2147483648 to 2147483647", vendor={"numberofemployees": "10000000000000"}),
        Entry("no customer id", "missing company property customer_id", vendor={"customer_id": None}),
    ],
    "hubspot-contacts": [
        Entry("NUL byte in a name", vendor={"lastname": NUL_INSIDE}, lands={"lastname": NUL_INSIDE}),
        Entry("SQL-looking e-mail", vendor={"email": "x'); delete from raw.hubspot__contacts; --@example.com"}, lands={"email": "x'); delete from raw.hubspot__contacts; --@example.com"}),
        Entry("hour 25", "invalid createdate '9999-12-31T25:00:00Z'", vendor={"createdate": "9999-12-31T25:00:00Z"}),
        Entry("no createdate", "missing createdate", vendor={"createdate": None}),
    ],
    "hubspot-deals": [
        Entry("amount in words", "invalid amount 'lots': expected a number", vendor={"amount": "lots"}),
        Entry("amount NaN", "invalid amount 'NaN': expected a finite number", vendor={"amount": "NaN"}),
        Entry("amount beyond a double", "invalid amount '1e400': expected a finite number", vendor={"amount": "1e400"}),
        Entry("closed won maybe", "invalid hs_is_closed_won 'maybe': expected true or false", vendor={"hs_is_closed_won": "maybe"}),
        Entry("month 13", "invalid closedate '2026-13-01T00:00:00Z'", vendor={"closedate": "2026-13-01T00:00:00Z"}),
    ],
    "salesforce-accounts": [
        Entry("emoji and mixed scripts", vendor={"Name": EMOJI_AND_SCRIPTS}, lands={"name": EMOJI_AND_SCRIPTS}),
        Entry("30 February", "invalid CreatedDate '2026-02-30T00:00:00.000+0000'", vendor={"CreatedDate": "2026-02-30T00:00:00.000+0000"}),
        Entry("fractional employees", "invalid NumberOfEmployees 12.5: expected an integer", vendor={"NumberOfEmployees": 12.5}),
        Entry("employees as a list", "invalid NumberOfEmployees [40]: expected an integer", vendor={"NumberOfEmployees": [40]}),
    ],
    "salesforce-contacts": [
        Entry("SQL-looking last name", vendor={"LastName": SQL_LOOKING}, lands={"lastname": SQL_LOOKING}),
        Entry("year 0", "invalid CreatedDate '0000-01-01T00:00:00.000+0000'", vendor={"CreatedDate": "0000-01-01T00:00:00.000+0000"}),
        Entry("no SystemModstamp", "missing SystemModstamp", vendor={"SystemModstamp": None}),
    ],
    "salesforce-opportunities": [
        Entry("amount infinite", "invalid Amount 'Infinity': expected a finite number", vendor={"Amount": "Infinity"}),
        Entry("30 February close", "invalid CloseDate '2026-02-30': expected a date YYYY-MM-DD", vendor={"CloseDate": "2026-02-30"}),
        Entry("won yes", "invalid IsWon 'yes': expected true or false", vendor={"IsWon": "yes"}),
        Entry("no Id", "missing Id", vendor={"Id": None}),
    ],
}  # fmt: skip
