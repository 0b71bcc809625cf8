"""Command line: ``python -m sgdlab run [flags]``; every flag comes from a config field.

    python -m sgdlab run --format notebook          # the notebook's 20 lines
    python -m sgdlab run --lr 0.5 --sampling shuffle --format csv
    python -m sgdlab figure --out loss.png --style notebook   # needs Chromium
    python -m sgdlab code --out sgd.ipynb --lang en           # torch-only notebook
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import MISSING, asdict, fields
from typing import Any, NoReturn, TypeVar

from sgdlab.config import DataConfig, TrainConfig, spec

CONFIGS = (DataConfig, TrainConfig)
C = TypeVar("C", DataConfig, TrainConfig)


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line and exit 2, without the usage dump."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


def flag(name: str) -> str:
    """The command-line flag of config field ``name``: underscores become dashes."""
    return "--" + name.replace("_", "-")


def add_config_flags(parser: argparse.ArgumentParser) -> None:
    """One flag per field of every config class, help and default from the field."""
    for cls in CONFIGS:
        group = parser.add_argument_group(cls.__name__, cls.__doc__)
        for f in fields(cls):
            s = spec(cls, f.name)
            assert f.default is not MISSING
            text = s.help_en.replace("%", "%%")
            if isinstance(f.default, bool):
                group.add_argument(flag(f.name), action=argparse.BooleanOptionalAction,
                                   default=f.default, help=f"{text} (default: %(default)s)")
            else:
                fmt = "d" if isinstance(f.default, int) else "g"
                rng = (f" [{s.lo:{fmt}}..{s.hi:{fmt}}]"
                       if s.lo is not None and s.hi is not None else "")
                group.add_argument(flag(f.name), type=type(f.default), default=f.default,
                                   choices=s.choices or None, metavar=_metavar(f.default, s),
                                   help=f"{text}{rng} (default: %(default)s)")


def _metavar(default: Any, s: Any) -> str | None:
    return "{" + ",".join(s.choices) + "}" if s.choices else type(default).__name__.upper()


def configs_from(args: argparse.Namespace) -> tuple[DataConfig, TrainConfig]:
    """Build both configs from parsed flags; a bad value raises ValueError naming its flag."""
    data_config = _build(DataConfig, args)
    train_config = _build(TrainConfig, args)
    if train_config.batch_size > data_config.n:
        raise ValueError(f"--batch-size ({train_config.batch_size}) is larger than --n "
                         f"({data_config.n})")
    return data_config, train_config


def _build(cls: type[C], args: argparse.Namespace) -> C:
    values = {f.name: getattr(args, f.name) for f in fields(cls)}  # type: ignore[arg-type]
    try:
        return cls(**values)
    except ValueError as e:
        raise ValueError(_name_flag(str(e), values)) from None


def _name_flag(message: str, values: dict[str, Any]) -> str:
    """Turn a config message that starts with a field name into one that names the flag."""
    for name in sorted(values, key=len, reverse=True):
        if message.startswith(name):
            return flag(name) + message[len(name):]
    return message


def _finite(v: float) -> float | None:
    return v if math.isfinite(v) else None


def cmd_run(args: argparse.Namespace) -> int:
    """Train once and print the history as the notebook, CSV or JSON."""
    from sgdlab.train import train

    data_config, train_config = configs_from(args)
    history = train(data_config, train_config)
    out = sys.stdout
    if args.format == "notebook":
        out.write("".join(line + "\n" for line in history.notebook_lines()))
        if history.diverged_at is not None:
            print(f"Diverged at step {history.diverged_at}", file=sys.stderr)
    elif args.format == "csv":
        history.to_frame().to_csv(out, index=False, lineterminator="\n")
    else:
        frame = history.to_frame()
        rows = [{k: (_finite(v) if isinstance(v, float) else v) for k, v in row.items()}
                for row in frame.to_dict(orient="records")]
        json.dump({"data": asdict(data_config), "train": asdict(train_config),
                   "initial_total_loss": history.initial_total_loss,
                   "diverged_at": history.diverged_at, "history": rows}, out, indent=1)
        out.write("\n")
    return 0


def _add_run(parser: argparse.ArgumentParser) -> None:
    add_config_flags(parser)
    parser.add_argument("--format", choices=("notebook", "csv", "json"), default="notebook",
                        help="notebook: the notebook's printed lines; csv: one row per "
                             "update; json: settings and history (default: %(default)s)")


def _add_figure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", required=True, metavar="FILE.png|svg|html",
                        help="file to write; its extension picks the format (PNG and SVG "
                             "need Chromium, found by kaleido via BROWSER_PATH)")
    parser.add_argument("--style", choices=("screen", "print", "notebook"), default="screen",
                        help="screen: the dashboard look; print: white, black, thin lines; "
                             "notebook: the seed notebook's figure (default: %(default)s)")
    parser.add_argument("--kind", choices=("fit", "loss", "params", "all"), default="loss",
                        help="which figure; 'all' writes one file per figure, or one HTML "
                             "page (default: %(default)s)")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh",
                        help="language of the labels (default: %(default)s)")
    parser.add_argument("--stamp", action=argparse.BooleanOptionalAction, default=False,
                        help="print the settings on the figure (default: %(default)s)")
    add_config_flags(parser)


def cmd_figure(args: argparse.Namespace) -> int:
    """Train once and write the figure(s) as PNG (scale 3), SVG or offline HTML."""
    from pathlib import Path

    from sgdlab import export, styles
    from sgdlab.train import train

    out = Path(args.out)
    fmt = out.suffix.lower().lstrip(".")
    if fmt not in ("png", "svg", "html"):
        raise ValueError(f"--out must end in .png, .svg or .html, got {out.name!r}")
    data_config, train_config = configs_from(args)
    history = train(data_config, train_config)
    kinds = export.KINDS if args.kind == "all" else (args.kind,)
    stamp = styles.stamp_text(data_config, train_config, args.lang) if args.stamp else ""
    figs = export.make_figures(history, kinds, args.lang, args.style, stamp,
                               (data_config.slope, data_config.intercept))
    if fmt == "html":
        note = "python -m sgdlab " + export.cli_command(data_config, train_config)
        out.write_text(export.to_html(figs, "sgdlab", args.lang, note), encoding="utf-8")
        written = [out]
    else:
        written = [out] if len(kinds) == 1 else [out.with_name(f"{out.stem}_{k}{out.suffix}")
                                                 for k in kinds]
        try:
            export.write_images(figs, [str(p) for p in written], styles.SCALE)
        except export.NoBrowserError:
            print("sgdlab figure: error: PNG and SVG need Chrome or Chromium, and none was "
                  "found. Install one (Debian: apt-get install chromium) and point "
                  "BROWSER_PATH at it, or write --out FILE.html, which needs no browser.",
                  file=sys.stderr)
            return 2
    print("\n".join(str(p) for p in written))
    if history.diverged_at is not None:  # an empty or short figure deserves a reason
        print(f"sgdlab figure: note: the run diverged at step {history.diverged_at}; the "
              f"figure shows the {history.steps} step(s) before it. A smaller --lr"
              + ("" if data_config.standardize else " or --standardize")
              + " keeps it stable.", file=sys.stderr)
    return 0


def _add_code(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", required=True, metavar="FILE.py|ipynb",
                        help="file to write: a PyTorch script or a Jupyter notebook")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh",
                        help="language of the comments (default: %(default)s)")
    add_config_flags(parser)


def cmd_code(args: argparse.Namespace) -> int:
    """Write a torch-only script or notebook that re-runs this training."""
    from pathlib import Path

    from sgdlab import export
    from sgdlab.data import make_data

    out = Path(args.out)
    write = {".py": export.to_script, ".ipynb": export.to_notebook}.get(out.suffix.lower())
    if write is None:
        raise ValueError(f"--out must end in .py or .ipynb, got {out.name!r}")
    data_config, train_config = configs_from(args)
    out.write_text(write(make_data(data_config), data_config, train_config, args.lang),
                   encoding="utf-8")
    print(out)
    return 0


def _add_sweep(parser: argparse.ArgumentParser) -> None:
    add_config_flags(parser)
    parser.add_argument("--lrs", metavar="LR,LR,...",
                        help="comma-separated learning rates (default: 40 log-spaced from "
                             "0.001 to 10)")
    parser.add_argument("--batch-sizes", metavar="B,B,...",
                        help="comma-separated batch sizes (default: about 12 from 1 to --n)")
    parser.add_argument("--format", choices=("csv", "json"), default="csv",
                        help="csv: lr,batch_size,final_total_loss,diverged_at, one row per "
                             "cell, empty diverged_at when the run stayed finite; json: the "
                             "same rows and the theory bounds (default: %(default)s)")


def cmd_sweep(args: argparse.Namespace) -> int:
    """Train the lr x batch-size grid at once and print the final whole-data loss per cell."""
    from sgdlab import sweep
    from sgdlab.data import make_data

    lrs = (sweep.parse_list(args.lrs, "--lrs") if args.lrs is not None
           else list(sweep.default_lrs()))
    grid = (sweep.parse_list(args.batch_sizes, "--batch-sizes", int)
            if args.batch_sizes is not None else None)
    if grid:
        # The grid's batch sizes replace --batch-size: check the other flags against
        # one of them (--accumulation 3 with --batch-sizes 12,24 is fine).
        for b in grid:
            if not 1 <= b <= args.n:
                raise ValueError(f"--batch-sizes: batch size {b} is outside 1..{args.n} (--n)")
        args.batch_size = grid[0]
    data_config, train_config = configs_from(args)
    bss = grid or list(sweep.default_batch_sizes(data_config.n,
                                                 multiple_of=train_config.accumulation))
    data = make_data(data_config)
    result = sweep.sweep(data, train_config, lrs, bss)
    frame = result.to_frame()
    if args.format == "csv":
        frame.to_csv(sys.stdout, index=False, lineterminator="\n")
    else:
        bounds = sweep.stability_bounds(data, train_config, bss)
        rows = [{"lr": float(lr), "batch_size": int(bs),
                 "final_total_loss": _finite(float(result.final_total_loss[i, j])),
                 "diverged_at": int(result.diverged_at[i, j]) or None}
                for i, bs in enumerate(result.batch_sizes) for j, lr in enumerate(result.lrs)]
        json.dump({"data": asdict(data_config), "train": asdict(train_config),
                   "full_batch_max_lr": bounds.full_batch,
                   "worst_batch_max_lr": dict(zip(map(str, bss), bounds.worst_batch.tolist(),
                                                  strict=True)),
                   "cells": rows}, sys.stdout, indent=1)
        sys.stdout.write("\n")
    return 0


# name -> (help, add its flags, handler); later features add their commands here.
COMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None],
                          Callable[[argparse.Namespace], int]]] = {
    "run": ("train once and print the step log", _add_run, cmd_run),
    "figure": ("write the run's figures as PNG, SVG or offline HTML", _add_figure, cmd_figure),
    "code": ("write a PyTorch script or notebook that re-runs this training", _add_code,
             cmd_code),
    "sweep": ("stability map: final loss over a grid of learning rates x batch sizes",
              _add_sweep, cmd_sweep),
}


def make_parser() -> argparse.ArgumentParser:
    """The ``sgdlab`` parser with one sub-command per entry of :data:`COMMANDS`."""
    parser = _Parser(prog="sgdlab", description=__doc__,
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name, (text, add, handler) in COMMANDS.items():
        p = sub.add_parser(name, help=text, description=text)
        add(p)
        p.set_defaults(handler=handler)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m sgdlab`` and the ``sgdlab`` script."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = make_parser()
    if argv in (["-h"], ["--help"]):
        # The top-level help documents every flag too, not just the command names.
        parser.print_help()
        for name, (_, add, _) in COMMANDS.items():
            p = _Parser(prog=f"sgdlab {name}", add_help=False, usage=argparse.SUPPRESS)
            add(p)
            print(f"\n`sgdlab {name}` flags:\n{p.format_help()}")
        return 0
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args))
    except ValueError as e:
        print(f"sgdlab {args.command}: error: {e}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    except Exception as e:  # noqa: BLE001 - a user sees one line, never a traceback
        if os.environ.get("SGDLAB_DEBUG"):
            raise
        print(f"sgdlab {args.command}: internal error: {type(e).__name__}: {e} "
              "(set SGDLAB_DEBUG=1 for the traceback)", file=sys.stderr)
        return 1
