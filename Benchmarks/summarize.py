"""Reads the figures of dagstack-bench (ours) and reference_bench.py (the reference) from one or more
passes, takes each figure's median over the passes, prints every figure and ratio as
`name: value unit`, and writes RESULTS.md with the targets of the benchmark issue.

    summarize.py RESULTS.md --ours ours.1.txt ours.2.txt ... --reference reference.1.txt ...
"""
import argparse
import datetime
import math
import os
import platform
import statistics


def parse(path):
    figures = {}
    for line in open(path):
        name, _, rest = line.partition(": ")
        if rest:
            value, _, unit = rest.strip().partition(" ")
            figures[name] = (float(value), unit)
    return figures


def median_of(paths):
    """Each figure's median over the passes that report it."""
    passes = [parse(p) for p in paths]
    names = list(dict.fromkeys(name for figures in passes for name in figures))
    return {name: (statistics.median(f[name][0] for f in passes if name in f),
                   next(f[name][1] for f in passes if name in f)) for name in names}


parser = argparse.ArgumentParser()
parser.add_argument("out")
parser.add_argument("--ours", nargs="+", required=True)
parser.add_argument("--reference", nargs="+", required=True)
args = parser.parse_args()
ours, ref, out = median_of(args.ours), median_of(args.reference), args.out
passes = len(args.ours)
lines, checks = [], []


def show(name, value, unit):
    text = f"{value:.3f}" if unit in ("ns", "us", "ms") else f"{value:.4g}"
    print(f"{name}: {text} {unit}".rstrip())
    lines.append((name, text, unit))


for name, (value, unit) in ours.items():
    show(name, value, unit)
for name, (value, unit) in ref.items():
    show("reference_" + name, value, unit)


def ratio(name, value, target, meets, note=""):
    show(name, value, "x")
    checks.append((name, f"{value:.3g}x", target, "yes" if meets else "**no**", note))


def v(d, k):
    return d[k][0] if k in d else float("nan")


for n in (1, 10, 100):
    r = v(ref, f"chain_dispatch_per_stage_n{n}") / v(ours, f"chain_dispatch_per_stage_n{n}")
    ratio(f"chain_dispatch_speedup_n{n}", r, ">= 30x faster than the reference", r >= 30)
growth = v(ours, "chain_dispatch_per_stage_n10_with_1000_unrelated") / v(ours, "chain_dispatch_per_stage_n10_alternating")
ratio("chain_dispatch_growth_with_1000_unrelated", growth, "does not grow (<= 1.2x)", growth <= 1.2)
ref_growth = v(ref, "chain_dispatch_per_stage_n10_with_1000_unrelated") / v(ref, "chain_dispatch_per_stage_n10")
show("reference_chain_dispatch_growth_with_1000_unrelated", ref_growth, "x")
t = v(ours, "trace_seed_chain_vs_floor")
ratio("trace_seed_chain_vs_python_echo_floor", t, "<= 1.5x the floor", t <= 1.5)
show("trace_seed_chain_vs_reference_in_process_dispatch", v(ours, "trace_seed_chain_python_host") / v(ref, "dispatch_seed_chain_in_process"), "x")
s = v(ours, "stdio_round_trip_p50") / v(ours, "stdio_raw_pipe_floor_p50")
ratio("stdio_round_trip_vs_floor_p50", s, "<= 1.5x the raw pipe floor", s <= 1.5)
s = v(ref, "stdio_round_trip_p50") / v(ours, "stdio_round_trip_p50")
ratio("stdio_speedup_vs_reference_p50", s, ">= 3x faster than MCPStdioAdapter", s >= 3)
s = v(ref, "stdio_round_trip_p99") / v(ours, "stdio_round_trip_p99")
ratio("stdio_speedup_vs_reference_p99", s, "(p99, reported)", True)
s = v(ours, "console_startup_plugins_kinds") / v(ref, "startup_import_discover_setup_plugins")
ratio("startup_vs_reference", s, "<= 0.2x the reference", s <= 0.2)
s = v(ours, "discover_and_setup_1000_python_plugins") / v(ref, "discover_and_setup_1000_python_plugins")
ratio("discover_setup_1000_vs_reference", s, "<= 0.5x the reference", s <= 0.5)
s = v(ours, "discover_1000_manifests") / v(ref, "discover_1000_manifests")
ratio("discover_manifests_1000_vs_reference", s, "<= 0.05x the reference's discover", s <= 0.05)
# The figures a plugin author feels at the console, each beside its floor.
p50, floor = v(ours, "console_startup_to_prompt_plugins"), v(ours, "python_start_import_json_floor")
show("startup_to_prompt_vs_python_floor", p50 / floor, "x")
checks.append(("startup_to_first_prompt_plugins", f"{p50:.0f} ms, {p50 / floor:.2g}x the floor",
               f"floor: the same Python starting and importing json, {floor:.0f} ms (no goal set)", "—", ""))
