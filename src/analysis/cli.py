"""The `roret` command line (DESIGN.md): synth, convert, validate, package, compute, build, build-all, verify.

Each command imports the modules it runs, so that `roret validate`, `compute` and `package` start
without loading the book's tools (Jupyter, Sphinx) or the SAS reader."""
import argparse
import sys
import time
from pathlib import Path

import pyarrow

from . import __version__, rowkeys
from .codes import YEARS, year_span
from .contract import load_extract
from .errors import RoretError
from .interrupts import Terminated, handled
from .params import Params


def _progress():
    started = time.perf_counter()

    def report(message: str) -> None:
        sys.stderr.write(f"[{time.perf_counter() - started:7.1f}s] {message}\n")  # one write: notebooks run in threads
        sys.stderr.flush()
    return report


def _synth(args) -> None:
    from .dst_synth import write_dst
    from .synth import write_synthetic

    write = write_dst if args.format == "dst" else write_synthetic
    write(args.out, scale=args.scale, seed=args.seed, years=args.aar, progress=_progress())


def _convert(args) -> int:
    from .convert import check, convert

    if args.check:
        report = check(args.kilde, args.data)
        print("\n".join(report.lines))
        print(f"{len(report.problems)} problem(s)" if report.problems else
              "no problems: the registers match the source file")
        return 1 if report.problems else 0
    if args.out is None:
        raise RoretError("--out is needed (or --check for a dry run)")
    rows = convert(args.kilde, args.out, args.data, progress=_progress())
    print(f"converted: {args.out} — " + ", ".join(f"{table} {n:,} rows" for table, n in rows.items()))
    print(f"next: roret validate --data {args.out}")
    return 0


def _validate(args) -> None:
    extract = load_extract(args.data)
    if args.params is not None:
        _params(args).check_years(extract.years())
    for note in extract.notes:
        print(f"note: {note}")
    years, index = extract.years(), extract.resident_keys()
    persons = rowkeys.distinct(extract.bopael, ["pnr"]) if index is None else len(index.values("pnr"))
    print(f"valid: {args.data} — {persons:,} persons, years {years[0]}–{years[-1]}, "
          f"{len(extract.ydelser):,} service rows")


def _params(args) -> Params:
    return Params.load(args.params, kommune=getattr(args, "kommune", None))


def _compute(args) -> None:
    from .build import compute

    compute(args.data, args.out, _params(args), progress=_progress(), params_file=args.params)


def _package(args) -> None:
    from .build import make_package

    make_package(args.data, args.out, _params(args), progress=_progress(), params_file=args.params)


def _build(args) -> None:
    from .build import build, open_source

    progress = _progress()
    source, params = open_source(args.data, args.pakke, args.out, "publikation", args.params, progress,
                                 kommune=args.kommune)
    build(source, args.out, params, pdf=not args.no_pdf, progress=progress, params_file=args.params)


def _build_all(args) -> int:
    from .batch import DEFAULT_JOBS, build_all, municipalities_to_build
    from .build import open_source

    progress = _progress()
    municipalities_to_build(args.kommuner)  # before the extract is loaded
    source, params = open_source(args.data, args.pakke, args.out, "publikationer", args.params, progress)
    summary = build_all(source, args.out, params, jobs=args.jobs or DEFAULT_JOBS, pdf=not args.no_pdf,
                        kommuner=args.kommuner, progress=progress, params_file=args.params)
    print("\n".join(summary.lines()))
    print(f"index: {args.out / 'index.html'}")
    return 1 if summary.failed else 0


