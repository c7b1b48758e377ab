"""The guided walk, driven through its Rasa actions against fixture knowledge bases."""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions import guide_state as gs
from actions import knowledge_access
from actions.guiding import ActionAskGuideDone, ActionGuideStart, ValidateGuideForm
from tests.actions.conftest import FIXTURE_KB, button_titles, make_tracker, slot_events, texts


class Walk:
    """A user walking the guide: keeps the slots as Rasa would, turn by turn."""

    def __init__(self) -> None:
        self.slots: Dict[str, Any] = {}
        self.shown = ""
        self.buttons: List[str] = []

    async def start(self, text: str = "guida mig", entities=()) -> "Walk":
        dispatcher = CollectingDispatcher()
        events = await ActionGuideStart().run(dispatcher, make_tracker(text, "start_guide", entities), {})
        self.slots.update(slot_events(events))
        await self.ask()
        return self

    async def ask(self) -> None:
        dispatcher = CollectingDispatcher()
        await ActionAskGuideDone().run(dispatcher, make_tracker("", "", slots=self.slots), {})
        self.shown, self.buttons = texts(dispatcher), button_titles(dispatcher)

    async def say(self, text: str, intent: str = "inform") -> str:
        dispatcher = CollectingDispatcher()
        tracker = make_tracker(text, intent, slots={**self.slots, "requested_slot": "guide_done"}, active_loop="guide_form")
        result = await ValidateGuideForm().validate_guide_done(text, dispatcher, tracker, {})
        self.slots.update(result)
        said = texts(dispatcher)
        if result.get("guide_done") is None:
            await self.ask()
        return said

    @property
    def step(self) -> str:
        return self.slots.get("guide_step")


async def test_walk_asks_party_then_position_then_shows_steps() -> None:
    walk = await Walk().start()
    assert "Vilken part arbetar du för?" in walk.shown and len(walk.buttons) == 4
    await walk.say("soc")
    assert "Var står personen" in walk.shown and "Nytt ärende" in walk.buttons
    await walk.say("nytt ärende")
    assert walk.step == "soc-ansokan" and "steg 1: Ta emot ansökan" in walk.shown
    assert {"Nästa", "Tillbaka", "Visa blankett", "Avsluta guiden"} <= set(walk.buttons)
    await walk.say("nästa")
    assert walk.step == "soc-utreda"


@pytest.mark.parametrize("answer, target", [("Ja", "fk-sjukpenning"), ("nej", "soc-sip"), ("2", "soc-sip")])
async def test_decision_branches_both_ways(answer: str, target: str) -> None:
    walk = await Walk().start("guida mig, jag är på steg 3 på socialtjänsten")
    assert walk.step == "soc-sgi"
    assert "Har personen en SGI över noll?" in walk.shown and walk.buttons[:2] == ["Ja", "Nej"]
    await walk.say(answer)
    assert walk.step == target


async def test_back_returns_to_the_previous_step_and_side_question_resumes() -> None:
    walk = await Walk().start("guida mig", [{"entity": "party", "value": "socialtjansten"}])
    await walk.say("nytt ärende")
    await walk.say("nästa")
    await walk.say("tillbaka")
    assert walk.step == "soc-ansokan"
    answer = await walk.say("vad betyder sgi?", intent="ask_definition")
    assert answer.startswith("**SGI**")
    assert walk.shown.startswith("Vill du fortsätta med Socialtjänsten, steg 1")
    await walk.say("ja")
    assert walk.step == "soc-ansokan" and "steg 1: Ta emot ansökan" in walk.shown


async def test_stop_gives_a_summary_without_personal_data() -> None:
    walk = await Walk().start("guida mig på socialtjänsten")
    await walk.say("nytt ärende")
    await walk.say("nästa")
    said = await walk.say("avsluta")
    assert walk.slots["guide_done"] == "klar"
    assert "Sammanfattning av guiden:" in said
    assert "1. Socialtjänsten, steg 1: Ta emot ansökan om ekonomiskt bistånd" in said
    assert "Blanketter och dokument:" in said


async def test_unknown_input_gets_a_hint_not_silence() -> None:
    walk = await Walk().start("guida mig", [{"entity": "party", "value": "socialtjansten"}])
    await walk.say("steg 3")
    said = await walk.say("blomkål")
    assert "Det förstod jag inte" in said and '"Ja"' in said


async def test_a_new_branch_in_yaml_reaches_the_guide_without_code(tmp_path: Path, monkeypatch) -> None:
    base = tmp_path / "kb"
    shutil.copytree(FIXTURE_KB, base)
    soc = base / "steg" / "socialtjansten.yml"
    text = soc.read_text("utf-8").replace(
        '        - {answer: "Nej", next: soc-sip}',
        '        - {answer: "Nej", next: soc-sip}\n        - {answer: "Vet inte", next: soc-uppfoljning}',
    )
    soc.write_text(text, "utf-8")
    monkeypatch.setenv(knowledge_access.BASE_ENV, str(base))
    knowledge_access.get_query.cache_clear()
    walk = await Walk().start("guida mig, steg 3 socialtjänsten")
    assert walk.buttons[:3] == ["Ja", "Nej", "Vet inte"]
    await walk.say("vet inte")
    assert walk.step == "soc-uppfoljning"
