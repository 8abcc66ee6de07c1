"""Command line.

python -m rnnvis_widget demo [--out demo.html]
python -m rnnvis_widget train CONFIG.toml [--out model.pt] [--quiet]
python -m rnnvis_widget train shakespeare-lstm     # a shipped model's own config
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    """Run the command line; the module docstring above is its ``--help`` text.

    ``demo`` analyses the shipped Shakespeare LSTM on held-out lines and writes an offline
    snapshot; ``train`` trains a model from a TOML config (or a shipped model's own config,
    by name), evaluates it and saves a checkpoint, then prints its metrics as one JSON line.

    Parameters
    ----------
    argv : list of str, optional
        The arguments, without the program name; default ``sys.argv[1:]``.

    Returns
    -------
    int
        The exit status, 0. A bad command line or a missing config exits through argparse
        (status 2) instead.
    """
    parser = argparse.ArgumentParser(
        prog="python -m rnnvis_widget",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="analyse the shipped Shakespeare LSTM and write a snapshot")
    demo.add_argument("--out", default="demo.html", help="where to write the HTML snapshot")
    train = commands.add_parser(
        "train", help="train a model from a TOML config, evaluate it, save a checkpoint"
    )
    train.add_argument("config", help="path of a TOML config, or the name of a shipped model")
    train.add_argument("--out", help="checkpoint path (default: <config name>.pt in the current folder)")
    train.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)

    if args.command == "demo":
        from .zoo.demo import build_demo

        start = time.perf_counter()
        path, analysis = build_demo(args.out)
        print(f"analysed {analysis.n_tokens} tokens over {len(analysis.layers)} layers")
        print(f"wrote {path} in {time.perf_counter() - start:.1f} s; open it in any browser (works offline)")
    elif args.command == "train":
        from .zoo.config import TrainConfig
        from .zoo.pretrained import PRETRAINED, config_path
        from .zoo.train import save_checkpoint
        from .zoo.train import train as train_model

        source = Path(args.config)
        if not source.is_file() and args.config in PRETRAINED:
            source = config_path(args.config)
        if not source.is_file():
            parser.error(f"no config file {args.config!r} (shipped models: {', '.join(sorted(PRETRAINED))})")
        config = TrainConfig.from_toml(source)
        result = train_model(config, progress=not args.quiet)
        out = save_checkpoint(result, args.out or f"{config.name}.pt")
        print(json.dumps({"checkpoint": str(out), "bytes": out.stat().st_size, **result.metrics}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
