"""Command line for editors and the build: check, render, eval, stats."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

DEFAULT_BASE = "knowledge/base"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m knowledge", description="Kunskapsbasen")
    parser.add_argument("--base", default=DEFAULT_BASE, help="mapp med kunskapsbasen")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("check", help="kontrollera kunskapsbasen")
    render = sub.add_parser("render", help="rita processkartan som SVG")
    render.add_argument("--highlight", help="steg-id som ska markeras")
    render.add_argument("--out", default="build/processkarta.svg")
    render.add_argument("--png", action="store_true", help="skriv även en PNG bredvid")
    ev = sub.add_parser("eval", help="mät sökningens träffsäkerhet och svarstid")
    ev.add_argument("--questions", default="tests/kb_questions.yml")
    ev.add_argument("--strict", action="store_true", help="felkod om top-1 < 0,90 eller top-3 < 0,98")
    ev.add_argument("--no-scale", action="store_true", help="hoppa över 10x/100x-mätningen")
    sub.add_parser("stats", help="räkna poster i kunskapsbasen")
    args = parser.parse_args(argv)
    return COMMANDS[args.command](args)


def cmd_check(args: argparse.Namespace) -> int:
    from .check import check

    report = check(args.base)
    for problem in report.problems:
        print(problem)
    errors, warnings = len(report.errors), len(report.warnings)
    if errors:
        print(f"{errors} fel och {warnings} varningar i {args.base}.", file=sys.stderr)
        return 1
    print(f"Kunskapsbasen i {args.base} är hel ({warnings} varningar).")
    return 0


def _load_or_report(base: str):
    from .errors import KnowledgeBaseError
    from .check import load

    try:
        return load(base)
    except KnowledgeBaseError as exc:
        print(exc, file=sys.stderr)
        return None


def cmd_render(args: argparse.Namespace) -> int:
    from .render import render_png, render_svg

    kb = _load_or_report(args.base)
    if kb is None:
        return 1
    if args.highlight and args.highlight not in kb.steps:
        print(f'Steget "{args.highlight}" finns inte.', file=sys.stderr)
        return 1
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_svg(kb, args.highlight), encoding="utf-8")
    print(f"Skrev {out}")
    if args.png:
        png = out.with_suffix(".png")
        png.write_bytes(render_png(kb, args.highlight))
        print(f"Skrev {png}")
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from .evaluate import evaluate, format_result, read_questions
    from .query import KnowledgeQuery

    kb = _load_or_report(args.base)
    if kb is None:
        return 1
    result = evaluate(KnowledgeQuery(kb), read_questions(args.questions),
                      scale=() if args.no_scale else (10, 100))
    print(format_result(result))
    if args.strict and (result.top1 < 0.90 or result.top3 < 0.98):
        print("Under gränsen (top-1 0,90 / top-3 0,98).", file=sys.stderr)
        return 1
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    kb = _load_or_report(args.base)
    if kb is None:
        return 1
    rows = [("källor", kb.sources), ("lagar", kb.laws), ("parter", kb.parties),
            ("faser", kb.phases), ("blanketter", kb.forms), ("steg", kb.steps),
            ("begrepp", kb.concepts), ("frågor", kb.faq), ("snabbguider", kb.quickguides),
            ("synonymer", kb.synonyms)]
    for name, items in rows:
        print(f"{name:12} {len(items)}")
    for party in kb.parties_in_order():
        count = sum(1 for s in kb.steps.values() if s.party == party.id)
        print(f"  steg hos {party.short}: {count}")
    print(f"fingeravtryck {kb.fingerprint()}")
    return 0


COMMANDS = {"check": cmd_check, "render": cmd_render, "eval": cmd_eval, "stats": cmd_stats}

if __name__ == "__main__":
    sys.exit(main())
