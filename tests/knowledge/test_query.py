import pickle
from types import SimpleNamespace

import pytest

from knowledge import Form, KnowledgeQuery, entity_patterns, nlu_lookups
from knowledge.query import Hit
from knowledge.search import build_index


def test_by_id_and_party_steps(query):
    assert query.step("soc-sip").title == "Kalla till SIP"
    assert query.concept("sgi").term == "SGI"
    assert query.form("lakarintyg-fk7804").number == "7804"
    assert query.party("fk").short == "Försäkringskassan"
    assert query.law("sfb").sfs == "2010:110"
    assert query.source("seed-001").kind == "seed"
    assert query.faq("faq-samtycke") is not None
    assert query.step("finns-inte") is None
    assert [s.number for s in query.party_steps("socialtjansten")] == [1, 2, 3, 4, 5]


def test_navigation(query):
    assert [s.id for s in query.start_steps()] == ["soc-ansokan", "vard-lakarintyg"]
    assert [s.id for s in query.start_steps("varden")] == ["vard-lakarintyg"]
    assert [s.id for s in query.next_steps("soc-sgi")] == ["fk-sjukpenning", "soc-sip"]
    assert [s.id for s in query.next_steps("soc-sip", include_handover=False)] == ["soc-uppfoljning"]
    assert [s.id for s in query.handovers("soc-sip")] == ["vard-sip"]
    decision = query.decision("soc-sgi")
    assert decision.question.endswith("?") and [a.answer for a in decision.answers] == ["Ja", "Nej"]
    assert [s.id for s in query.previous_steps("vard-sip")] == ["vard-lakarintyg", "soc-sip"]
    assert query.quickguide().items[0].step == "soc-ansokan"


def test_facets_carry_sources(query):
    when = query.facet("soc-utreda", "nar")
    assert when.text == "Vid första besöket." and when.items == ("inom fem dagar",)
    assert [s.id for s in when.sources] == ["seed-001"]
    who = query.who("fk-sjukpenning")
    assert who.items[0].id == "fk"
    how = query.how("soc-utreda")
    assert how.text.startswith("Socialsekreteraren") and how.items[0].startswith("Be om samtycke")
    forms = query.forms_of("soc-utreda")
    assert forms.items == ("skriftligt samtycke",)
    forms = query.forms_of("fk-sjukpenning")
    assert isinstance(forms.items[0], Form) and {s.id for s in forms.sources} == {"fk-sjukpenning"}
    legal = query.legal_of("soc-sip")
    assert [i.label for i in legal.items] == ["2 kap. 7 § SoL", "16 kap. 4 § HSL"]
    assert legal.sources and query.legal_of("vard-rehab").items[0].label == "HSL"
    assert query.when("soc-sip").empty


def test_index_pickles_and_caches(kb, tmp_path):
    index = build_index(kb, tmp_path)
    again = build_index(kb, tmp_path)
    assert list(tmp_path.glob("kb-index-*.pickle"))
    assert pickle.loads(pickle.dumps(index)).docs == again.docs
    assert KnowledgeQuery(kb, index=again).search("SIP")[0].kind in {"step", "concept"}


def test_entity_patterns_and_lookups(kb):
    patterns = entity_patterns(kb)
    assert {"label": "party", "pattern": "FK", "id": "fk"} in patterns
    assert {"label": "party", "pattern": "fk", "id": "fk"} in patterns
    assert {"label": "concept", "pattern": "samordnad individuell plan", "id": "sip"} in patterns
    assert {"label": "form", "pattern": "7804", "id": "lakarintyg-fk7804"} in patterns
    assert {"label": "step", "pattern": "Kalla till SIP", "id": "soc-sip"} in patterns
    lookups = nlu_lookups(kb)
    party = dict(lookups["party"])
    assert "ek bistånd" in party["socialtjansten"] and "ek bistand" in party["socialtjansten"]
    assert set(lookups) == {"party", "step", "form", "concept"}


def test_which_entries_answer_a_facet(query):
    def hit(kind, entry_id):
        return Hit(kind, entry_id, 1.0, query.get(kind, entry_id))

    assert query.answers_facet(hit("step", "soc-utreda"), "nar")
    assert not query.answers_facet(hit("step", "soc-sip"), "nar")
    assert query.answers_facet(hit("step", "vard-lakarintyg"), "blanketter")
    assert not query.answers_facet(hit("concept", "arbetsformaga"), "nar")  # its one step gives no time
    assert query.answers_facet(hit("concept", "arbetsformaga"), "blanketter")
    assert query.answers_facet(hit("faq", "faq-nar-arbetsformaga"), "nar")
    assert query.answers_facet(hit("faq", "faq-intyg-kostnad"), "vem")  # "Vem betalar …"
    assert not query.answers_facet(hit("faq", "faq-samtycke"), "nar")
    assert [s.id for s in query.facet_steps("sip", "lagrum")] == ["soc-sip"]
    assert not query.facet_steps("ekonomiskt-bistand", "lagrum")  # no step of its own …
    assert query.answers_facet(hit("concept", "ekonomiskt-bistand"), "lagrum")  # … but a law
    assert not query.answers_facet(hit("concept", "ekonomiskt-bistand"), "nar")


@pytest.mark.parametrize("question, facet", [
    ("När ska jag ansöka om samordning av rehabiliteringsinsatser?", "nar"),
    ("Hur snabbt ska Jobbtorg göra en jobbplan?", "nar"),
    ("Vem har ansvaret för att samordna rehabiliteringen?", "vem"),
    ("Finns det en blankett för ansökan om samordning?", "blanketter"),
    ("Vilket läkarintyg ska vården skriva?", "blanketter"),
    ("Vilken socialtjänstlag gäller?", "lagrum"),
    ("Hur kallar jag till SIP?", None),
    ("Vad betyder SGI 0?", None),
])
def test_the_facet_an_faq_question_asks(query, question, facet):
    entry = SimpleNamespace(question=question)
    asked = [f for f in ("nar", "vem", "blanketter", "lagrum") if query.answers_facet(Hit("faq", "x", 1.0, entry), f)]
    assert asked == ([facet] if facet else [])


def test_entry_id_knows_inflected_names(query):
    # The NLU's synonyms map only the names as written; the actions get the rest raw.
    assert query.entry_id("concept", "sip") == "sip"
    assert query.entry_id("concept", "arbetsförmågan") == "arbetsformaga"
    assert query.entry_id("concept", "SIP-mötet") == "sip"
    assert query.entry_id("party", "Försäkringskassans") == "fk"
    assert query.entry_id("concept", "pannkaka") is None
    assert query.entry_id("party", "arbetsförmågan") is None  # a concept is no party


def test_laws_named_by_short_name_or_the_law_s_own_word(query):
    assert query.laws_named("vad säger SoL om sip") == {"sol"}
    assert query.laws_named("vad sager socialtjanstlagen") == {"sol"}
    assert query.laws_named("enligt hälso- och sjukvårdslagen och SFB") == {"hsl", "sfb"}
    assert query.laws_named("solen skiner, vad säger lagen") == set()
