"""The guided walk ("guida mig") as a Rasa form whose one slot is never filled until the end.

Every message during the walk reaches `validate_guide_form`, which reads it as a guide
command, an answer to the current decision, or a side question (answered, then the walk
offers to resume). `action_ask_guide_done` shows whatever the walk's stage calls for.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import guide_state as gs
from actions.answering import QUESTION_INTENTS, answer_question
from actions.guide_replies import party_prompt, position_prompt, quickguide_reply, resume_prompt, step_card
from actions.knowledge_access import get_query
from actions.replies import forms_text

GUIDE_SLOTS = ("guide_party", "guide_step", "guide_history", "guide_stage", "guide_done")


def _stage_events(stage: str, **slots: Any) -> Dict[Text, Any]:
    return {"guide_stage": stage, "guide_done": None, **slots}


class ActionGuideStart(Action):
    """Starts the walk from what the user already said: party, step number or situation."""

    def name(self) -> Text:
        return "action_guide_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict) -> List[Dict]:
        q = get_query()
        message = tracker.latest_message
        text, entities = message.get("text") or "", message.get("entities") or []
        if "snabb" in gs.normalise(text):
            return self.quickguide(dispatcher, q)
        party = gs.find_party(q, text, entities)
        step = gs.find_position(q, text, party.id if party else None) if gs.has_situation(text, party) else None
        events = [SlotSet("guide_history", []), SlotSet("guide_done", None)]
        if step is not None:
            return events + [SlotSet("guide_party", party.id if party else step.party), SlotSet("guide_step", step.id),
                             SlotSet("guide_stage", "step"), SlotSet("guide_history", [step.id])]
        stage = "position" if party else "party"
        return events + [SlotSet("guide_party", party.id if party else None), SlotSet("guide_step", None),
                         SlotSet("guide_stage", stage)]

    def quickguide(self, dispatcher: CollectingDispatcher, q: Any) -> List[Dict]:
        text, buttons = quickguide_reply(q)
        dispatcher.utter_message(text=text, buttons=buttons)
        return [SlotSet("guide_stage", "party"), SlotSet("guide_history", []), SlotSet("guide_done", None)]


class ActionAskGuideDone(Action):
    """Shows the walk's current stage: party question, position question, a step, or resume."""

    def name(self) -> Text:
        return "action_ask_guide_done"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict) -> List[Dict]:
        q = get_query()
        stage = tracker.get_slot("guide_stage") or "party"
        step = q.step(tracker.get_slot("guide_step") or "")
        if stage == "step" and step:
            text, buttons = step_card(q, step)
            dispatcher.utter_message(text=text, buttons=buttons, json_message={"kb_step": step.id})
        elif stage == "resume" and step:
            text, buttons = resume_prompt(q, step)
            dispatcher.utter_message(text=text, buttons=buttons)
        elif stage == "position":
            text, buttons = position_prompt(q, q.party(tracker.get_slot("guide_party") or ""))
            dispatcher.utter_message(text=text, buttons=buttons)
        else:
            text, buttons = party_prompt(q)
            dispatcher.utter_message(text=text, buttons=buttons)
        return []


