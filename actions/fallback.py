"""What the bot says when it has no good answer: honest, helpful, never silent."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.unanswered import log_unanswered

FALLBACK_TEXT = (
    "Det kan jag tyvärr inte svara på utifrån mina källor. "
    "Jag svarar på frågor om arbetet med sjukskrivna personer utan sjukpenninggrundande inkomst (SGI) "
    "i Stockholm: vem som gör vad, när, vilka blanketter som används och vilken lag som gäller. "
    "Du kan också fråga din samordnare på Samordningsförbundet Stockholms stad."
)


class ActionHonestFallback(Action):
    """Says that the sources do not cover the question and logs it, redacted, for the editors."""

    def name(self) -> Text:
        return "action_honest_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        log_unanswered(tracker.latest_message.get("text") or "", tracker.sender_id, "fallback")
        dispatcher.utter_message(
            text=FALLBACK_TEXT,
            buttons=[{"title": "Vad kan du svara på?", "payload": "/help"}],
        )
        return []
