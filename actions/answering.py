"""Answers questions about the process from the knowledge base, with sources and follow-ups."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import replies
from actions.knowledge_access import get_query
from actions.resolve import Resolution, Target, entity_ids, only_party_named, resolve, step_for_facet
from actions.unanswered import log_unanswered

INTENT_FACETS = {
    "ask_when": "nar", "ask_who": "vem", "ask_how": "hur", "ask_form": "blanketter",
    "ask_law": "lagrum", "ask_definition": "definition", "ask_next": "next",
}


QUESTION_INTENTS = frozenset({*INTENT_FACETS, "ask_roles"})


def answer_question(dispatcher: CollectingDispatcher, tracker: Tracker, q: Any) -> List[Dict[Text, Any]]:
    """Answer the latest message; shared by the answering action and the guide's side questions."""
    message = tracker.latest_message
    intent = (message.get("intent") or {}).get("name") or "ask_how"
    entities = message.get("entities") or []
    text = message.get("text") or ""
    if intent == "ask_roles" or (intent == "ask_how" and only_party_named(q, text, entities)):
        return answer_roles(dispatcher, q, entities)
    facet = INTENT_FACETS.get(intent, "hur")
    found = resolve(q, text, facet, entities, tracker.get_slot("topic"))
    if found.target is None:
        return answer_unresolved(dispatcher, tracker, q, intent, found)
    target = step_for_facet(q, found.target, facet, text) or found.target
    return answer_target(dispatcher, q, target, facet)


class ActionAnswer(Action):
    """One action for every question intent: the intent picks the facet, the text the entry."""

    def name(self) -> Text:
        return "action_answer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        return answer_question(dispatcher, tracker, get_query())


def answer_target(dispatcher: CollectingDispatcher, q: Any, target: Target, facet: str) -> List[Dict]:
    if target.kind == "step":
        if facet == "next":
            text, buttons = replies.next_reply(q, target.entry)
        else:
            text = replies.step_reply(q, target.entry, "hur" if facet == "definition" else facet)
            buttons = replies.step_buttons(target.entry, facet)
        dispatcher.utter_message(text=text, buttons=buttons, json_message={"kb_step": target.id})
    elif target.kind == "concept" and facet == "lagrum":
        text, buttons = replies.concept_law_reply(q, target.entry)
        dispatcher.utter_message(text=text, buttons=buttons)
    elif target.kind == "concept":
        text, buttons = replies.concept_reply(q, target.entry)
        dispatcher.utter_message(text=text, buttons=buttons)
    else:
        text, buttons = replies.faq_reply(q, target.entry)
        dispatcher.utter_message(text=text, buttons=buttons)
    return [SlotSet("topic", f"{target.kind}:{target.id}")]


def answer_unresolved(
    dispatcher: CollectingDispatcher, tracker: Tracker, q: Any, intent: str, found: Resolution
) -> List[Dict]:
    if found.alternatives:
        text, buttons = replies.alternatives_reply(q, intent, found.alternatives)
        dispatcher.utter_message(text=text, buttons=buttons)
        return []
    log_unanswered(tracker.latest_message.get("text") or "", tracker.sender_id, "no_confident_hit")
    buttons = [replies.button(replies.hit_title(q, h.kind, h.entry), intent, h.kind, h.id) for h in found.near_misses]
    buttons.append({"title": "Vad kan du svara på?", "payload": "/help"})
    dispatcher.utter_message(text=replies.NO_ANSWER, buttons=buttons)
    return []


def answer_roles(dispatcher: CollectingDispatcher, q: Any, entities: List[Dict]) -> List[Dict]:
    party_ids = entity_ids(q, entities, "party")
    party: Optional[Any] = q.party(next(iter(party_ids))) if len(party_ids) == 1 else None
    text, buttons = replies.roles_reply(q, party)
    dispatcher.utter_message(text=text, buttons=buttons)
    return []
