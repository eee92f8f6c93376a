#!/usr/bin/env python3
"""Markdown tables of a benchmark run: `python3 bench/report.py results.json`, where the JSON
is what `BENCH_JSON=results.json bash bench/run.sh` wrote."""

import json
import sys


def number(value, digits=1):
    return "–" if value is None else f"{value:,.{digits}f}".replace(",", " ")


def main(path):
    results = json.load(open(path))
    machine = results["machine"]
    print(f"Machine: {machine['cores']} cores ({machine['cpu']}), {machine['memory_gib']} GiB, "
          f"PostgreSQL {machine['postgresql']}, {machine['date']}.")
    print()
    print("Dataset: " + ", ".join(f"{v:,} {k}".replace(",", " ") for k, v in results["dataset"].items()) + ".")
    print()
    print(f"Start-up to ready (migrations current): {results['ready_seconds'] * 1000:.0f} ms.")
    for scenario in results["scenarios"]:
        print()
        print(f"### {scenario['name']}")
        print()
        print("| case | connections | requests/s | p50 ms | p99 ms | errors | peak RSS MiB | pgbench tx/s | API ÷ pgbench |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for run in scenario["runs"]:
            case = run.get("case", "")
            if "confirmed" in run:
                case = f"confirmed {run['confirmed']}, waitlisted {run['waitlisted']}"
                outcome = run.get("pgbench_outcome")
                if outcome:
                    case += f" (pgbench: {outcome['confirmed']} of {outcome['total']})"
            print(f"| {case} | {run.get('connections', '–')} | {number(run['rps'])} | "
                  f"{number(run.get('p50_ms'), 2)} | {number(run.get('p99_ms'), 2)} | {run['errors']} | "
                  f"{number(run.get('peak_rss_mib'))} | {number(run.get('pgbench_tps'))} | "
                  f"{number(run.get('ratio'), 2)} |")
            if "socket_p99_ms" in run:
                print(f"| the same at the server's socket (tcpdump) | | | "
                      f"{number(run.get('socket_p50_ms'), 2)} | {number(run['socket_p99_ms'], 2)} | | | | |")
            if "p99_ratio" in run:
                print(f"| p99 with the flood ÷ without | | | | {run['p99_ratio']} | | | | |")
            if run.get("socket_p99_ratio") is not None:
                print(f"| the same at the server's socket | | | | {run['socket_p99_ratio']} | | | | |")
    for name, plans in results.get("plans", {}).items():
        for n, plan in enumerate(plans, 1):
            print()
            print(f"#### {name}, statement {n} of {len(plans)}")
            print()
            print("```")
            print(plan)
            print("```")


if __name__ == "__main__":
    main(sys.argv[1])
