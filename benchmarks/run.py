"""Benchmarks on the full-scale synthetic register (`make bench`; not part of `make test`).

Each step runs in its own process so that its wall time and peak memory are its own, on the
default register (2017-2022) and on fifteen years (2010-2024); then the side by side with plain
DuckDB SQL on both. Results go to benchmarks/results.json and a readable benchmarks/results.md.

    python benchmarks/run.py [--scale 1.0] [--skip-build-all] [--reuse-data] [--only STEP,...]
"""
import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from importlib.metadata import version
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = HERE / "data"  # git-ignored
LONG_SPAN = "2010-2024"  # the fifteen-year register of a later edition (the default is 2017-2022)
LONG = "_" + LONG_SPAN.replace("-", "_")  # the suffix of its steps
TARGETS = {"synth": 90, "convert": 120, "compute": 20, "package": 20, "build_national": 180, "build_all": 20 * 60,
           f"compute{LONG}": 50, f"package{LONG}": 50}
MEMORY_TARGET_GB = {"convert": 2, "compute": 2.5, "package": 2.5, "build_all": 1.5,
                    f"compute{LONG}": 4, f"package{LONG}": 4}
DUCKDB_RATIO_TARGET = 1.0  # roret (loading and validation included) against plain DuckDB SQL
ROR = [sys.executable, "-m", "analysis.cli"]


