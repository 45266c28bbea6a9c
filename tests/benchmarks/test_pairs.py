"""`python -m benchmarks pairs`: only the connectors beside their bare loops, repeated, with each
repeat's ratio and the medians; nothing written to BENCHMARKS.md."""
from click.testing import CliRunner

from benchmarks.__main__ import main
from benchmarks.measure import StepResult
from benchmarks.report import render_pairs


def _pair(connector_seconds: float, bare_seconds: float, cpu: tuple[float, float] = (1.0, 1.0)) -> StepResult:
    return StepResult(5.0, 300.0, {
        "seconds": bare_seconds, "records": 1000, "connector_seconds": connector_seconds, "connector_records": 1000,
        "connector_cpu_seconds": cpu[0], "cpu_seconds": cpu[1],
    })  # fmt: skip


def test_each_repeat_ratio_is_shown_in_order_with_the_median_ratio():
    pairs = [_pair(2.0, 1.0, (2.0, 1.0)), _pair(1.0, 1.0, (1.0, 0.5)), _pair(1.25, 1.0, (1.0, 0.9))]
    table = render_pairs({"typeform/responses": pairs})

    row = next(line for line in table.splitlines() if line.startswith("typeform/responses"))
    # wall: 0.50, 1.00, 0.80; CPU: 0.50, 0.50, 0.90
    assert row.split()[1:] == ["800", "1,000", "0.80", "0.50", "0.50", "1.00", "0.80"]


def test_the_command_measures_the_named_pairs_and_writes_no_report(monkeypatch, tmp_path):
    asked = {}

    def measure_pairs(size, workdir, repeat, names):
        asked.update(size=size, repeat=repeat, names=names)
        return {name: [_pair(1.0, 1.0)] * repeat for name in names}

    monkeypatch.setattr("benchmarks.suite.measure_pairs", measure_pairs)
    result = CliRunner().invoke(main, [
        "pairs", "--size", "2000", "--repeat", "2", "--only", "delighted/responses", "--workdir", str(tmp_path),
    ])  # fmt: skip

    assert result.exit_code == 0, result.output
    assert asked == {"size": 2000, "repeat": 2, "names": ("delighted/responses",)}
    assert "delighted/responses" in result.output and "1.00 1.00" in result.output
    assert list(tmp_path.iterdir()) == []


def test_an_unknown_pair_is_refused():
    result = CliRunner().invoke(main, ["pairs", "--only", "typeform/forms"])

    assert result.exit_code != 0
    assert "typeform/forms" in result.output
