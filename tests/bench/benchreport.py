"""What the benchmarks' reports share (bench.sh, toolbox-bench.sh): hyperfine's
results by name, times in ms, ratios, and the targets, printed and written
one line 1 or 0 each to a file for --check."""

import json


def load(path):
    """hyperfine's results in its JSON file, in order, and by command name."""
    results = json.load(open(path))["results"]
    return results, {r["command"]: r for r in results}


def ms(x):
    return f"{x * 1000:.2f}"


def ratio(x, ref):
    return f"{x / ref:.2f}" if x is not None and ref else "n/a"


def mean_ms(r):
    return f"{ms(r['mean'])} ± {ms(r['stddev'] or 0)}"


def print_targets(groups, path):
    """groups: (title, [(text, met)]) pairs; met None: not measured, a miss."""
    met_all = []
    for title, targets in groups:
        print()
        print(f"{title}:")
        for text, met in targets:
            mark = "x" if met else " "
            print(f"- [{mark}] {text}" + ("" if met is not None else " (not measured)"))
            met_all.append(bool(met))
    with open(path, "w") as f:
        f.write("".join("1\n" if met else "0\n" for met in met_all))