class ValidateGuideForm(FormValidationAction):
    """Interprets each message during the walk; returns `guide_done` only when the walk ends."""

    def name(self) -> Text:
        return "validate_guide_form"

    async def validate_guide_done(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict
    ) -> Dict[Text, Any]:
        if value is None:
            # the slot was only reset by the start action; there is no answer to read yet
            return {}
        q = get_query()
        message = tracker.latest_message
        text = message.get("text") or ""
        stage = tracker.get_slot("guide_stage") or "party"
        history: List[str] = list(tracker.get_slot("guide_history") or [])
        cmd = gs.command(text)
        if cmd == "stop" or (stage == "resume" and gs.normalise(text) in {"nej", "na"}):
            return self.finish(dispatcher, q, history)
        if cmd == "summary":
            dispatcher.utter_message(text="\n".join(gs.summary_lines(q, history)))
            return _stage_events(stage)
        if stage == "party":
            return self.on_party(dispatcher, tracker, q, text)
        if stage == "position":
            return self.on_position(dispatcher, tracker, q, text)
        step = q.step(tracker.get_slot("guide_step") or "")
        if step is None:
            return _stage_events("party")
        if stage == "resume" and (cmd == "next" or gs.normalise(text) in {"ja", "jo", "japp", "ja fortsatt"}):
            return _stage_events("step")
        return self.on_step(dispatcher, tracker, q, step, history, text, cmd)

    def on_party(self, dispatcher: CollectingDispatcher, tracker: Tracker, q: Any, text: str) -> Dict[Text, Any]:
        party = gs.find_party(q, text, tracker.latest_message.get("entities") or [])
        if party is None:
            dispatcher.utter_message(text="Jag känner inte igen den parten. Välj en av knapparna eller skriv partens namn.")
            return _stage_events("party")
        return _stage_events("position", guide_party=party.id)

    def on_position(self, dispatcher: CollectingDispatcher, tracker: Tracker, q: Any, text: str) -> Dict[Text, Any]:
        party_id = tracker.get_slot("guide_party")
        said = gs.normalise(text)
        starts = q.start_steps(party_id)
        if said in {"nytt arende", "nytt", "borja fran borjan", "fran borjan", "1"} and starts:
            step = starts[0]
        else:
            step = q.step(text.strip()) or gs.find_position(q, text, party_id)
        if step is None:
            dispatcher.utter_message(text="Jag hittade inget steg som passar. Skriv till exempel \"steg 3\", eller välj \"Nytt ärende\".")
            return _stage_events("position")
        return _stage_events("step", guide_step=step.id, guide_history=[step.id])

    def on_step(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, q: Any, step: Any,
        history: List[str], text: str, cmd: Optional[str],
    ) -> Dict[Text, Any]:
        if cmd == "back":
            if len(history) > 1:
                history = history[:-1]
                return _stage_events("step", guide_step=history[-1], guide_history=history)
            dispatcher.utter_message(text="Det här är det första steget i guiden.")
            return _stage_events("step")
        if cmd == "forms":
            dispatcher.utter_message(text="\n".join(forms_text(q, step)))
            return _stage_events("step")
        options = gs.options(q, step)
        # a button sends the step id; a typed answer is matched against the options
        by_id = next((o for o in options if o.step_id == text.strip()), None)
        option = by_id or gs.choose_option(text, options)
        if option is not None:
            return _stage_events("step", guide_step=option.step_id, guide_history=history + [option.step_id])
        if cmd == "next" and step.is_end:
            return self.finish(dispatcher, q, history)
        return self.side_question(dispatcher, tracker, q, step)

    def side_question(self, dispatcher: CollectingDispatcher, tracker: Tracker, q: Any, step: Any) -> Dict[Text, Any]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if intent in QUESTION_INTENTS:
            events = answer_question(dispatcher, tracker, q)
            slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
            return _stage_events("resume", **slots)
        options = gs.options(q, step)
        hint = "Välj ett av alternativen, eller skriv \"tillbaka\" eller \"avsluta\"."
        if options:
            hint = "Svara med " + " eller ".join(f"\"{o.label}\"" for o in options[:3]) + ", eller skriv \"tillbaka\" eller \"avsluta\"."
        dispatcher.utter_message(text="Det förstod jag inte. " + hint)
        return _stage_events("step")

    def finish(self, dispatcher: CollectingDispatcher, q: Any, history: List[str]) -> Dict[Text, Any]:
        lines = gs.summary_lines(q, history) if history else []
        dispatcher.utter_message(text="\n".join(["Guiden är avslutad.", *lines, "Du kan kopiera texten till dina anteckningar."]))
        return {"guide_done": "klar", "guide_stage": None, "guide_step": None, "guide_history": [], "guide_party": None}


class ActionGuideEnd(Action):
    """Clears the finished walk so that a new one starts clean."""

    def name(self) -> Text:
        return "action_guide_end"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict) -> List[Dict]:
        return [SlotSet("guide_done", None)]
