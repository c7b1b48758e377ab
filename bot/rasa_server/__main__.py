"""`python -m bot.rasa_server`: the package is imported once, as `bot.rasa_server`, and run."""
from bot.rasa_server import main

main()