def measured(name: str, command: list[str]) -> dict:
    """Run a command; its wall time, peak resident memory (largest process) and exit status."""
    print(f"== {name}: {' '.join(command[2:] if command[:2] == ROR[:2] else command)}", flush=True)
    started = time.perf_counter()
    wrapper = [sys.executable, str(HERE / "peak.py"), *command]
    result = subprocess.run(wrapper, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    peak_kb = int(result.stdout.strip().splitlines()[-1]) if result.stdout.strip() else 0
    if result.returncode != 0:
        print(result.stderr[-3000:], file=sys.stderr)
    return {"seconds": round(seconds, 1), "peak_memory_gb": round(peak_kb / 1024 ** 2, 2),
            "exit_status": result.returncode, "target_seconds": TARGETS.get(name),
            "target_memory_gb": MEMORY_TARGET_GB.get(name), "version": version("roret")}


def size_mb(directory: Path) -> float:
    return round(sum(p.stat().st_size for p in directory.rglob("*") if p.is_file()) / 1e6, 1)


def machine() -> dict:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024 ** 3
    return {"cores": os.cpu_count(), "memory_gb": round(memory, 1), "python": platform.python_version(),
            "platform": platform.platform(),
            "packages": {p: version(p) for p in ("roret", "pandas", "numpy", "pyarrow", "duckdb", "jupyter-book")}}


def ratio_status(row: dict) -> str:
    """A side-by-side row's status against the aim (rows from before 0.15.0 have no `aim`: all held to it)."""
    if not row.get("aim", True):
        return "bound, no aim"
    return "met" if row["ratio"] <= DUCKDB_RATIO_TARGET else "NOT met"


def summary(results: dict) -> str:
    lines = ["# Benchmark results", "", f"Machine: {results['machine']['cores']} cores, "
             f"{results['machine']['memory_gb']} GB, Python {results['machine']['python']}; "
             f"scale {results['scale']} ({results['persons']:,} persons).", "",
             "| step | version | seconds | target | peak GB | status |", "|---|---|---:|---:|---:|---|"]
    for name, step in results["steps"].items():
        target = step.get("target_seconds")
        met = "" if target is None else ("met" if step["seconds"] <= target else "NOT met")
        memory = step.get("target_memory_gb")
        if memory is not None and step["peak_memory_gb"] > memory:
            met += " (memory NOT met)"
        status = "failed" if step["exit_status"] else met
        lines.append(f"| {name} | {step.get('version', '')} | {step['seconds']} | {target or ''} | "
                     f"{step['peak_memory_gb']} | {status} |")
    for key, register in (("duckdb", "2017-2022"), (f"duckdb{LONG}", LONG_SPAN)):
        duck = results.get(key)
        if not duck:
            continue
        lines += ["", f"Side by side with plain DuckDB SQL over the same Parquet files, register {register} "
                  f"(results asserted equal; target ratio at most {DUCKDB_RATIO_TARGET}):", "",
                  "| computation | roret s | DuckDB s | ratio | status |", "|---|---:|---:|---:|---|"]
        lines += [f"| {name} | {row['roret_seconds']} | {row['duckdb_seconds']} | {row['ratio']} | "
                  f"{ratio_status(row)} |" for name, row in duck.items() if isinstance(row, dict)]
        lines += ["", "Every table of the result package that plain SQL can compute (counts for landsplan, the "
                  "regions and every municipality before disclosure control; SØM's cohort sizes and raw estimates). "
                  "Each SQL query reads the Parquet files itself; roret's time for a table is what it adds in a run "
                  "on the loaded extract (the target group, derived for the first table, serves the others). "
                  "all_tables adds these times up, one table after the other. The last row is the time of a run "
                  "as `roret package` makes these tables, from the files: loading and validation (which reads "
                  "every row of every table; the SQL validates nothing), then SØM's part on the second core beside "
                  "the counts — the whole table set, loading and validation included, that issue #21 compares. "
                  "all_tables_with_loading_and_validation, a bound shown without an aim, adds roret's loading and "
                  f"validation ({duck['roret_load_and_validate_seconds']} s) to the one-after-the-other times, as if "
                  "SØM's part did not run beside the counts."]
    extra = {k: v for k, v in results.items() if k.endswith("_mb")}
    if extra:
        lines += ["", *(f"- {k}: {v}" for k, v in extra.items())]
    return "\n".join(lines) + "\n"


def step_commands(data: Path, long_data: Path, out: Path, scale: float, build_all: bool) -> dict[str, list[str]]:
    """Every step's command, in the order they run (a step may use an earlier one's output)."""
    package, dst = out / "pakke", WORK / "dst"
    steps = {
        "synth": [*ROR, "synth", "--out", str(data), "--scale", str(scale)],
        "validate": [*ROR, "validate", "--data", str(data)],
        "compute": [*ROR, "compute", "--data", str(data), "--out", str(out / "tables")],
        "build_national": [*ROR, "build", "--data", str(data), "--out", str(out / "national")],
        "build_municipal": [*ROR, "build", "--data", str(data), "--out", str(out / "751"), "--kommune", "751"],
        "package": [*ROR, "package", "--data", str(data), "--out", str(package)],
        "build_municipal_from_package": [*ROR, "build", "--pakke", str(package), "--out", str(out / "751-pakke"),
                                         "--kommune", "751"],
        # The DST path: the same register as DST-style SAS files, converted back to the extract.
        "synth_dst": [*ROR, "synth", "--format", "dst", "--out", str(dst), "--scale", str(scale)],
        "convert": [*ROR, "convert", "--kilde", str(HERE.parent / "examples" / "dst" / "kilde.yml"),
                    "--data", str(dst), "--out", str(out / "konverteret")],
    }
    steps |= {  # the same on fifteen years of registers
        f"synth{LONG}": [*ROR, "synth", "--aar", LONG_SPAN, "--out", str(long_data), "--scale", str(scale)],
        f"validate{LONG}": [*ROR, "validate", "--data", str(long_data)],
        f"compute{LONG}": [*ROR, "compute", "--data", str(long_data), "--out", str(out / f"tables{LONG}")],
        f"package{LONG}": [*ROR, "package", "--data", str(long_data), "--out", str(out / f"pakke{LONG}")],
    }
    if build_all:  # the 98 books from the package (outside DST), and from the extract (inside)
        steps["build_all"] = [*ROR, "build-all", "--pakke", str(package), "--out", str(out / "all")]
        steps["build_all_from_extract"] = [*ROR, "build-all", "--data", str(data), "--out", str(out / "all-udtraek")]
    return steps


def main() -> int:
    options = argparse.ArgumentParser(description=__doc__)
    options.add_argument("--scale", type=float, default=1.0)
    options.add_argument("--skip-build-all", action="store_true", help="leave out the 98 municipal books")
    options.add_argument("--reuse-data", action="store_true", help="keep an existing synthetic extract")
    options.add_argument("--only", help="comma-separated steps to run again, e.g. synth_dst,convert,duckdb; the "
                                        "other steps' results in results.json are kept")
    options.add_argument("--summary-only", action="store_true", help="rewrite results.md from results.json")
    args = options.parse_args()
    if args.summary_only:
        (HERE / "results.md").write_text(summary(json.loads((HERE / "results.json").read_text())))
        return 0
    data, long_data, out = WORK / "synthetic", WORK / f"synthetic{LONG}", WORK / "out"
    shutil.rmtree(out, ignore_errors=True)  # the benchmark's own scratch outputs: every step builds anew
    commands = step_commands(data, long_data, out, args.scale, not args.skip_build_all)
    chosen = args.only.split(",") if args.only else [*commands, "duckdb"]
    side_by_side = "duckdb" in chosen
    chosen = [name for name in chosen if name != "duckdb"]
    unknown = [name for name in chosen if name not in commands]
    if unknown:
        sys.exit(f"unknown step(s) {', '.join(unknown)}; the steps: {', '.join(commands)}")
    for synth, directory in (("synth", data), (f"synth{LONG}", long_data)):
        if synth in chosen and args.reuse_data and (directory / "syntetisk.json").is_file():
            chosen.remove(synth)
        if synth in chosen:
            shutil.rmtree(directory, ignore_errors=True)
    if any(name.endswith("from_package") for name in chosen) and "package" not in chosen:
        chosen.insert(0, "package")  # its output is needed
    results = json.loads((HERE / "results.json").read_text()) if args.only else {"steps": {}}
    steps = results["steps"]
    for name in [n for n in commands if n in chosen]:
        steps[name] = measured(name, commands[name])
    shutil.rmtree(WORK / "dst", ignore_errors=True)
    duck_failed = []
    if side_by_side:
        for key, directory in (("duckdb", data), (f"duckdb{LONG}", long_data)):
            duck = subprocess.run([sys.executable, str(HERE / "duckdb_side_by_side.py"), str(directory)],
                                  capture_output=True, text=True)
            if duck.returncode != 0:
                print(duck.stderr[-3000:], file=sys.stderr)
                duck_failed.append(key)
            results[key] = json.loads(duck.stdout) if duck.returncode == 0 else None
    persons = json.loads((data / "syntetisk.json").read_text()).get("personer")
    results.update({"machine": machine(), "scale": args.scale, "persons": persons or 0, "extract_mb": size_mb(data)})
    if long_data.is_dir():
        results[f"extract{LONG}_mb"] = size_mb(long_data)
    (HERE / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    (HERE / "results.md").write_text(summary(results))
    print(summary(results))
    failed = [n for n in chosen if steps[n]["exit_status"]] + duck_failed
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
