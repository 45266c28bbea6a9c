"""Typed reading of API record fields (ingestion/connectors/fields.py)."""
import pytest

from ingestion.connectors import fields


@pytest.mark.parametrize("value", range(11))
def test_a_score_from_0_to_10_reads_the_same_as_a_number_or_as_text(value):
    assert fields.score(value, "score") == fields.score(float(value), "score") == fields.score(f" {value} ", "score") == value


@pytest.mark.parametrize("value", [-1, 11, 2**40, True, False, 7.5, "ten", "", None])
def test_anything_else_is_not_a_score(value):
    with pytest.raises(fields.RecordError):
        fields.score(value, "score")
