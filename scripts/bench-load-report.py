#!/usr/bin/env python3
"""Turns the results of scripts/bench-load.sh (JSON lines) into the "load-bench" block of
Docs/benchmarks.md and three SVG plots: latency against bronnen, records and arrival rate.

    bench-load-report.py RESULTS.jsonl Docs/benchmarks.md Docs/plots "the command that ran"
"""
import datetime
import json
import math
import os
import re
import sys


def svg_plot(path, title, xlabel, series, log_x=False, floor=None):
    """A line chart: series is [(name, colour, [(x, y), ...])]; y in ms; floor an optional (name, y) line.
    The y axis is logarithmic when the values span more than a factor 30 (a saturated scenario next to
    a light one would otherwise flatten the light one to the axis)."""
    width, height, left, right, top, bottom = 640, 400, 70, 160, 40, 50
    xs = [x for _, _, pts in series for x, _ in pts]
    ys = [y for _, _, pts in series for _, y in pts] + ([floor[1]] if floor else [])
    if not xs:
        return False
    fx = (lambda v: math.log10(v)) if log_x else (lambda v: v)
    x0, x1 = fx(min(xs)), fx(max(xs))
    if x0 == x1:
        x0, x1 = x0 - 1, x1 + 1
    positive = [y for y in ys if y > 0]
    log_y = bool(positive) and max(positive) / min(positive) > 30
    if log_y:
        y0 = 10 ** math.floor(math.log10(min(positive)))
        y1 = 10 ** math.ceil(math.log10(max(positive)))
        fy = lambda v: math.log10(max(v, y0))
        ticks = [m * 10 ** k for k in range(int(math.log10(y0)), int(math.log10(y1)) + 1) for m in (1, 2, 5)
                 if y0 <= m * 10 ** k <= y1]
    else:
        y0, y1 = 0.0, (max(ys) * 1.1 if ys else 1)
        fy = lambda v: v
        ticks = [y0 + (y1 - y0) * i / 5 for i in range(6)]

    def px(v):
        return left + (fx(v) - x0) / (x1 - x0) * (width - left - right)

    def py(v):
        return height - bottom - (fy(v) - fy(y0)) / (fy(y1) - fy(y0)) * (height - top - bottom)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="12">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{width / 2}" y="22" text-anchor="middle" font-size="14">{title}</text>']
    # Axes and grid.
    for v in ticks:
        y = py(v)
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{v:g}</text>' if log_y else
                   f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{v:.0f}</text>')
    for v in sorted(set(xs)):
        x = px(v)
        label = f"{v / 1000:.0f}k" if v >= 1000 and v < 1_000_000 else (f"{v / 1_000_000:.0f}M" if v >= 1_000_000 else f"{v:g}")
        out.append(f'<line x1="{x:.1f}" y1="{height - bottom}" x2="{x:.1f}" y2="{height - bottom + 5}" stroke="black"/>')
        out.append(f'<text x="{x:.1f}" y="{height - bottom + 18}" text-anchor="middle">{label}</text>')
    out.append(f'<line x1="{left}" y1="{height - bottom}" x2="{width - right}" y2="{height - bottom}" stroke="black"/>')
    out.append(f'<line x1="{left}" y1="{top}" x2="{left}" y2="{height - bottom}" stroke="black"/>')
    out.append(f'<text x="{(left + width - right) / 2}" y="{height - 12}" text-anchor="middle">{xlabel}</text>')
    out.append(f'<text x="18" y="{(top + height - bottom) / 2}" text-anchor="middle" '
               f'transform="rotate(-90 18 {(top + height - bottom) / 2})">latency (ms{", log scale" if log_y else ""})</text>')
    legend_y = top + 10
    for name, colour, pts in series:
        pts = sorted(pts)
        path_d = " ".join(f"{'M' if i == 0 else 'L'}{px(x):.1f},{py(y):.1f}" for i, (x, y) in enumerate(pts))
        out.append(f'<path d="{path_d}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for x, y in pts:
            out.append(f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="3" fill="{colour}"/>')
        out.append(f'<line x1="{width - right + 12}" y1="{legend_y}" x2="{width - right + 32}" y2="{legend_y}" stroke="{colour}" stroke-width="2"/>')
        out.append(f'<text x="{width - right + 38}" y="{legend_y + 4}">{name}</text>')
        legend_y += 18
    if floor:
        y = py(floor[1])
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#888" stroke-dasharray="4 3"/>')
        out.append(f'<line x1="{width - right + 12}" y1="{legend_y}" x2="{width - right + 32}" y2="{legend_y}" stroke="#888" stroke-dasharray="4 3"/>')
        out.append(f'<text x="{width - right + 38}" y="{legend_y + 4}">{floor[0]}</text>')
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")
    return True


def main():
    results_path, docs_path, plots_dir, command = sys.argv[1:5]
    rows = [json.loads(line) for line in open(results_path) if line.startswith("{")]
    if not rows:
        raise SystemExit("no results")
    os.makedirs(plots_dir, exist_ok=True)

    table = ["| bronnen | records | rate /s | entry | source.delay per bron | deadline ms | achieved /s | in flight (max) | p50 ms | p90 ms | p99 ms | p99.9 ms | partial | errors "
             "| floor p50 µs | p50 / floor | CPU s aggregator | CPU s adapters | CPU s broker | CPU s generator | machine busy "
             "| peak MB aggregator (own / VmHWM) | peak MB adapter (own / with store pages) | peak MB audit |",
             "|---:|---:|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    def cpu(r, who):
        return f"{r['cpu_s'][who]:.1f}" if who in r["cpu_s"] else "–"

    def adapter_memory(r):
        # Its own (anonymous) memory, and VmHWM, which also counts the store's memory-mapped pages.
        p = r["peak_mb"]
        own = f"{p['adapter_own_max']:.0f}" if "adapter_own_max" in p else "–"
        return f"{own} / {p['adapter_max']:.0f}"

    def aggregator_memory(r):
        # Its own (anonymous) memory, and VmHWM, which also counts the code of the program and its libraries.
        p = r["peak_mb"]
        own = f"{p['aggregator_own']:.0f}" if "aggregator_own" in p else "–"
        return f"{own} / {p['aggregator']:.0f}"

    def busy(r):
        # Busy CPU of the whole machine over the measured window, against all its cores.
        c = r["cpu_s"]
        return f"{100 * c['machine'] / c['available']:.0f} %" if "machine" in c else "–"

    for r in rows:
        table.append(
            f"| {r['bronnen']} | {r['records']:,} | {r['rate']:g} | {r['entry']} | {r.get('delays') or '-'} "
            f"| {r.get('deadline_ms', 2000)} | {r['achieved_per_s']:.1f} | {r.get('max_in_flight', '–')} "
            f"| {r['p50_ms']:.1f} | {r['p90_ms']:.1f} | {r['p99_ms']:.1f} | {r['p999_ms']:.1f} "
            f"| {100 * r['partial_rate']:.1f} % | {r['errors']} | {r['floor_p50_us']:.0f} "
            f"| {r['p50_ms'] * 1000 / r['floor_p50_us']:.0f}x | {r['cpu_s']['aggregator']:.1f} | {r['cpu_s']['adapters_total']:.1f} "
            f"| {cpu(r, 'broker')} | {cpu(r, 'generator')} | {busy(r)} "
            f"| {aggregator_memory(r)} | {adapter_memory(r)} | {r['peak_mb']['audit']:.0f} |")

    def pick(**kw):
        # The plots and goals compare bronnen without an artificial delay.
        return [r for r in rows if not r.get("delays") and all(r[k] == v for k, v in kw.items())]

    plots = []
    by_bronnen = pick(records=10000, rate=20.0, entry="rest")
    if len({r["bronnen"] for r in by_bronnen}) > 1:
        floor = sum(r["floor_p50_us"] for r in by_bronnen) / len(by_bronnen) / 1000
        if svg_plot(os.path.join(plots_dir, "latency-vs-bronnen.svg"), "Latency against bronnen (10k records each, 20 zoekvragen/s, REST)",
                    "bronnen", [("p50", "#1f77b4", [(r["bronnen"], r["p50_ms"]) for r in by_bronnen]),
                                ("p99", "#d62728", [(r["bronnen"], r["p99_ms"]) for r in by_bronnen])],
                    floor=("broker floor p50", floor)):
            plots.append(("latency against bronnen", "latency-vs-bronnen.svg"))
    by_records = pick(bronnen=1, rate=20.0, entry="rest")
    if len({r["records"] for r in by_records}) > 1:
        if svg_plot(os.path.join(plots_dir, "latency-vs-records.svg"), "Latency against records (1 bron, 20 zoekvragen/s, REST)",
                    "werkzoekenden in the bron's store", [("p50", "#1f77b4", [(r["records"], r["p50_ms"]) for r in by_records]),
                                                          ("p99", "#d62728", [(r["records"], r["p99_ms"]) for r in by_records])],
                    log_x=True):
            plots.append(("latency against records", "latency-vs-records.svg"))
    by_rate = pick(bronnen=5, records=10000, entry="rest")
    if len({r["rate"] for r in by_rate}) > 1:
        if svg_plot(os.path.join(plots_dir, "latency-vs-rate.svg"), "Latency against arrival rate (5 bronnen x 10k records, REST)",
                    "zoekvragen per second (offered)", [("p50", "#1f77b4", [(r["rate"], r["p50_ms"]) for r in by_rate]),
                                                        ("p99", "#d62728", [(r["rate"], r["p99_ms"]) for r in by_rate])]):
            plots.append(("latency against arrival rate", "latency-vs-rate.svg"))

    goals = []
    goal = pick(bronnen=20, records=100000, rate=50.0, entry="rest")
    if goal:
        g = goal[0]
        ok = g["p50_ms"] <= 25 and g["p99_ms"] <= 100 and g["errors"] == 0
        goals.append(f"- 20 bronnen x 100k at 50/s (REST): p50 {g['p50_ms']:.1f} ms (goal ≤ 25), p99 {g['p99_ms']:.1f} ms "
                     f"(goal ≤ 100), {g['errors']} errors: **{'met' if ok else 'not met'}**.")
    one, twenty, fifty = (pick(bronnen=b, records=10000, rate=20.0, entry="rest") for b in (1, 20, 50))
    if twenty:
        t = twenty[0]
        ratio = t["p50_ms"] * 1000 / t["floor_p50_us"]
        goals.append(f"- 20 bronnen (10k records each, from SQLite, not memory): p50 {ratio:.0f}x the broker floor "
                     f"(goal ≤ 3x): **{'met' if ratio <= 3 else 'not met'}**.")
    if one and fifty:
        ratio = fifty[0]["p50_ms"] / one[0]["p50_ms"]
        goals.append(f"- 50 bronnen against 1: p50 {ratio:.1f}x (goal ≤ 2x): **{'met' if ratio <= 2 else 'not met'}**.")
    # The aggregator's memory goal is for 200 zoekvragen in flight: the scenarios that reached that many
    # (a bron slower than the deadline keeps every zoekvraag open until the deadline, holding the answers of
    # the others), apart from the peak over all scenarios, which includes overload.
    for r in rows:
        if r.get("max_in_flight", 0) >= 200 and r["errors"] == 0 and r["achieved_per_s"] >= 0.95 * r["rate"]:
            mb, own = r["peak_mb"]["aggregator"], r["peak_mb"].get("aggregator_own")
            own_text = f"{own:.0f} MB of its own (anonymous) memory, " if own is not None else ""
            goals.append(f"- Aggregator at {r['max_in_flight']} zoekvragen in flight ({r['bronnen']} bronnen x {r['records']:,}, "
                         f"{r['rate']:g}/s, {('source.delay ' + r['delays']) if r.get('delays') else 'no source.delay'}, "
                         f"deadline {r.get('deadline_ms', 2000)} ms{', machine ' + busy(r) + ' busy' if 'machine' in r['cpu_s'] else ''}): peak "
                         f"{own_text}{mb:.0f} MB resident with its code (VmHWM) (goal ≤ 100 MB): "
                         f"**{'met' if mb <= 100 else 'not met'}**.")
    agg = max(r["peak_mb"]["aggregator"] for r in rows)
    ad = max(r["peak_mb"]["adapter_max"] for r in rows)
    own = [r["peak_mb"]["adapter_own_max"] for r in rows if "adapter_own_max" in r["peak_mb"]]
    own_text = (f"largest adapter {max(own):.0f} MB of its own memory (anonymous pages; goal ≤ 60 MB plus its SQLite cache: "
                f"**{'met' if max(own) <= 60 else 'not met'}**), {ad:.0f} MB counting file-backed pages too (the program's and "
                f"its libraries' code, shared by every adapter on the machine, and the pages of the memory-mapped store it touched)"
                if own else
                f"largest adapter {ad:.0f} MB (goal ≤ 60 MB plus its SQLite cache; the store is memory-mapped, so "
                f"the pages it touched count as resident)")
    goals.append(f"- Peak resident memory over all scenarios, overload included: aggregator {agg:.0f} MB, "
                 f"{own_text}.")

    day = datetime.date.today().isoformat()
    body = "\n".join(table)
    if goals:
        body += "\n\nAgainst the goals of issue 11:\n\n" + "\n".join(goals)
    if plots:
        body += "\n\n" + "\n".join(f"![{name}](plots/{file})" for name, file in plots)
    heading = (f"Measured {day} with `{command}` (release build; every daemon its own process beside one private "
               f"RabbitMQ node on this 2-core machine; {rows[0]['measured_seconds']:g} s measured per scenario after 3 s warm-up).")
    text = open(docs_path).read()
    start, end = "<!-- load-bench:start -->", "<!-- load-bench:end -->"
    if start not in text:
        raise SystemExit(f"{docs_path} has no load-bench markers")
    block = f"{start}\n{heading}\n\n{body}\n{end}"
    text = re.sub(re.escape(start) + ".*?" + re.escape(end), lambda m: block, text, flags=re.S)
    open(docs_path, "w").write(text)
    print(body)


main()
