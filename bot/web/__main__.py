"""`python -m bot.web --host 127.0.0.1 --port 8080 --rasa-url http://127.0.0.1:5005`"""
from __future__ import annotations

import argparse
import sys
from typing import List, Optional

from bot.web.server import serve


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.web", description="Intranätssidan och chattfönstret.")
    parser.add_argument("--host", default="127.0.0.1", help="adress att lyssna på")
    parser.add_argument("--port", type=int, default=8080, help="port att lyssna på")
    parser.add_argument("--rasa-url", default="http://127.0.0.1:5005", help="Rasa-serverns adress för webbläsaren")
    args = parser.parse_args(argv)
    try:
        serve(args.host, args.port, args.rasa_url)
    except OSError as exc:
        print(f"Webbservern kunde inte starta på {args.host}:{args.port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
