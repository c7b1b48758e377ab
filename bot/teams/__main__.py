"""`python -m bot.teams package` writes build/teams-app.zip; `python -m bot.teams icons` redraws the icons."""
from __future__ import annotations

import sys

from bot.teams.package import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
