"""Survey responses as Qualtrics, SurveyMonkey, Typeform and Delighted serve them, spoiled."""
from __future__ import annotations

from ingestion.emulators.surveymonkey import NPS_QUESTION, PAGE_ID

from . import CONTROL_CHARACTERS, EMOJI_AND_SCRIPTS, LONG_COMMENT, NUL_INSIDE, SQL_LOOKING, Entry


def _valid_comments() -> list[Entry]:
    """Comments any survey tool may hold: they land exactly as written."""
    return [
        Entry("1 MB comment", world={"comment": LONG_COMMENT}, lands={"comment": LONG_COMMENT}),
        Entry("emoji and mixed scripts", world={"comment": EMOJI_AND_SCRIPTS}, lands={"comment": EMOJI_AND_SCRIPTS}),
        Entry("SQL-looking comment", world={"comment": SQL_LOOKING}, lands={"comment": SQL_LOOKING}),
        Entry("control characters", world={"comment": CONTROL_CHARACTERS}, lands={"comment": CONTROL_CHARACTERS}),
        Entry("NUL byte", world={"comment": NUL_INSIDE}, lands={"comment": NUL_INSIDE}),
    ]


QUALTRICS = [
    *_valid_comments(),
    Entry("score 11", "invalid score 11 in values.QID1: expected an integer 0..10", world={"score": "11"}),
    Entry("score as a word", "invalid score 'seven' in values.QID1", world={"score": "seven"}),
    Entry("no score", "missing score (values.QID1)", vendor={"values": {"QID1": None, "QID1_NPS_GROUP": None}}),
    Entry("30 February", "invalid recordedDate '2026-02-30T10:00:00.000Z'", vendor={"values": {"recordedDate": "2026-02-30T10:00:00.000Z"}}),
    Entry("year 0", "invalid recordedDate '0000-01-01T00:00:00.000Z'", vendor={"values": {"recordedDate": "0000-01-01T00:00:00.000Z"}}),
    Entry("hour 25", "invalid recordedDate '9999-12-31T25:00:00Z'", vendor={"values": {"recordedDate": "9999-12-31T25:00:00Z"}}),
    Entry("no response id", "missing response id", vendor={"responseId": None}),
    Entry("values not an object", "invalid values 'not an object': expected an object", vendor={"values": "not an object"}),
]  # fmt: skip

SURVEYMONKEY = [
    *_valid_comments(),
    Entry("score as a word", "answer to 275117401 is not one of its 0..10 choices: {'text': 'seven'}", world={"score": "seven"}),
    Entry("unknown choice", "not one of its 0..10 choices: {'choice_id': '42'}", vendor={"pages": [{"id": PAGE_ID, "questions": [{"id": NPS_QUESTION, "answers": [{"choice_id": "42"}]}]}]}),
    Entry("30 February", "invalid date_created '2026-02-30T10:00:00+00:00'", vendor={"date_created": "2026-02-30T10:00:00+00:00"}),
    Entry("after year 9999 in UTC", "invalid date_created '9999-12-31T23:00:00-14:00'", vendor={"date_created": "9999-12-31T23:00:00-14:00"}),
    Entry("no response id", "missing response id", vendor={"id": None}),
    Entry("pages not a list", "invalid pages 'oops': expected a list", vendor={"pages": "oops"}),
]  # fmt: skip

TYPEFORM = [
    *_valid_comments(),
    Entry("score 12", "invalid score 12 in answer to nps", vendor={"answers": [{"field": {"id": "x", "ref": "nps", "type": "nps"}, "type": "number", "number": 12}]}),
    Entry("negative score", "invalid score '-1' in answer to nps", world={"score": "-1"}),
    Entry("score as text", "answer to nps is 'text', expected a number", vendor={"answers": [{"field": {"id": "x", "ref": "nps", "type": "nps"}, "type": "text", "text": "9"}]}),
    Entry("hour 25", "invalid submitted_at '2026-03-01T25:00:00Z'", vendor={"submitted_at": "2026-03-01T25:00:00Z"}),
    Entry("no token", "missing response id", vendor={"token": None, "response_id": None}),
    Entry("answers not a list", "invalid answers 7: expected a list", vendor={"answers": 7}),
]  # fmt: skip

DELIGHTED = [
    *_valid_comments(),
    Entry("score 11", "invalid score 11 in score", vendor={"score": 11}),
    Entry("fractional score", "invalid score 7.5 in score", vendor={"score": 7.5}),
    Entry("boolean score", "invalid score True in score", vendor={"score": True}),
    Entry("no score", "missing score (score)", vendor={"score": None}),
    Entry("created after year 9999", "invalid created_at 100000000000000000000", vendor={"created_at": 10**20}),
    Entry("not an NPS survey", "survey_type 'ces' is not an NPS survey", vendor={"survey_type": "ces"}),
    Entry("no id", "missing response id", vendor={"id": None}),
    Entry("person properties not an object", "invalid person_properties ['C0000001']: expected an object", vendor={"person_properties": ["C0000001"]}),
]  # fmt: skip

SURVEYS = {"qualtrics": QUALTRICS, "surveymonkey": SURVEYMONKEY, "typeform": TYPEFORM, "delighted": DELIGHTED}
