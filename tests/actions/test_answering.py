import json
from pathlib import Path

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.answering import ActionAnswer
from actions.knowledge_access import get_query
from actions.resolve import Target, facet_hit, faq_asking, is_follow_up, named_concept, on_subject, step_for_facet
from knowledge.query import Hit
from tests.actions.conftest import button_titles, make_tracker, slot_events, texts


async def ask(text: str, intent: str, entities=(), slots=None):
    dispatcher = CollectingDispatcher()
    events = await ActionAnswer().run(dispatcher, make_tracker(text, intent, entities, slots), {})
    return dispatcher, events


async def test_answer_names_step_party_and_source() -> None:
    dispatcher, events = await ask("när ska man kalla till SIP?", "ask_when")
    reply = texts(dispatcher)
    assert "Socialtjänsten" in reply and "steg 4: Kalla till SIP" in reply
    assert reply.splitlines()[-1].startswith("Källa: ")
    assert slot_events(events) == {"topic": "step:soc-sip"}
    assert dispatcher.messages[0]["custom"] == {"kb_step": "soc-sip"}
    assert "Nästa steg" in button_titles(dispatcher) and "När?" not in button_titles(dispatcher)


async def test_follow_up_uses_the_topic_just_discussed() -> None:
    dispatcher, _ = await ask("vilken blankett?", "ask_form", slots={"topic": "step:soc-ansokan"})
    reply = texts(dispatcher)
    assert "steg 1: Ta emot ansökan om ekonomiskt bistånd" in reply
    assert "Blanketter och dokument:" in reply


async def test_button_topic_wins_over_text() -> None:
    entities = [{"entity": "topic", "value": "step:vard-lakarintyg"}]
    dispatcher, events = await ask("/ask_who", "ask_who", entities, slots={"topic": "step:soc-sip"})
    assert "steg 1: Skriv läkarintyg" in texts(dispatcher)
    assert slot_events(events)["topic"] == "step:vard-lakarintyg"


async def test_missing_detail_is_said_to_be_missing() -> None:
    dispatcher, _ = await ask("vilken blankett", "ask_form", slots={"topic": "step:soc-uppfoljning"})
    assert "nämner ingen särskild blankett" in texts(dispatcher)


async def test_next_step_at_a_decision_offers_its_answers() -> None:
    dispatcher, _ = await ask("och sen då?", "ask_next", slots={"topic": "step:soc-sgi"})
    assert "Har personen en SGI över noll?" in texts(dispatcher)
    assert button_titles(dispatcher) == ["Ja", "Nej"]
    payloads = [b["payload"] for b in dispatcher.messages[0]["buttons"]]
    assert json.loads(payloads[1].split("ask_how", 1)[1]) == {"topic": "step:soc-sip"}


async def test_definition_answers_with_the_concept() -> None:
    dispatcher, events = await ask("vad betyder sgi", "ask_definition")
    assert texts(dispatcher).startswith("**SGI**")
    assert slot_events(events)["topic"] == "concept:sgi"


async def test_no_good_answer_is_honest_and_logged_redacted(tmp_path: Path) -> None:
    dispatcher, events = await ask("kvastskaft glödlampa 19850312-1234", "ask_how")
    assert "inget säkert svar" in texts(dispatcher) and "Samordningsförbundet" in texts(dispatcher)
    assert events == []
    logged = (tmp_path / "unanswered.jsonl").read_text("utf-8")
    assert "19850312-1234" not in logged and "[personnummer]" in logged


async def test_roles_without_party_lists_every_party() -> None:
    dispatcher, _ = await ask("vem gör vad", "ask_roles")
    assert texts(dispatcher).count("- **") == 4  # the fixture has four parties


def test_a_law_question_about_a_named_concept_is_not_answered_by_an_entry_about_another() -> None:
    q = get_query()
    general = Hit("faq", "faq-ny-socialtjanstlag", 0.9, q.faq("faq-ny-socialtjanstlag"))
    sip = [{"entity": "concept", "value": "sip"}]
    assert on_subject(q, general, "vilket lagrum gäller för sip", sip, "lagrum").id == "sip"
    # The entry cites the law the question names, so it answers.
    assert on_subject(q, general, "vad säger socialtjänstlagen om sip", sip, "lagrum").id == general.id
    assert on_subject(q, general, "vad säger SoL om sip", sip, "lagrum").id == general.id
    assert on_subject(q, general, "vad säger HSL om sip", sip, "lagrum").id == "sip"
    # Only law questions, and only when the entry is about something else.
    assert on_subject(q, general, "när kallar man till sip", sip, "nar").id == general.id
    sip_step = Hit("step", "soc-sip", 0.9, q.step("soc-sip"))
    assert on_subject(q, sip_step, "vilket lagrum gäller för sip", sip, "lagrum").id == "soc-sip"


