"""`python -m bot.action_server …`: rasa-sdk's action server, with the knowledge base loaded before it listens.

Why: the actions load and index the knowledge base lazily, so that importing them stays
cheap. Started through rasa-sdk alone, the first user's question after every restart then
waited seconds for the lemma tables and the index. Here the index is built first, so the
server's health check answers only when a question can be answered at full speed.
"""
from __future__ import annotations


def main() -> None:
    from actions.knowledge_access import get_query
    from rasa_sdk.__main__ import main as sdk_main

    get_query()
    sdk_main()


if __name__ == "__main__":
    main()
