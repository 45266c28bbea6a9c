"""The page: one self-contained HTML file (plotly's JavaScript inlined, no network) holding every
prepared chart and table; a small script shows the ones for the chosen grain, survey type and period."""
from __future__ import annotations

import html
import json
from datetime import datetime

from plotly.offline import get_plotlyjs

from reporting.report.sections import Chart, Section

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #1d2733; background: #f5f7f9; }
header { background: #1f4e79; color: white; padding: 18px 32px; }
header h1 { margin: 0 0 4px; font-size: 22px; }
header p { margin: 0; opacity: 0.85; font-size: 13px; }
#controls { position: sticky; top: 0; z-index: 10; background: white; border-bottom: 1px solid #dde3ea;
            padding: 10px 32px; display: flex; gap: 24px; flex-wrap: wrap; }
#controls label { font-size: 13px; color: #52606d; }
#controls select { margin-left: 6px; font-size: 14px; padding: 3px 6px; }
main { max-width: 1240px; margin: 0 auto; padding: 8px 32px 48px; }
section { background: white; border: 1px solid #dde3ea; border-radius: 6px; padding: 16px 20px; margin-top: 18px; }
section h2 { font-size: 17px; margin: 0 0 6px; }
section p.intro { margin: 0 0 10px; color: #52606d; font-size: 13px; }
p.empty, p.unavailable { color: #7b8794; font-style: italic; margin: 8px 0; }
table { border-collapse: collapse; font-size: 13px; margin: 6px 0; }
th, td { padding: 4px 12px; border-bottom: 1px solid #eef1f4; text-align: left; white-space: nowrap; }
th { color: #52606d; font-weight: 600; border-bottom: 2px solid #dde3ea; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.table-scroll { max-height: 520px; overflow: auto; }
#report-error { display: none; background: #fdecea; color: #8a1c1c; padding: 12px 32px; font-family: monospace; }
footer { color: #7b8794; font-size: 12px; max-width: 1240px; margin: 24px auto; padding: 0 32px; }
"""

SCRIPT = """
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var state = {grain: data.default_grain, survey_type: data.survey_types[0], period: null};

  function showError(message) {
    var box = document.getElementById("report-error");
    box.style.display = "block";
    box.textContent = "The report could not be drawn: " + message;
    document.body.setAttribute("data-report-error", message);
  }
  window.addEventListener("error", function (event) { showError(event.message); });

  function fillSelect(select, options, value) {
    select.innerHTML = "";
    options.forEach(function (option) {
      var element = document.createElement("option");
      element.value = option[0];
      element.textContent = option[1];
      select.appendChild(element);
    });
    select.value = value;
  }

  function selectionKey(variesWith) {
    return variesWith.map(function (choice) { return state[choice]; }).join("|");
  }

  function drawChart(part, element) {
    var figure = part.figures[selectionKey(part.varies_with)];
    var plot = element.querySelector(".plot"), empty = element.querySelector(".empty");
    if (!figure) {
      Plotly.purge(plot);
      plot.style.display = "none";
      empty.style.display = "block";
      return;
    }
    empty.style.display = "none";
    plot.style.display = "block";
    var layout = part.varies_with.indexOf("grain") >= 0 ? withPeriodMarked(figure.layout) : figure.layout;
    Plotly.react(plot, figure.data, layout, {responsive: true, displaylogo: false});
  }

  // A dotted line at the chosen period on every time axis of the figure (one per small multiple).
  function withPeriodMarked(layout) {
    var shapes = Object.keys(layout).filter(function (name) {
      return /^xaxis[0-9]*$/.test(name) && layout[name].visible !== false;
    }).map(function (name) {
      return {
        type: "line", xref: "x" + name.slice(5), yref: (layout[name].anchor || "y") + " domain",
        x0: state.period, x1: state.period, y0: 0, y1: 1, line: {color: "#f0a202", width: 2, dash: "dot"}
      };
    });
    return Object.assign({}, layout, {shapes: shapes});
  }

  function drawTable(part, element) {
    var rows = part.rows[selectionKey(part.varies_with)] || [];
    var empty = element.querySelector(".empty"), scroll = element.querySelector(".table-scroll");
    empty.style.display = rows.length ? "none" : "block";
    scroll.style.display = rows.length ? "block" : "none";
    var numeric = {};
    part.numeric_columns.forEach(function (index) { numeric[index] = true; });
    var table = document.createElement("table");
    var head = table.createTHead().insertRow();
    part.columns.forEach(function (column, index) {
      var th = document.createElement("th");
      th.textContent = column;
      if (numeric[index]) { th.className = "num"; }
      head.appendChild(th);
    });
    var body = table.createTBody();
    rows.forEach(function (row) {
      var tr = body.insertRow();
      row.forEach(function (value, index) {
        var td = tr.insertCell();
        td.textContent = value;
        if (numeric[index]) { td.className = "num"; }
      });
    });
    scroll.innerHTML = "";
    scroll.appendChild(table);
  }

  function draw() {
    data.parts.forEach(function (part) {
      var element = document.getElementById(part.element_id);
      if (part.kind === "chart") { drawChart(part, element); } else { drawTable(part, element); }
    });
    writeAddress();
    document.body.setAttribute("data-rendered", [state.grain, state.survey_type, state.period].join("|"));
  }

  var grainSelect = document.getElementById("grain");
  var surveySelect = document.getElementById("survey-type");
  var periodSelect = document.getElementById("period");

  function fillPeriods() {
    var periods = data.periods[state.grain] || [];
    var starts = periods.map(function (period) { return period[0]; });
    if (starts.indexOf(state.period) < 0) { state.period = data.default_periods[state.grain] || ""; }
    fillSelect(periodSelect, periods, state.period);
  }

  // The selection lives in the address (#grain=quarter&survey_type=relational&period=2026-04-01),
  // so a link opens the report on the same view.
  function readAddress() {
    location.hash.replace(/^#/, "").split("&").forEach(function (pair) {
      var parts = pair.split("=");
      if (parts.length === 2 && state.hasOwnProperty(parts[0])) { state[parts[0]] = decodeURIComponent(parts[1]); }
    });
    var grains = data.grains.map(function (grain) { return grain[0]; });
    if (grains.indexOf(state.grain) < 0) { state.grain = data.default_grain; }
    if (data.survey_types.indexOf(state.survey_type) < 0) { state.survey_type = data.survey_types[0]; }
  }
  function writeAddress() {
    history.replaceState(null, "", "#" + ["grain", "survey_type", "period"].map(function (choice) {
      return choice + "=" + encodeURIComponent(state[choice]);
    }).join("&"));
  }

  readAddress();
  fillSelect(grainSelect, data.grains, state.grain);
  fillSelect(surveySelect, data.survey_types.map(function (t) { return [t, t]; }), state.survey_type);
  fillPeriods();
  grainSelect.addEventListener("change", function () {
    state.grain = grainSelect.value;
    state.period = null;  // each grain opens on its own default period
    fillPeriods();
    draw();
  });
  surveySelect.addEventListener("change", function () { state.survey_type = surveySelect.value; draw(); });
  periodSelect.addEventListener("change", function () { state.period = periodSelect.value; draw(); });
  try { draw(); } catch (error) { showError(error && error.message ? error.message : String(error)); }
})();
"""


def render_page(
    sections: list[Section],
    grains: list[tuple[str, str]],
    default_grain: str,
    survey_types: list[str],
    periods: dict[str, list[tuple[str, str]]],
    default_periods: dict[str, str],
    published_at: datetime | None,
    source: str,
) -> str:
    """grains: (value, label); periods: per grain, (period_start, label) newest first; default_periods:
    per grain, the period shown first."""
    parts, bodies = [], []
    for section in sections:
        bodies.append(_section_html(section, parts))
    payload = {
        "grains": grains, "default_grain": default_grain, "survey_types": survey_types,
        "periods": periods, "default_periods": default_periods, "parts": parts,
    }
    # "</" inside a script element would end it early.
    payload_json = json.dumps(payload, separators=(",", ":"), allow_nan=False).replace("</", "<\\/")
    published = f"published {published_at:%Y-%m-%d %H:%M %Z}".strip() if published_at else "publication time unknown"
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>NPS report</title>
<style>{STYLE}</style>
<script>{get_plotlyjs()}</script>
</head>
<body>
<header><h1>NPS report</h1><p>From {html.escape(source)}, {html.escape(published)}.</p></header>
<div id="report-error"></div>
<div id="controls">
<label>Period grain<select id="grain"></select></label>
<label>Survey type<select id="survey-type"></select></label>
<label>Period<select id="period"></select></label>
</div>
<main>
{"".join(bodies)}
</main>
<footer>NPS = 100 × (promoters − detractors) / responses. Intervals are 95 % adjusted-Wald (Rocks 2016).
Column meanings: the comments in the reporting database and the dbt documentation (data/docs/dbt).</footer>
<script type="application/json" id="report-data">{payload_json}</script>
<script>{SCRIPT}</script>
</body>
</html>
"""


def _section_html(section: Section, parts: list[dict]) -> str:
    lines = [f'<section id="{section.id}">', f"<h2>{html.escape(section.title)}</h2>"]
    if section.unavailable:
        lines.append(f'<p class="unavailable">{html.escape(section.unavailable)}</p>')
        return "\n".join(lines + ["</section>"])
    if section.intro:
        lines.append(f'<p class="intro">{html.escape(section.intro)}</p>')
    for part in section.parts:
        element_id = f"{section.id}-{len(parts)}"
        common = {"element_id": element_id, "varies_with": list(part.varies_with)}
        if isinstance(part, Chart):
            parts.append({**common, "kind": "chart", "figures": part.figures})
            body = '<div class="plot"></div>'
        else:
            parts.append({**common, "kind": "table", "columns": part.columns, "rows": part.rows,
                          "numeric_columns": sorted(part.numeric_columns)})
            body = '<div class="table-scroll"></div>'
        lines.append(f'<div class="part" id="{element_id}">{body}<p class="empty">{html.escape(part.empty)}</p></div>')
    return "\n".join(lines + ["</section>"])