def test_of_a_concept_s_steps_the_one_the_question_fits_answers() -> None:
    q = get_query()
    sip = Target("concept", "sip", q.concept("sip"))
    assert step_for_facet(q, sip, "vem").id == "soc-sip"  # the concept's first step
    assert step_for_facet(q, sip, "vem", "vem deltar i SIP-mötet från vården").id == "vard-sip"
    assert step_for_facet(q, sip, "vem", "vem kallar till SIP").id == "soc-sip"


async def test_a_party_named_alone_gets_its_role() -> None:
    fk = [{"entity": "party", "value": "fk", "start": 11, "end": 13}]
    dispatcher, _ = await ask("berätta om FK", "ask_how", fk)
    roles, _ = await ask("vad gör FK", "ask_roles", [{"entity": "party", "value": "fk", "start": 7, "end": 9}])
    assert texts(dispatcher) == texts(roles)
    # With a subject of its own the message is a question about that subject.
    dispatcher, _ = await ask("berätta om FK och sjukpenning", "ask_how", fk)
    assert texts(dispatcher) != texts(roles)


@pytest.mark.parametrize(
    "text, expected",
    [("vilken blankett?", True), ("och sen då?", True), ("vem gör det", True), ("nasta steg", True),
     ("vilken blankett för SIP?", False), ("vad är sgi", False)],
)
def test_follow_up_detection(text: str, expected: bool) -> None:
    assert is_follow_up(text) is expected


async def test_law_follow_up_on_a_concept_gives_only_its_legal_basis() -> None:
    dispatcher, _ = await ask("vilket lagrum?", "ask_law", slots={"topic": "concept:sip"})
    first = texts(dispatcher).splitlines()[0]
    assert first.startswith("Lagrum för SIP") or first.startswith("Mina källor anger inget lagrum för SIP")
    assert "Källa:" in texts(dispatcher)


async def test_honest_fallback_answers_logs_redacted_and_offers_help(tmp_path: Path) -> None:
    from actions.fallback import ActionHonestFallback

    dispatcher = CollectingDispatcher()
    tracker = make_tracker("qwpoeiru ring 070-123 45 67", "nlu_fallback", sender="fallback-user")
    events = await ActionHonestFallback().run(dispatcher, tracker, {})
    assert events == []
    assert "inte svara på utifrån mina källor" in texts(dispatcher)
    assert button_titles(dispatcher) == ["Vad kan du svara på?"]
    logged = (tmp_path / "unanswered.jsonl").read_text("utf-8")
    assert "070-123 45 67" not in logged and "fallback-user" not in logged


def test_a_close_entry_that_answers_the_facet_beats_one_that_does_not() -> None:
    q = get_query()
    concept = Hit("concept", "arbetsformaga", 0.80, q.concept("arbetsformaga"))
    faq = Hit("faq", "faq-nar-arbetsformaga", 0.74, q.faq("faq-nar-arbetsformaga"))
    assert facet_hit(q, [concept, faq], "nar") is faq
    assert facet_hit(q, [concept, faq], "blanketter") is None  # the concept's step lists a form
    assert facet_hit(q, [concept, faq], "hur") is None  # every entry answers "hur"
    far = Hit("faq", "faq-nar-arbetsformaga", 0.65, faq.entry)
    assert facet_hit(q, [concept, far], "nar") is None  # too far below the best


async def test_when_question_gets_the_entry_that_says_when() -> None:
    dispatcher, events = await ask("när bedöms arbetsförmågan?", "ask_when")
    assert "Läkaren bedömer arbetsförmågan när personen söker vård" in texts(dispatcher)
    assert slot_events(events)["topic"] == "faq:faq-nar-arbetsformaga"


