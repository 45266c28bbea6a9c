"""`python -m benchmarks run ...`, and `step` (what each measured subprocess runs)."""
from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date
from pathlib import Path

import click


@click.group()
def main() -> None:
    """Benchmarks of the NPS platform."""


def _sizes(text: str, option: str) -> list[int]:
    try:
        return sorted(int(part.replace("_", "")) for part in text.split(",") if part.strip())
    except ValueError:
        raise click.BadParameter(f"expected comma-separated integers, got {text!r}", param_hint=option) from None


@main.command()
@click.option("--sizes", default="20000,100000", show_default=True, help="History sizes (responses), comma-separated.")
@click.option("--generation-sizes", default="", help="Sizes at which only the world's generation is measured (a history too large to refresh here).")
@click.option("--repeat", default=1, show_default=True, type=click.IntRange(min=1), help="Runs per measurement; medians are reported.")
@click.option("--workdir", default="/tmp/nps-benchmarks", show_default=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--output", default=Path(__file__).resolve().parents[1] / "BENCHMARKS.md", show_default=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--vendor-rate-limits/--no-vendor-rate-limits", default=False, show_default=True, help="Let the emulator enforce the vendors' request limits (then ingestion measures their quotas, not our code).")
@click.option("--bare-loops/--no-bare-loops", default=True, show_default=True, help="Each connector beside its bare loop, at the smallest size (at 1M responses about ten minutes).")
def run(sizes: str, generation_sizes: str, repeat: int, workdir: Path, output: Path, vendor_rate_limits: bool, bare_loops: bool) -> None:
    """Measure every size, print the table and write BENCHMARKS.md."""
    from benchmarks.machine import describe_machine, load_average
    from benchmarks.suite import measure_generation, measure_size

    size_list, generation_list = _sizes(sizes, "--sizes"), _sizes(generation_sizes, "--generation-sizes")
    if not size_list:
        raise click.BadParameter("at least one history size to refresh is needed", param_hint="--sizes")
    machine = describe_machine()
    machine["load average at start"] = load_average()
    results, generation_only = [], {}

    def save() -> None:
        """The raw figures after each size, so a report can be rendered again without measuring
        again, and a large size that fails keeps the figures measured before it."""
        machine["load average at end"] = load_average()
        raw = {
            "machine": machine, "repeat": repeat, "vendor_rate_limits": vendor_rate_limits,
            "sizes": [asdict(r) for r in results], "generation_only": {str(n): asdict(g) for n, g in generation_only.items()},
        }  # fmt: skip
        workdir.mkdir(parents=True, exist_ok=True)
        (workdir / "results.json").write_text(json.dumps(raw, indent=1), encoding="utf-8")

    for size in generation_list:
        click.echo(f"Generating {size:,} responses ...", err=True)
        generation_only[size] = measure_generation(size, workdir)
        save()
    for size in size_list:
        click.echo(f"Measuring {size:,} responses ...", err=True)
        results.append(measure_size(size, workdir, repeat, vendor_rate_limits, with_bare_loops=bare_loops and size == size_list[0]))
        save()
    from benchmarks.report import render_markdown, render_table

    click.echo(render_table(results))
    write_report(output, render_markdown(machine, results, repeat, vendor_rate_limits, generation_only))


def write_report(output: Path, generated: str) -> None:
    """The generated figures, then the sections people wrote in the file before (kept as they were)."""
    from benchmarks.report import kept_sections

    previous = output.read_text(encoding="utf-8") if output.exists() else ""
    output.write_text(generated.rstrip() + "\n\n" + kept_sections(previous), encoding="utf-8")
    click.echo(f"Wrote {output}", err=True)


@main.command()
@click.option("--size", default=100_000, show_default=True, type=click.IntRange(min=1), help="History size (responses).")
@click.option("--repeat", default=3, show_default=True, type=click.IntRange(min=1), help="Runs of each pair; medians are printed.")
@click.option("--only", "only", multiple=True, help="A connector's asset (e.g. typeform/responses); repeatable. Default: every bare loop.")
@click.option("--workdir", default="/tmp/nps-benchmarks", show_default=True, type=click.Path(file_okay=False, path_type=Path))
def pairs(size: int, repeat: int, only: tuple[str, ...], workdir: Path) -> None:
    """Only the connectors beside their bare loops, against one world; prints each repeat's ratio and
    the medians. Writes nothing to BENCHMARKS.md."""
    from benchmarks.report import render_pairs
    from benchmarks.suite import BARE_LOOPS, measure_pairs

    unknown = [name for name in only if name not in BARE_LOOPS]
    if unknown:
        raise click.BadParameter(f"{', '.join(unknown)}: expected one of {', '.join(BARE_LOOPS)}", param_hint="--only")
    click.echo(f"Measuring {', '.join(only or BARE_LOOPS)} against {size:,} responses, {repeat} time(s) ...", err=True)
    click.echo(render_pairs(measure_pairs(size, workdir, repeat, only or BARE_LOOPS)))


@main.command()
@click.option("--workdir", default="/tmp/nps-benchmarks", show_default=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--output", default=Path(__file__).resolve().parents[1] / "BENCHMARKS.md", show_default=True, type=click.Path(dir_okay=False, path_type=Path))
def render(workdir: Path, output: Path) -> None:
    """Print the table and write BENCHMARKS.md again from the last run's results.json."""
    from benchmarks.measure import StepResult
    from benchmarks.report import render_markdown, render_table
    from benchmarks.suite import SizeResults

    raw = json.loads((workdir / "results.json").read_text(encoding="utf-8"))
    results = []
    for size in raw["sizes"]:
        steps = {name: StepResult(**value) for name, value in size.items() if name not in ("size", "bare_loops")}
        loops = {name: StepResult(**value) for name, value in size["bare_loops"].items()}
        results.append(SizeResults(size=size["size"], bare_loops=loops, **steps))
    generation_only = {int(n): StepResult(**g) for n, g in raw.get("generation_only", {}).items()}
    click.echo(render_table(results))
    write_report(output, render_markdown(raw["machine"], results, raw["repeat"], raw["vendor_rate_limits"], generation_only))


@main.command(hidden=True)
@click.argument("name")
@click.argument("arguments")
@click.argument("answer", type=click.Path(dir_okay=False, path_type=Path))
def step(name: str, arguments: str, answer: Path) -> None:
    """One measured step, in this (sub)process; its figures are written to ANSWER as JSON."""
    given = json.loads(arguments)
    if name == "generate":
        from benchmarks.world import generate

        data = generate(Path(given["world"]), given["responses"], date.fromisoformat(given["end_date"]))
    elif name == "refresh":
        from benchmarks.refresh import refresh

        data = refresh(Path(given["config"]), given["full_refresh"])
    elif name == "dbt_build":
        from benchmarks.dbt_build import dbt_build

        data = dbt_build(Path(given["config"]), given["full_refresh"])
    elif name == "quality_checks":
        from benchmarks.quality import quality_checks

        data = quality_checks(Path(given["config"]))
    elif name == "lower_bound":
        from benchmarks.lower_bound import lower_bound

        data = lower_bound(Path(given["warehouse"]))
    elif name == "bare_loop":
        from benchmarks.bare_loop import bare_loop

        data = bare_loop(given["name"], given["base_url"], Path(given["config"]), Path(given["database"]))
    else:
        raise click.BadParameter(f"unknown step {name!r}: expected generate, refresh, dbt_build, quality_checks, lower_bound or bare_loop")
    answer.write_text(json.dumps(data), encoding="utf-8")


if __name__ == "__main__":
    main()
