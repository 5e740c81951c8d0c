"""Turns the repeated runs into medians and writes the Markdown table and the TSV."""
import statistics

SYSTEMS = ["direct", "resplit", "nutcracker"]


def _median(values):
    return statistics.median(values) if values else float("nan")


def summarize(samples, cases):
    """samples[(case, system)] -> list of dicts with rps, p50_ms, p99_ms, cpu_us, reads; rows in
    the order of `cases`, then SYSTEMS."""
    rows = []
    for (case, system), runs in samples.items():
        rows.append({
            "case": case.name,
            "system": system,
            "rps": _median([r["rps"] for r in runs]),
            "p50_ms": _median([r["p50_ms"] for r in runs]),
            "p99_ms": _median([r["p99_ms"] for r in runs]),
            "cpu_us": _median([r["cpu_us"] for r in runs if r["cpu_us"] is not None]),
            "reads": runs[-1]["reads"],
            "runs": len(runs),
        })
    direct = {r["case"]: r["rps"] for r in rows if r["system"] == "direct"}
    for r in rows:
        r["ratio"] = r["rps"] / direct[r["case"]] if direct.get(r["case"]) else float("nan")
    case_order = {c.name: i for i, c in enumerate(cases)}
    system_order = {s: i for i, s in enumerate(SYSTEMS)}
    return sorted(rows, key=lambda r: (case_order[r["case"]], system_order[r["system"]]))


def _fmt(value, spec):
    return "—" if value != value else format(value, spec)  # NaN -> dash


def markdown(rows, memory, header_lines):
    out = list(header_lines)
    out += ["", "| case | system | ops/s | × direct | p50 ms | p99 ms | proxy CPU µs/op | GETs served by |",
            "|---|---|---:|---:|---:|---:|---:|---|"]
    for r in rows:
        out.append(f"| {r['case']} | {r['system']} | {r['rps']:,.0f} | {_fmt(r['ratio'], '.2f')} | "
                   f"{r['p50_ms']:.3f} | {r['p99_ms']:.3f} | {_fmt(r['cpu_us'], '.2f')} | "
                   f"{r['reads'] or '—'} |")
    out += ["", "| proxy | idle RSS KiB | peak RSS KiB |", "|---|---:|---:|"]
    for name, (idle, peak) in memory.items():
        out.append(f"| {name} | {idle:,} | {peak:,} |")
    return "\n".join(out) + "\n"


def tsv(rows):
    cols = ["case", "system", "rps", "ratio", "p50_ms", "p99_ms", "cpu_us", "reads", "runs"]
    lines = ["\t".join(cols)]
    for r in rows:
        lines.append("\t".join(str(r[c]) for c in cols))
    return "\n".join(lines) + "\n"