async def test_form_question_is_answered_about_its_subject_not_the_word_blankett() -> None:
    # Searched whole, an FAQ entry on preparing a meeting wins: its answer says "blankett".
    q = get_query()
    assert q.search("vilka blanketter ska läkaren ha", k=1)[0].id == "faq-forbereda-mote"
    dispatcher, events = await ask("vilka blanketter ska läkaren ha", "ask_form")
    assert slot_events(events) == {"topic": "step:vard-lakarintyg"}
    assert "Läkarintyg för sjukpenning" in texts(dispatcher)
    # With no subject beside the facet word, or for a facet every entry answers, no change.
    _, events = await ask("vilken blankett", "ask_form")
    assert slot_events(events) == {"topic": "faq:faq-forbereda-mote"}
    _, events = await ask("vilka blanketter ska läkaren ha", "ask_how")
    assert slot_events(events) == {"topic": "faq:faq-forbereda-mote"}


def test_of_close_entries_the_one_faq_asking_the_facet_is_the_answer() -> None:
    q = get_query()
    step = Hit("step", "vard-lakarintyg", 0.80, q.step("vard-lakarintyg"))
    when = Hit("faq", "faq-nar-arbetsformaga", 0.78, q.faq("faq-nar-arbetsformaga"))
    other = Hit("faq", "faq-intyg-kostnad", 0.77, q.faq("faq-intyg-kostnad"))
    assert faq_asking(q, [step, when, other], "nar") is when
    assert faq_asking(q, [step, when, other], "blanketter") is None  # no FAQ asks which form
    assert faq_asking(q, [step, when, other], "hur") is None
    unrelated = Hit("step", "soc-sip", 0.80, q.step("soc-sip"))
    assert faq_asking(q, [unrelated, when], "nar") is None  # the FAQ entry is about another step


def test_close_entries_about_a_named_concept_give_the_concept() -> None:
    q = get_query()
    sip_step = Hit("step", "vard-sip", 0.80, q.step("vard-sip"))
    other = Hit("faq", "faq-samtycke", 0.79, q.faq("faq-samtycke"))
    sip = [{"entity": "concept", "value": "sip"}]
    assert named_concept(q, [sip_step, other], sip) is q.concept("sip")
    assert named_concept(q, [other], sip) is None  # no close hit is about SIP
    assert named_concept(q, [sip_step, other], []) is None  # the message names no concept
    two = sip + [{"entity": "concept", "value": "sgi"}]
    assert named_concept(q, [sip_step, other], two) is None  # two concepts: still ask
    # A name the NLU took for a party can be a concept's name too ("Finsam", "ek bistånd").
    bistand = Hit("concept", "ekonomiskt-bistand", 0.80, q.concept("ekonomiskt-bistand"))
    as_party = [{"entity": "party", "value": "ek bistånd"}]
    assert named_concept(q, [bistand, other], as_party) is q.concept("ekonomiskt-bistand")
    assert named_concept(q, [sip_step, other], [{"entity": "party", "value": "fk"}]) is None


async def test_law_question_about_a_named_concept_gets_its_legal_basis(monkeypatch) -> None:
    from knowledge.query import Answer

    q = get_query()
    hits = [Hit("step", "soc-sip", 0.80, q.step("soc-sip")), Hit("step", "vard-sip", 0.79, q.step("vard-sip"))]
    monkeypatch.setattr(type(q), "search_answer", lambda self, text, **kw: Answer(hits, True, True))
    dispatcher, events = await ask("vilken lag gäller för sip", "ask_law", [{"entity": "concept", "value": "sip"}])
    assert texts(dispatcher).startswith("Lagrum för SIP:")
    assert len(button_titles(dispatcher)) == 2  # one per SIP step, asking its own paragraph
    assert slot_events(events) == {"topic": "concept:sip"}
    dispatcher, _ = await ask("vilken lag gäller för sip", "ask_law")
    assert texts(dispatcher).startswith("Menar du")  # without the entity it still asks


async def test_an_inflected_entity_still_names_its_entry() -> None:
    # "arbetsförmågan" is not among the NLU's synonyms, so the entity value arrives raw.
    entities = [{"entity": "concept", "value": "arbetsförmågan"}]
    _, events = await ask("vad betyder det", "ask_definition", entities)  # the text alone finds nothing
    assert slot_events(events) == {"topic": "concept:arbetsformaga"}
    _, events = await ask("vad betyder det", "ask_definition")
    assert slot_events(events) == {}
