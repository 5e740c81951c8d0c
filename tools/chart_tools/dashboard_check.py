#!/usr/bin/env python3
"""Offline checks of Grafana dashboards and Prometheus rule files.

  dashboard_check.py structure DASHBOARD.json
      fixed uid, a `datasource` variable used by every panel and target, no __inputs/__requires,
      unique panel ids, schemaVersion present.
  dashboard_check.py promql-rules DASHBOARD.json > exprs.rules.yaml
      every PromQL expression of the dashboard (panel targets, query variables, annotations) as a
      recording rule, with Grafana's variables replaced, for `promtool check rules` to parse.
  dashboard_check.py names KNOWN_NAMES FILE...
      every metric name used by the dashboards (.json) and rule files (.yaml) is one of the known
      names (one a line) or a recording rule defined in the rule files given.
"""
import json
import re
import sys

import yaml

GRAFANA_VARS = {"$__rate_interval": "5m", "$__interval": "1m", "$__range": "1h",
                "${__rate_interval}": "5m", "${__interval}": "1m", "${__range}": "1h"}
PROMQL_WORDS = {"and", "or", "unless", "by", "without", "on", "ignoring", "group_left",
                "group_right", "bool", "offset", "inf", "nan", "atan2", "start", "end"}


def dashboard_exprs(dash):
    """(where, expr) for every PromQL expression in a dashboard."""
    out = []

    def panels(items):
        for p in items:
            yield p
            yield from panels(p.get("panels", []))

    for p in panels(dash.get("panels", [])):
        for t in p.get("targets", []):
            if t.get("expr"):
                out.append((f'panel {p.get("id")} "{p.get("title")}" {t.get("refId")}', t["expr"]))
    for v in dash.get("templating", {}).get("list", []):
        if v.get("type") != "query":
            continue
        q = v.get("query")
        q = q.get("query", "") if isinstance(q, dict) else (q or "")
        m = re.fullmatch(r"\s*label_values\((.*),\s*[A-Za-z_][A-Za-z0-9_]*\s*\)\s*", q, re.S)
        if m:
            q = m.group(1)
        elif re.fullmatch(r"\s*label_values\(\s*[A-Za-z_][A-Za-z0-9_]*\s*\)\s*", q):
            continue
        else:
            m = re.fullmatch(r"\s*query_result\((.*)\)\s*", q, re.S)
            q = m.group(1) if m else q
        out.append((f'variable {v.get("name")}', q))
    for a in dash.get("annotations", {}).get("list", []):
        if a.get("expr"):
            out.append((f'annotation {a.get("name")}', a["expr"]))
    return out


def substitute(expr):
    for k, v in GRAFANA_VARS.items():
        expr = expr.replace(k, v)
    return re.sub(r"\$\{?[A-Za-z_][A-Za-z0-9_]*(:[a-z]+)?\}?", "x", expr)


def metric_names(expr):
    """Metric names in a PromQL expression: identifiers that are not functions, keywords, label
    names (inside {} or by/on/... lists), durations or string contents."""
    e = re.sub(r'"(\\.|[^"\\])*"|\'(\\.|[^\'\\])*\'|`[^`]*`', '""', expr)
    e = re.sub(r"\{[^}]*\}", "{}", e)
    e = re.sub(r"\[[^\]]*\]", "[]", e)
    e = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", e)
    names = set()
    for m in re.finditer(r"(?<![\w:.])([A-Za-z_:][A-Za-z0-9_:]*)(\s*\()?", e):
        word, call = m.group(1), m.group(2)
        if call or word.lower() in PROMQL_WORDS:
            continue
        names.add(word)
    return names


def rule_file_exprs(path):
    doc = yaml.safe_load(open(path))
    exprs, recorded = [], set()
    for g in doc.get("groups", []):
        for r in g.get("rules", []):
            exprs.append((f'{path}: {r.get("alert") or r.get("record")}', str(r["expr"])))
            if r.get("record"):
                recorded.add(r["record"])
    return exprs, recorded


def structure(path):
    d = json.load(open(path))
    errors = []
    if "__inputs" in d or "__requires" in d:
        errors.append("has __inputs/__requires: Grafana's sidecar does not substitute them")
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,40}", str(d.get("uid", ""))):
        errors.append("no fixed uid")
    if "schemaVersion" not in d:
        errors.append("no schemaVersion")
    variables = d.get("templating", {}).get("list", [])
    if not any(v.get("name") == "datasource" and v.get("type") == "datasource" for v in variables):
        errors.append("no `datasource` variable of type datasource")
    ids = []

    def walk(items):
        for p in items:
            ids.append(p.get("id"))
            if p.get("type") != "row":
                for where in [p] + p.get("targets", []):
                    ds = where.get("datasource")
                    if not isinstance(ds, dict) or ds.get("uid") != "${datasource}":
                        errors.append(f'panel {p.get("id")} "{p.get("title")}": datasource is {ds!r}, '
                                      'not ${datasource}')
            walk(p.get("panels", []))

    walk(d.get("panels", []))
    if len(ids) != len(set(ids)) or None in ids:
        errors.append(f"panel ids missing or not unique: {ids}")
    return errors


def main(argv):
    if len(argv) >= 3 and argv[1] == "structure":
        errors = structure(argv[2])
        for e in errors:
            print(f"{argv[2]}: {e}")
        return 1 if errors else 0
    if len(argv) >= 3 and argv[1] == "promql-rules":
        exprs = dashboard_exprs(json.load(open(argv[2])))
        rules = [{"record": f"dashboard_expr_{i}", "expr": substitute(e)} for i, (_, e) in enumerate(exprs)]
        for i, (where, _) in enumerate(exprs):
            print(f"# dashboard_expr_{i}: {where}")
        print(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}, sort_keys=False))
        return 0 if rules else 1
    if len(argv) >= 4 and argv[1] == "names":
        known = {l.split("\t")[0].strip() for l in open(argv[2]) if l.strip() and not l.startswith("#")}
        exprs = []
        for path in argv[3:]:
            if path.endswith(".json"):
                exprs += [(f"{path}: {w}", substitute(e)) for w, e in dashboard_exprs(json.load(open(path)))]
            else:
                found, recorded = rule_file_exprs(path)
                exprs += found
                known |= recorded
        unknown = 0
        for where, e in exprs:
            for name in sorted(metric_names(e) - known):
                print(f"{where}: unknown metric {name}")
                unknown += 1
        print(f"{len(exprs)} expressions, {unknown} unknown metric names")
        return 1 if unknown or not exprs else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