p50, p90 = v(ours, "reload_rerun_trace_after_edit_p50"), v(ours, "reload_rerun_trace_after_edit_p90")
checks.append(("reload_rerun_trace_after_edit", f"p50 {p50:.0f} ms, p90 {p90:.0f} ms",
               "<= 50 ms on plugins/ (p50)", "yes" if p50 <= 50 else "**no**", ""))
p50, p90, quiet = (v(ours, "watch_save_to_trace_shown_p50"), v(ours, "watch_save_to_trace_shown_p90"),
                   v(ours, "watch_quiet_time_floor"))
checks.append(("watch_save_to_trace_shown", f"p50 {p50:.0f} ms, p90 {p90:.0f} ms",
               f"<= 100 ms (p50); floor: the {quiet:.0f} ms quiet time a burst of saves is waited out",
               "yes" if p50 <= 100 else "**no**", ""))
replay_name = next((k for k in ours if k.startswith("replay_") and k.endswith("_python_traces")), "replay_python_traces")
r = v(ours, replay_name) / v(ref, replay_name)
show(replay_name + "_vs_reference", r, "x")
checks.append((replay_name, f"{v(ours, replay_name):.0f} commands/s, {r:.2g}x the reference",
               f"reference in process, same calls: {v(ref, replay_name):.0f} commands/s (no goal set)", "—", ""))
d = v(ours, "diff_one_change_1MB")
checks.append(("diff_one_change_1MB", f"{d:.2f} ms", "<= 20 ms", "yes" if d <= 20 else "**no**", ""))
curve = [(k, v(ours, f"diff_one_change_{k}"), v(ours, f"diff_one_change_{k}_bytes")) for k in ("10KB", "100KB", "1MB", "10MB")]
per_mb = [ms / (size / 1e6) for _, ms, size in curve]
# Near-linear: the exponent k of the least-squares fit ms ~ bytes^k over the curve (1 is linear, 2
# quadratic). Beyond ~1 MB the value no longer fits in the caches, which bends the curve a little.
xs, ys = [math.log(size) for _, _, size in curve], [math.log(ms) for _, ms, _ in curve]
mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
exponent = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
show("diff_curve_exponent", exponent, "")
checks.append(("diff_curve_10KB_to_10MB", f"time ~ size^{exponent:.2f}", "near-linear (exponent <= 1.2)",
               "yes" if exponent <= 1.2 else "**no**", ""))

with open(out, "w") as f:
    f.write("# Benchmark results\n\n")
    f.write(f"Measured {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC on {platform.node()} "
            f"({os.cpu_count()} cores, {platform.machine()}), release build. Each figure is the median of {passes} passes "
            "(each pass takes medians of many runs itself; ours and the reference's passes alternate); the reference is "
            "dagstack-plugin-system 0.4.1 in Benchmarks/.venv-bench, on the same workloads. "
            "Regenerate with `Benchmarks/run`.\n\n## Targets\n\n| Figure | Measured | Target | Met |\n|---|---|---|---|\n")
    for name, value, target, met, note in checks:
        f.write(f"| {name} | {value} | {target} | {met} |\n")
    f.write("\n## Diff curve (one change)\n\n| Size | Bytes | ms | ms per MB |\n|---|---|---|---|\n")
    for (label, ms, size), pm in zip(curve, per_mb):
        f.write(f"| {label} | {int(size)} | {ms:.3f} | {pm:.3f} |\n")
    f.write("\n## All figures\n\n| Name | Value | Unit |\n|---|---|---|\n")
    for name, text, unit in lines:
        f.write(f"| {name} | {text} | {unit} |\n")
    notes = os.path.join(os.path.dirname(os.path.abspath(out)), "NOTES.md")
    if os.path.exists(notes):
        f.write("\n" + open(notes).read())
