"""Command line: `python -m rnnvis_widget demo [--out demo.html]`."""

from __future__ import annotations

import argparse
import sys
import time


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rnnvis_widget", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="train a small Shakespeare LSTM, analyse it, write a snapshot")
    demo.add_argument("--out", default="demo.html", help="where to write the HTML snapshot")
    demo.add_argument("--seconds", type=float, default=8.0, help="training time budget")
    args = parser.parse_args(argv)

    if args.command == "demo":
        from .zoo.demo import build_demo

        start = time.perf_counter()
        path, analysis = build_demo(args.out, seconds=args.seconds)
        print(f"analysed {analysis.n_tokens} tokens over {len(analysis.layers)} layers")
        print(f"wrote {path} in {time.perf_counter() - start:.1f} s; open it in any browser (works offline)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