def _municipality_list(text: str) -> list[int]:
    try:
        return [int(code) for code in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated municipality codes, got {text!r}") from None


def _verify(args) -> int:
    from .verify import verify

    differences = verify(args.out, args.data, progress=_progress())
    if differences:
        print(f"NOT VERIFIED: {args.out} differs from its recomputation in {len(differences)} place(s):")
        for difference in differences[:20]:
            print(f"  - {difference}")
        return 1
    print(f"VERIFIED: {args.out} — every table, the disclosure audit and (in a publication) every notebook "
          "output recomputed identically")
    return 0


def _source_arguments(command: argparse.ArgumentParser, package_allowed: bool) -> None:
    if not package_allowed:
        command.add_argument("--data", type=Path, required=True)
        return
    source = command.add_mutually_exclusive_group(required=True)
    source.add_argument("--data", type=Path, help="a register extract (inside DST)")
    source.add_argument("--pakke", type=Path, help="a result package (roret package): no microdata needed")


def _year_span(text: str) -> tuple[int, ...]:
    try:
        return year_span(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="roret", description=__doc__)
    main.add_argument("--version", action="version", version=f"roret {__version__}")
    commands = main.add_subparsers(dest="command", required=True)

    synth = commands.add_parser("synth", help="write a synthetic register extract")
    synth.add_argument("--out", type=Path, required=True)
    synth.add_argument("--scale", type=float, default=1.0, help="1.0 = national size (default)")
    synth.add_argument("--seed", type=int, default=2024)
    synth.add_argument("--aar", type=_year_span, default=YEARS, metavar="2017-2022",
                       help=f"the years the register covers (default {YEARS[0]}-{YEARS[-1]})")
    synth.add_argument("--format", choices=("kontrakt", "dst"), default="kontrakt",
                       help="kontrakt: the extract itself (default); dst: DST-style SAS registers for roret convert")
    synth.set_defaults(run=_synth)

    convert_ = commands.add_parser("convert", help="registers (SAS, Parquet, CSV) -> a contract extract, "
                                                   "as a source file (kilde.yml) maps them")
    convert_.add_argument("--kilde", type=Path, required=True, help="the source file (see examples/dst/kilde.yml)")
    convert_.add_argument("--data", type=Path, help="the register directory (overrides the source file's 'data')")
    convert_.add_argument("--out", type=Path, help="the extract directory to write")
    convert_.add_argument("--check", action="store_true", help="dry run: report files, variables, codes and "
                                                               "years; write nothing")
    convert_.set_defaults(run=_convert)

    validate = commands.add_parser("validate", help="check an extract against the data contract")
    validate.add_argument("--data", type=Path, required=True)
    validate.add_argument("--params", type=Path, help="also check the years these parameters need (YAML)")
    validate.set_defaults(run=_validate)

    package = commands.add_parser("package", help="the result package of an extract: protected aggregates for "
                                                  "every area, to take out of DST")
    package.add_argument("--data", type=Path, required=True)
    package.add_argument("--out", type=Path, required=True)
    package.add_argument("--params", type=Path, help="parameters file (YAML)")
    package.set_defaults(run=_package)

    for name, run, text in (("compute", _compute, "tables and manifest, no notebooks"),
                            ("build", _build, "the whole publication: tables, notebooks, HTML, PDF")):
        command = commands.add_parser(name, help=text)
        _source_arguments(command, package_allowed=name == "build")
        command.add_argument("--out", type=Path, required=True)
        command.add_argument("--params", type=Path, help="parameters file (YAML)")
        command.add_argument("--kommune", type=int, help="municipality code (overrides the parameters file)")
        if name == "build":
            command.add_argument("--no-pdf", action="store_true", help="build HTML only")
        command.set_defaults(run=run)
    every = commands.add_parser("build-all", help="one publication per municipality, and an index page")
    _source_arguments(every, package_allowed=True)
    every.add_argument("--out", type=Path, required=True)
    every.add_argument("--jobs", type=int, help="publications built at a time (default: cores + 1)")
    every.add_argument("--params", type=Path, help="parameters file (YAML); its kommune is ignored")
    every.add_argument("--kommuner", type=_municipality_list, help="only these codes, e.g. 101,751 (default all 98)")
    every.add_argument("--no-pdf", action="store_true", help="build HTML only")
    every.set_defaults(run=_build_all, kommune=None)

    verify_ = commands.add_parser("verify", help="recompute a publication or a result package and compare")
    verify_.add_argument("out", type=Path, help="a publication (roret build) or a result package (roret package)")
    verify_.add_argument("--data", type=Path, help="the extract: a package's, or a publication's if it has moved")
    verify_.set_defaults(run=_verify)
    return main


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    # Arrow's own Ctrl-C handling can drop a Ctrl-C that arrives while it reads Parquet; Python's
    # then raises KeyboardInterrupt as soon as the read returns.
    pyarrow.enable_signal_handlers(False)
    try:
        with handled():
            status = args.run(args)
    except (RoretError, OSError) as error:  # a bug is not caught: its traceback is what to report
        print(f"roret {args.command}: error: {error}", file=sys.stderr)
        return 1
    except (KeyboardInterrupt, Terminated) as stop:
        print(f"roret {args.command}: interrupted; nothing was published, any previous output is unchanged",
              file=sys.stderr)
        return 130 if isinstance(stop, KeyboardInterrupt) else 143
    return status or 0


if __name__ == "__main__":
    sys.exit(main())
