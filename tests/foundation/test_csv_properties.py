"""Property: every CSV row is either counted or quarantined with a reason — never dropped, never
both — whatever its content."""
import csv
import io
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingestion.connectors.csv_export import CANONICAL_COLUMNS, read_file

scores = st.one_of(
    st.integers(min_value=-5, max_value=15).map(str),
    st.sampled_from(["", " 7 ", "7.5", "ten", "1e1", "٣", "10\x00"]),
    st.text(max_size=4),
)
timestamps = st.one_of(
    st.datetimes().map(lambda d: d.isoformat()),
    st.sampled_from(["", "2026-02-30T10:00:00Z", "yesterday", "2026-03-29T02:30:00+01:00"]),
)
text = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=30)
rows = st.fixed_dictionaries(
    {
        "response_id": st.one_of(st.just(""), st.text(min_size=1, max_size=8)),
        "responded_at": timestamps,
        "score": scores,
        "comment": text,
        "survey_type": st.sampled_from(["", "transactional", "relational", "yearly"]),
    }
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(rows, max_size=20))
def test_every_row_is_counted_or_quarantined(tmp_path, generated):
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(CANONICAL_COLUMNS), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(generated)
    path = Path(tmp_path) / "export.csv"
    content = buffer.getvalue().encode("utf-8")
    path.write_bytes(content)

    batches = list(read_file(path, content, "transactional"))

    records = [r for b in batches for r in b.records]
    quarantined = [q for b in batches for q in b.quarantined]
    assert len(records) + len(quarantined) == len(generated)
    assert all(0 <= r["score"] <= 10 and r["response_id"] for r in records)
    assert all(r["survey_type"] in ("transactional", "relational") for r in records)
    assert all(r["responded_at"].tzinfo is not None for r in records)
    assert all(q.reason for q in quarantined)
