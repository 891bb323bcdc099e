#!/usr/bin/env python3
"""Summarizes the raw runs bench/load.sh writes, one table row per target.

Medians, not means: a run disturbed by something else on the machine should not
move the result. Two ratios to the ceiling are given: the ratio of the medians,
and the median of the per-round ratios. The second compares runs taken minutes
apart, so slow drift of the machine's speed cancels out; trust it when the two
disagree.

Usage: bench/summarize.py [--ceiling NAME] RUNS.csv
"""

import argparse
import csv
import statistics
import sys


def median(values):
    return statistics.median(values) if values else float("nan")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("csv")
    ap.add_argument("--ceiling", help='target ratios are relative to (default "ceiling", else the first)')
    args = ap.parse_args()

    with open(args.csv, newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows:
        sys.exit(f"{args.csv}: no runs")

    targets = list(dict.fromkeys(r["target"] for r in rows))  # order of first appearance
    ceiling = args.ceiling or ("ceiling" if "ceiling" in targets else targets[0])
    if ceiling not in targets:
        sys.exit(f"--ceiling {ceiling}: no such target in {args.csv}")

    # by[target][round] = row
    by = {t: {} for t in targets}
    for r in rows:
        by[r["target"]][int(r["round"])] = r

    def col(target, name):
        return [float(r[name]) for r in by[target].values()]

    def per_round_ratio(target, name):
        rounds = by[target].keys() & by[ceiling].keys()
        return [float(by[target][k][name]) / float(by[ceiling][k][name])
                for k in sorted(rounds) if float(by[ceiling][k][name]) > 0]

    ceil_rps = median(col(ceiling, "rps"))
    header = ("target", "runs", "req/s", "min–max", "p50 µs", "p99 µs", "CPU µs/req",
              "CPU×", "srv CPU%", "other%", "wrk CPU%", "RSS kB", "÷ceil med", "÷ceil rnd")
    table = []
    notes = []
    for t in targets:
        rps = col(t, "rps")
        rss_start, rss_end = median(col(t, "rss_start_kb")), median(col(t, "rss_end_kb"))
        # Busy time on the server's core that was not the server: other processes,
        # interrupts. Anything sizeable means the run was disturbed.
        other = median([float(r["server_core_busy_pct"]) - float(r["server_cpu_pct"]) for r in by[t].values()])
        table.append((
            t,
            str(len(rps)),
            f"{median(rps):,.0f}",
            f"{min(rps) / 1000:,.0f}k–{max(rps) / 1000:,.0f}k",
            f"{median(col(t, 'p50_us')):,.0f}",
            f"{median(col(t, 'p99_us')):,.0f}",
            f"{median(col(t, 'cpu_us_per_req')):.2f}",
            f"{median(per_round_ratio(t, 'cpu_us_per_req')):.2f}",
            f"{median(col(t, 'server_cpu_pct')):.0f}",
            f"{other:.0f}",
            f"{median(col(t, 'wrk_cpu_pct')):.0f}",
            f"{rss_start:,.0f}→{rss_end:,.0f}",
            f"{median(rps) / ceil_rps:.3f}" if ceil_rps > 0 else "-",
            f"{median(per_round_ratio(t, 'rps')):.3f}",
        ))
        errors = sum(int(r["socket_errors"]) + int(r["non_2xx"]) for r in by[t].values())
        if errors:
            notes.append(f"{t}: {errors} socket errors or non-2xx responses across its runs")
        if other >= 10:
            notes.append(f"{t}: ~{other:.0f}% of the server's core went to something else "
                         "(other processes, interrupts); its numbers are disturbed")
        if median(col(t, "wrk_cpu_pct")) >= 90:
            notes.append(f"{t}: wrk used ~{median(col(t, 'wrk_cpu_pct')):.0f}% of its core, so its "
                         "req/s is bounded by the client; compare CPU µs/req instead")

    widths = [max(len(h), *(len(row[i]) for row in table)) for i, h in enumerate(header)]
    line = lambda cells: "  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                                   for i, (c, w) in enumerate(zip(cells, widths)))
    print(line(header))
    print("  ".join("-" * w for w in widths))
    for row in table:
        print(line(row))
    print()
    print(f"medians over rounds; ÷ceil med = median req/s ÷ {ceiling}'s median, "
          f"÷ceil rnd = median of per-round ratios;")
    print(f"CPU× = median per-round ratio of server CPU per request to {ceiling}'s; "
          "other% = busy time on the server's core not spent by the server;")
    print("RSS = after start → after the run")
    for n in notes:
        print("note: " + n)


if __name__ == "__main__":
    main()
