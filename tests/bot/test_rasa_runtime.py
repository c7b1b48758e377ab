"""The start-up adjustments of Rasa (bot/rasa_server/) and the SQLite store (bot/stores.py).

Each test compares with Rasa's own code: same results, same errors, same stored rows.
"""
from __future__ import annotations

import json
import sqlite3
import weakref
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

import numpy as np
import pytest
import rasa.core.run
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.core.tracker_store import SQLTrackerStore
from rasa.core.utils import AvailableEndpoints
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import ClientResponseError, EndpointConfig
from rasa.nlu.classifiers.diet_classifier import DIET, DIETClassifier
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from sklearn.feature_extraction.text import CountVectorizer
from tensorflow.python.eager.polymorphic_function.monomorphic_function import ConcreteFunction
from rasa.utils.tensorflow import crf, rasa_layers
from rasa.utils.tensorflow import layers as tf_layers
from rasa.utils.tensorflow.layers import CRF
from rasa.utils.tensorflow.models import RasaModel

from bot import paths, rasa_server, stores
from bot.rasa_server import action_calls, diet, domain, featurizers, graph_runner, sources
from bot.bench import question_bank
from bot.stores import SQLiteTrackerStore

# Rasa's functions as imported, before any test installs the patches.
ORIGINAL: Dict[str, Any] = {
    "validate": RemoteAction._validate_action_result,
    "read_endpoints": AvailableEndpoints.read_endpoints,
    "close_resources": rasa.core.run.close_resources,
    "graph_run": DaskGraphRunner.run,
    "rasa_predict": RasaModel._rasa_predict,
    "diet_predict": DIETClassifier._predict,
    "count_features": CountVectorsFeaturizer._create_features,
    "domain_is_empty": Domain.is_empty,
}
assert RemoteAction._validate_action_result is not action_calls.validate_action_result, "import before install()"

VALID_REPLIES = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "topic", "value": "step:fk-beslut-samordning"}],
     "responses": [{"text": "Hej", "buttons": [{"title": "Nästa steg", "payload": "/ask_next"}]}]},
    {},
]
INVALID_REPLIES = [
    {"events": "inte en lista"},
    {"events": [{"event": "slot"}]},
    {"responses": ["text utan objekt"]},
]


def _events_of_every_kind() -> List[Dict[str, Any]]:
    """One event of many of Rasa's event types, as Rasa itself writes them."""
    from datetime import datetime

    from rasa.shared.core import events as e

    return [event.as_dict() for event in [
        e.UserUttered("hej", {"name": "greet", "confidence": 1.0}, []), e.BotUttered("Hej", {"buttons": []}),
        e.SlotSet("topic", "step:x"), e.ActionExecuted("action_answer"), e.SessionStarted(), e.Restarted(),
        e.AllSlotsReset(), e.FollowupAction("action_listen"), e.UserUtteranceReverted(), e.ActionReverted(),
        e.ConversationPaused(), e.ConversationResumed(), e.StoryExported(), e.ActiveLoop("guide_form"),
        e.LoopInterrupted(True), e.ActionExecutionRejected("action_answer"),
        e.ReminderScheduled("EXTERNAL_x", datetime(2027, 1, 1), name="r"), e.ReminderCancelled(name="r"),
        e.EntitiesAdded([{"entity": "party", "value": "fk", "start": 0, "end": 2}]),
        e.DefinePrevUserUtteredFeaturization(False), e.AgentUttered("x"),
    ]]


def _replies_to_compare() -> List[Any]:
    good = _events_of_every_kind()
    broken = [{**event, "timestamp": "i går"} for event in good[:6]] + [
        {"event": "okänd"}, {"event": None}, {"event": ["slot"]}, {"name": "topic"}, "slot", None,
        {"event": "slot", "name": 5}, {"event": "user", "parse_data": "text"},
    ]
    replies: List[Any] = [{"events": [event]} for event in good + broken]
    replies += [{"events": good}, {"events": good + broken[:1]}, {"events": None}, [], "text", None]
    return replies + VALID_REPLIES + INVALID_REPLIES


def test_the_per_event_check_gives_the_full_checks_answer() -> None:
    """A reply passes the quick check only if the full check accepts it (else: the full check)."""
    full = action_calls._response_validator()
    replies = _replies_to_compare()
    answers = [(action_calls.reply_is_valid(reply), full.is_valid(reply)) for reply in replies]
    assert [quick for quick, _ in answers] == [complete for _, complete in answers]
    assert sum(quick for quick, _ in answers) > 20  # most of the good ones take the quick way


@pytest.fixture
def remote_action() -> Iterator[RemoteAction]:
    original = RemoteAction._validate_action_result
    yield RemoteAction("action_answer", None)
    RemoteAction._validate_action_result = original


@pytest.mark.parametrize("reply", VALID_REPLIES)
def test_compiled_check_accepts_what_rasa_accepts(remote_action: RemoteAction, reply: Dict[str, Any]) -> None:
    assert remote_action._validate_action_result(reply)
    rasa_server.install()
    assert remote_action._validate_action_result(reply)


@pytest.mark.parametrize("reply", INVALID_REPLIES)
def test_compiled_check_rejects_what_rasa_rejects_with_the_same_error(
    remote_action: RemoteAction, reply: Dict[str, Any]
) -> None:
    with pytest.raises(ValidationError) as rasa_error:
        remote_action._validate_action_result(reply)
    rasa_server.install()
    assert RemoteAction._validate_action_result is action_calls.validate_action_result
    with pytest.raises(ValidationError) as ours:
        remote_action._validate_action_result(reply)
    assert ours.value.message == rasa_error.value.message


async def test_sqlite_store_keeps_conversations_in_wal_mode(tmp_path: Path) -> None:
    db = tmp_path / "rasa.db"
    store = SQLiteTrackerStore(domain=Domain.empty(), db=str(db), host=None, dialect="sqlite")
    tracker = DialogueStateTracker.from_events("anna", [UserUttered("hej", {"name": "greet"})])
    await store.save(tracker)

    reopened = SQLiteTrackerStore(domain=Domain.empty(), db=str(db))
    restored = await reopened.retrieve("anna")
    assert restored is not None and restored.latest_message.text == "hej"
    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


# --- the store: same rows and same trackers as Rasa's SQLTrackerStore ---------------------

def _conversation(sender: str) -> List[Any]:
    """Two sessions with user, bot, slot and action events, with distinct timestamps."""
    events: List[Any] = []
    clock = 1_700_000_000.0
    for session in range(2):
        for event in (
            ActionExecuted(ACTION_SESSION_START_NAME), SessionStarted(), ActionExecuted(ACTION_LISTEN_NAME),
            UserUttered(f"fråga {session}", {"name": "ask_who", "confidence": 0.9}, [{"entity": "party", "value": "fk"}]),
            ActionExecuted("action_answer"), BotUttered("Svar", {"buttons": [{"title": "Nästa", "payload": "/ask_next"}]}),
            SlotSet("topic", f"step:steg-{session}"), ActionExecuted(ACTION_LISTEN_NAME),
        ):
            clock += 1.0
            event.timestamp = clock
            events.append(event)
    return events


def _rows(db: Path) -> List[tuple]:
    with sqlite3.connect(db) as connection:
        return connection.execute(
            "SELECT id, sender_id, type_name, timestamp, intent_name, action_name, data FROM events ORDER BY id"
        ).fetchall()


async def _save_in_steps(store: Any, sender: str, events: List[Any], domain: Domain) -> None:
    """As the processor does: save after the first event, in the middle, and at the end."""
    for end in (1, 5, 12, len(events), len(events)):
        await store.save(DialogueStateTracker.from_events(sender, events[:end], domain.slots))


async def test_store_writes_the_same_rows_as_rasas_store(tmp_path: Path) -> None:
    domain = Domain.from_yaml("slots:\n  topic:\n    type: text\n    mappings: []\n")
    ours = SQLiteTrackerStore(domain=domain, db=str(tmp_path / "ours.db"))
    rasas = SQLTrackerStore(domain=domain, dialect="sqlite", db=str(tmp_path / "rasa.db"))
    for store in (ours, rasas):
        await _save_in_steps(store, "anna", _conversation("anna"), domain)
        await _save_in_steps(store, "bo", _conversation("bo")[:6], domain)
    # Equal row for row, including the quirks of Rasa's way of counting what is already stored
    # (events stamped at or after the latest session start), e.g. a two-session tracker saved
    # at once is stored again, and an event stamped just before its session start is repeated.
    rows = _rows(tmp_path / "ours.db")
    assert rows == _rows(tmp_path / "rasa.db")
    assert {row[1] for row in rows} == {"anna", "bo"}


async def test_store_reads_the_same_trackers_as_rasas_store(tmp_path: Path) -> None:
    domain = Domain.from_yaml("slots:\n  topic:\n    type: text\n    mappings: []\n")
    db = str(tmp_path / "rasa.db")
    rasas = SQLTrackerStore(domain=domain, dialect="sqlite", db=db)
    events = _conversation("anna")
    await rasas.save(DialogueStateTracker.from_events("anna", events, domain.slots))
    # A conversation without any session start is read whole.
    await rasas.save(DialogueStateTracker.from_events("bo", events[2:6], domain.slots))
    ours = SQLiteTrackerStore(domain=domain, db=db)
    for sender in ("anna", "bo", "okänd"):
        for read in ("retrieve", "retrieve_full_tracker"):
            expected = await getattr(rasas, read)(sender)
            actual = await getattr(ours, read)(sender)
            if expected is None:
                assert actual is None
                continue
            assert [e.as_dict() for e in actual.events] == [e.as_dict() for e in expected.events]
            assert actual.current_state() == expected.current_state()
    latest = await ours.retrieve("anna")
    assert latest is not None and len(latest.events) == 7 and latest.get_slot("topic") == "step:steg-1"


def test_store_refuses_a_rasa_table_it_was_not_written_for(monkeypatch: pytest.MonkeyPatch) -> None:
    stores.check_rasa_schema()
    monkeypatch.setattr(stores, "COLUMNS", stores.COLUMNS + ("extra",))
    with pytest.raises(RuntimeError, match="update the SQL"):
        stores.check_rasa_schema()


# --- start-up checks of the patched Rasa functions ---------------------------------------

def test_every_patched_function_is_the_one_the_patches_were_written_for() -> None:
    originals = {
        "RemoteAction._validate_action_result": ORIGINAL["validate"],
        "EndpointConfig.request": EndpointConfig.request,
        "EndpointConfig.session": EndpointConfig.session,
        "AvailableEndpoints.read_endpoints": ORIGINAL["read_endpoints"],
        "close_resources": ORIGINAL["close_resources"],
        "DaskGraphRunner.run": ORIGINAL["graph_run"],
        "RasaModel._rasa_predict": ORIGINAL["rasa_predict"],
        "DIET.batch_predict": DIET.batch_predict,
        "DIET._batch_predict_entities": DIET._batch_predict_entities,
        "CRF.call": CRF.call,
        "crf_decode": crf.crf_decode,
        "crf_decode_forward": crf.crf_decode_forward,
        "crf_decode_backward": crf.crf_decode_backward,
        "CrfDecodeForwardRnnCell.call": crf.CrfDecodeForwardRnnCell.call,
        "DIETClassifier._predict": ORIGINAL["diet_predict"],
        "RasaSequenceLayer.call": rasa_layers.RasaSequenceLayer.call,
        "RasaFeatureCombiningLayer.call": rasa_layers.RasaFeatureCombiningLayer.call,
        "RasaFeatureCombiningLayer._combine_sequence_level_features":
            rasa_layers.RasaFeatureCombiningLayer._combine_sequence_level_features,
        "RasaFeatureCombiningLayer._combine_sentence_level_features":
            rasa_layers.RasaFeatureCombiningLayer._combine_sentence_level_features,
        "RasaFeatureCombiningLayer._concat_sequence_sentence_features":
            rasa_layers.RasaFeatureCombiningLayer._concat_sequence_sentence_features,
        "ConcatenateSparseDenseFeatures.call": rasa_layers.ConcatenateSparseDenseFeatures.call,
        "ConcatenateSparseDenseFeatures._process_sparse_feature":
            rasa_layers.ConcatenateSparseDenseFeatures._process_sparse_feature,
        "DenseForSparse.call": tf_layers.DenseForSparse.call,
        "RandomlyConnectedDense.call": tf_layers.RandomlyConnectedDense.call,
        "Ffnn.call": tf_layers.Ffnn.call,
        "Embed.call": tf_layers.Embed.call,
        "CountVectorsFeaturizer._create_features": ORIGINAL["count_features"],
        "CountVectorizer.transform": CountVectorizer.transform,
        "CountVectorizer._count_vocab": CountVectorizer._count_vocab,
        "Domain.is_empty": ORIGINAL["domain_is_empty"],
        "ConcreteFunction._call_with_structured_signature": ConcreteFunction._call_with_structured_signature,
        "ConcreteFunction._call_flat": ConcreteFunction._call_flat,
    }
    assert set(originals) == set(sources.EXPECTED_SOURCES)
    for name, function in originals.items():
        assert sources.source_digest(function) == sources.EXPECTED_SOURCES[name], name


def test_a_changed_rasa_function_stops_the_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sources.EXPECTED_SOURCES, "EndpointConfig.request", "0" * 16)
    with pytest.raises(sources.RasaVersionError, match="EndpointConfig.request"):
        sources.expect_source(EndpointConfig.request)


# --- the action endpoint: one session, Rasa's request semantics ---------------------------

@pytest.fixture
async def action_server() -> Any:
    """A stand-in action server that reports which client port each request came from."""
    from aiohttp import web

    async def webhook(request: web.Request) -> web.Response:
        body = await request.json()
        if body.get("fail"):
            return web.Response(status=400, text=json.dumps({"action_name": "action_answer", "error": "nej"}))
        peer = request.transport.get_extra_info("peername")[1]
        return web.json_response({"events": [], "responses": [{"text": body["text"]}], "peer": peer})

    app = web.Application()
    app.router.add_post("/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}/webhook"
    await runner.cleanup()


async def test_action_calls_share_one_connection_and_answer_like_rasas(action_server: str) -> None:
    rasas = EndpointConfig(url=action_server, headers={"X-Bot": "ja"})
    pooled = action_calls.PooledActionEndpoint.from_endpoint(rasas)
    assert vars(pooled) == vars(rasas)
    try:
        first = await pooled.request(json={"text": "ett"}, method="post", timeout=10)
        second = await pooled.request(json={"text": "två"}, method="post", timeout=10)
        reference = await rasas.request(json={"text": "ett"}, method="post", timeout=10)
        assert {**first, "peer": None} == {**reference, "peer": None}
        assert first["responses"] == [{"text": "ett"}] and second["responses"] == [{"text": "två"}]
        assert first["peer"] == second["peer"]  # the same TCP connection
        with pytest.raises(ClientResponseError) as ours:
            await pooled.request(json={"fail": True}, method="post", timeout=10)
        with pytest.raises(ClientResponseError) as theirs:
            await rasas.request(json={"fail": True}, method="post", timeout=10)
        assert (ours.value.status, ours.value.text) == (theirs.value.status, theirs.value.text)
    finally:
        await pooled.close()


def test_the_action_endpoint_from_endpoints_yml_is_pooled(monkeypatch: pytest.MonkeyPatch) -> None:
    from rasa.core.utils import AvailableEndpoints

    monkeypatch.setenv("BOT_ACTION_PORT", "5055")
    monkeypatch.setenv("BOT_TRACKER_DB", "var/rasa.db")
    rasa_server.install()
    endpoints = AvailableEndpoints.read_endpoints(str(paths.ENDPOINTS))
    assert isinstance(endpoints.action, action_calls.PooledActionEndpoint)
    assert endpoints.action.url == "http://127.0.0.1:5055/webhook"
    assert endpoints.tracker_store is not None and not isinstance(endpoints.tracker_store, action_calls.PooledActionEndpoint)
    assert action_calls.ACTION_KEEPALIVE_SECONDS < 5  # Sanic's keep-alive on the action server


# --- the graph runner: dask's order, dask's results --------------------------------------

class _Component:
    """Stands in for a graph component class in a schema; never instantiated here."""


def _runner(calls: List[str], fail: Optional[str] = None, error: type = ValueError) -> Any:
    from rasa.engine.graph import ExecutionContext, GraphSchema, SchemaNode
    from rasa.engine.runner.dask import DaskGraphRunner

    needs = {
        "a": {}, "b": {"x": "a", "m": "__message__"}, "c": {"x": "a"}, "d": {"x": "b", "y": "c"},
        "provider": {}, "target": {"x": "d", "p": "provider", "q": "missing"}, "unused": {"x": "a"},
    }
    schema = GraphSchema({
        name: SchemaNode(needs=n, uses=_Component, constructor_name="create", fn="run", config={},
                         is_target=name == "target")
        for name, n in needs.items()
    })

    def node(name: str) -> Callable[..., Tuple[str, Any]]:
        def run(*inputs: Any) -> Tuple[str, Any]:
            calls.append(name)
            if name == fail:
                raise error("kaputt")
            return name, [name, *inputs]
        return run

    runner = DaskGraphRunner.__new__(DaskGraphRunner)
    runner._graph_schema = schema
    runner._instantiated_nodes = {name: node(name) for name in needs}
    runner._execution_context = ExecutionContext(schema, "test")
    return runner


@pytest.mark.parametrize("targets", [None, ["d"], ["c", "b"]])
def test_graphs_run_in_dasks_order_with_dasks_results(targets: Optional[List[str]]) -> None:
    expected_calls: List[str] = []
    calls: List[str] = []
    inputs = {"__message__": ["meddelande"]}
    expected = ORIGINAL["graph_run"](_runner(expected_calls), inputs, targets)
    for _ in range(2):  # the second run uses the cached order
        calls.clear()
        assert graph_runner.run_graph_in_dask_order(_runner(calls), inputs, targets) == expected
        assert calls == expected_calls


@pytest.mark.parametrize("error", [ValueError, RuntimeError])
def test_graph_errors_are_rasas(error: type) -> None:
    with pytest.raises(Exception) as theirs:
        ORIGINAL["graph_run"](_runner([], "c", error), {"__message__": []})
    with pytest.raises(Exception) as ours:
        graph_runner.run_graph_in_dask_order(_runner([], "c", error), {"__message__": []})
    assert type(ours.value) is type(theirs.value)
    assert str(ours.value) == str(theirs.value)
    assert type(ours.value.__cause__) is type(theirs.value.__cause__)


# --- the whole model: identical parses and predictions with every patch ------------------

@pytest.fixture(scope="module")
def agent() -> Any:
    import asyncio

    from rasa.core.agent import Agent

    return asyncio.new_event_loop().run_until_complete(_load(Agent))


async def _load(agent_class: Any) -> Any:
    return agent_class.load(str(paths.MODELS / f"{paths.MODEL_NAME}.tar.gz"))


# Adjustment 10 computes DIET's layers in NumPy: the same entities, confidences equal up to
# rounding (bot/diet_tagger.py). Everything else in a parse must be Rasa's, exactly.
ENTITY_CONFIDENCE_TOLERANCE = 1e-5


def same_parse(ours: Dict[str, Any], rasas: Dict[str, Any]) -> bool:
    def split(parse: Dict[str, Any]) -> Tuple[Dict[str, Any], List[float]]:
        entities = [dict(entity) for entity in parse.get("entities", [])]
        confidences = [entity.pop("confidence_entity", 0.0) for entity in entities]
        return {**parse, "entities": entities}, confidences

    (ours_rest, ours_confidences), (rasas_rest, rasas_confidences) = split(ours), split(rasas)
    return ours_rest == rasas_rest and np.allclose(
        ours_confidences, rasas_confidences, rtol=0, atol=ENTITY_CONFIDENCE_TOLERANCE
    )


PARSE_TEXTS = ["hej", "vem kallar till SIP?", "vad betyder SGI?", "hur snabbt ska jobbplanen vara klar?",
               "vilken blankett används för gemensam kartläggning?", "asdf qwerty", "tack så mycket"]


async def test_the_model_parses_and_predicts_the_same_with_the_patches(agent: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from rasa.engine.runner.dask import DaskGraphRunner
    from rasa.utils.tensorflow.models import RasaModel

    async def results() -> List[Any]:
        out = []
        for text in PARSE_TEXTS:
            parsed = await agent.parse_message(text)
            tracker = DialogueStateTracker.from_events(
                "t", [ActionExecuted(ACTION_LISTEN_NAME), UserUttered(text, parsed["intent"], parsed["entities"], parsed)],
                agent.domain.slots,
            )
            prediction = agent.processor._predict_next_with_tracker(tracker)
            out.append((parsed, prediction.probabilities, prediction.policy_name))
        return out

    monkeypatch.setattr(DaskGraphRunner, "run", ORIGINAL["graph_run"])
    monkeypatch.setattr(RasaModel, "_rasa_predict", ORIGINAL["rasa_predict"])
    monkeypatch.setattr(DIETClassifier, "_predict", ORIGINAL["diet_predict"])
    monkeypatch.setattr(CountVectorsFeaturizer, "_create_features", ORIGINAL["count_features"])
    monkeypatch.setattr(Domain, "is_empty", ORIGINAL["domain_is_empty"])
    expected = await results()
    monkeypatch.undo()
    rasa_server.install()
    assert DaskGraphRunner.run is graph_runner.run_graph_in_dask_order
    assert RasaModel._rasa_predict is diet.rasa_predict_concrete
    assert DIETClassifier._predict is diet.diet_predict_direct
    assert CountVectorsFeaturizer._create_features is featurizers.create_features_directly
    assert Domain.is_empty is domain.domain_is_empty
    found = await results()
    assert len(found) == len(expected)
    for (parse, probabilities, policy), (rasas_parse, rasas_probabilities, rasas_policy) in zip(found, expected):
        assert same_parse(parse, rasas_parse), parse["text"]
        assert (probabilities, policy) == (rasas_probabilities, rasas_policy), parse["text"]


async def test_the_question_bank_parses_the_same_with_the_patches(agent: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every question of the bank: the same intents and entities as Rasa's own code gives."""
    from rasa.engine.runner.dask import DaskGraphRunner
    from rasa.utils.tensorflow.models import RasaModel

    questions = question_bank()
    monkeypatch.setattr(DaskGraphRunner, "run", ORIGINAL["graph_run"])
    monkeypatch.setattr(RasaModel, "_rasa_predict", ORIGINAL["rasa_predict"])
    monkeypatch.setattr(DIETClassifier, "_predict", ORIGINAL["diet_predict"])
    monkeypatch.setattr(CountVectorsFeaturizer, "_create_features", ORIGINAL["count_features"])
    expected = [await agent.parse_message(question) for question in questions]
    monkeypatch.undo()
    rasa_server.install()
    found = [await agent.parse_message(question) for question in questions]
    assert sum(len(parse["entities"]) for parse in found) > len(questions) / 2  # the bank has entities
    different = [q for q, ours, rasas in zip(questions, found, expected) if not same_parse(ours, rasas)]
    assert different == []


async def test_diets_input_batches_are_rasas_array_for_array(agent: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """bot/diet_batch.py: the same eight arrays (dtype, shape, every entry in order) as Rasa's."""
    questions = question_bank()[:120] + ["?", "SIP", "fk7801 och af 00251"]
    rasa_server.install()
    batches: List[Tuple[Any, ...]] = []

    def capture(self: Any, batch_in: Tuple[Any, ...]) -> Dict[str, Any]:
        batches.append(tuple(np.asarray(array) for array in batch_in))
        return diet.rasa_predict_concrete(self, batch_in)

    monkeypatch.setattr(RasaModel, "_rasa_predict", capture)
    monkeypatch.setattr(DIETClassifier, "_predict", ORIGINAL["diet_predict"])
    # Adjustment 10 off: every message's batch goes to TensorFlow, where it is captured.
    monkeypatch.setattr(diet, "_numpy_taggers", weakref.WeakKeyDictionary())
    monkeypatch.setattr(diet, "_checked_numpy_tagger", lambda *_: None)
    for question in questions:
        await agent.parse_message(question)
    rasas, batches = batches, []
    monkeypatch.setattr(DIETClassifier, "_predict", diet.diet_predict_direct)
    for question in questions:
        await agent.parse_message(question)

    assert len(batches) == len(rasas) == len(questions)
    for question, ours, theirs in zip(questions, batches, rasas):
        assert len(ours) == len(theirs) == 8, question
        for mine, rasa in zip(ours, theirs):
            assert mine.dtype == rasa.dtype and mine.shape == rasa.shape, question
            np.testing.assert_array_equal(mine, rasa, err_msg=question)


# --- adjustment 10: DIET's layers in NumPy ------------------------------------------------

def _diet(agent: Any) -> Any:
    nodes = agent.processor.graph_runner._instantiated_nodes.values()
    (component,) = [node._component for node in nodes if isinstance(node._component, DIETClassifier)]
    return component


async def _diet_messages(agent: Any, texts: List[str], monkeypatch: pytest.MonkeyPatch) -> List[Any]:
    """The messages as they reach DIET (with every featurizer's features), one per text."""
    messages: List[Any] = []

    def capture(self: Any, message: Any) -> Any:
        messages.append(message)
        return ORIGINAL["diet_predict"](self, message)

    with monkeypatch.context() as patch:
        patch.setattr(DIETClassifier, "_predict", capture)
        for text in texts:
            await agent.parse_message(text)
    return messages


async def test_diets_layers_in_numpy_give_tensorflows_tags(agent: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The whole question bank and odd inputs: the same tag ids as TensorFlow's graph, confidences
    and hidden values equal up to rounding; and the production model does get the NumPy layers."""
    from rasa.shared.constants import DIAGNOSTIC_DATA

    from bot.diet_batch import features_batch, message_features

    rasa_server.install()
    component = _diet(agent)
    await agent.parse_message("vem kallar till SIP?")
    tagger = diet._numpy_taggers.get(component.model)
    assert isinstance(tagger, diet._NumpyTagger)  # config.yml's DIET is of the shape it handles

    texts = question_bank() + ["?", "SIP", "fk7801 och af 00251", "a " * 60, "Försäkringskassan"]
    messages = await _diet_messages(agent, texts, monkeypatch)
    featurizers = component.component_config.get("featurizers")
    tagged = 0
    for text, message in zip(texts, messages):
        features = message_features(message, featurizers)
        expected = component.model._rasa_predict(features_batch(*features))
        found = diet._predict_in_numpy(component.model, tagger, *features)
        np.testing.assert_array_equal(found["e_entity_ids"], expected["e_entity_ids"], err_msg=text)
        np.testing.assert_allclose(found["e_entity_scores"], expected["e_entity_scores"], rtol=0, atol=1e-5, err_msg=text)
        np.testing.assert_allclose(found[DIAGNOSTIC_DATA]["text_transformed"],
                                   expected[DIAGNOSTIC_DATA]["text_transformed"], rtol=0, atol=1e-4, err_msg=text)
        assert found[DIAGNOSTIC_DATA]["attention_weights"] is expected[DIAGNOSTIC_DATA]["attention_weights"] is None
        tagged += bool(found["e_entity_ids"].any())
    assert tagged > len(texts) / 3  # the comparison covers tagged entities, not only "no entity"


@pytest.mark.parametrize("setting", [1, {"text": 2, "label": 0}])
def test_diets_with_transformer_layers_are_left_to_tensorflow(agent: Any, monkeypatch: pytest.MonkeyPatch, setting: Any) -> None:
    from bot.diet_tagger import tagger_weights

    model = _diet(agent).model
    assert tagger_weights(model) is not None
    monkeypatch.setitem(model.config, "number_of_transformer_layers", setting)
    assert tagger_weights(model) is None


def test_diets_with_other_feature_layers_are_left_to_tensorflow(agent: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.diet_tagger import tagger_weights

    combining = _diet(agent).model._tf_layers["sequence_layer.text"]._tf_layers["feature_combining"]
    monkeypatch.setitem(combining._tf_layers, "unify_dims_before_seq_sent_concat.sequence", object())
    assert tagger_weights(_diet(agent).model) is None


async def test_numpy_layers_that_disagree_with_tensorflow_are_not_used(
    agent: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The first message checks the NumPy layers; if they disagree, TensorFlow computes, as before."""
    import bot.diet_tagger

    rasa_server.install()
    right = bot.diet_tagger.potentials

    def off_by_a_little(*args: Any) -> Tuple[np.ndarray, np.ndarray]:
        hidden, found = right(*args)
        return hidden + np.float32(1e-3), found

    monkeypatch.setattr(diet, "_numpy_taggers", weakref.WeakKeyDictionary())
    monkeypatch.setattr(bot.diet_tagger, "potentials", off_by_a_little)
    expected = await agent.parse_message("vilken blankett används för gemensam kartläggning?")
    assert diet._numpy_taggers[_diet(agent).model] is None
    assert "TensorFlow" in caplog.text
    assert await agent.parse_message("vilken blankett används för gemensam kartläggning?") == expected


def test_other_diet_inputs_are_left_to_rasa() -> None:
    from rasa.shared.nlu.training_data.message import Message

    from bot.diet_batch import has_simple_layout, message_batch

    assert message_batch(Message(data={"text": "hej"}), None) is None  # no features: Rasa decides
    assert not has_simple_layout({"text": {}, "label": {}})


def _count_featurizers(agent: Any) -> List[Any]:
    nodes = agent.processor.graph_runner._instantiated_nodes.values()
    found = [node._component for node in nodes if isinstance(node._component, CountVectorsFeaturizer)]
    assert len(found) == 3  # words as lemmas, words and word pairs, character n-grams (config.yml)
    return found


def test_count_vector_features_are_rasas_matrix_for_matrix(agent: Any) -> None:
    """Adjustment 8: the same COO matrices (dtype, shape, every entry in order) as Rasa's code."""
    rasa_server.install()
    texts = question_bank()[:150] + ["?", "SIP", "fk7801 och af 00251", "åäö ÅÄÖ é", "hej hej hej"]
    tokens = [text.lower().replace("?", " ?").split() for text in texts] + [[]]
    for featurizer in _count_featurizers(agent):
        expected = ORIGINAL["count_features"](featurizer, "text", tokens)
        found = featurizers.create_features_directly(featurizer, "text", tokens)
        assert len(found[0]) == len(found[1]) == len(tokens)
        for theirs, ours in zip((m for part in expected for m in part), (m for part in found for m in part)):
            if theirs is None:
                assert ours is None
                continue
            assert ours.format == theirs.format == "coo" and ours.shape == theirs.shape
            for name in ("row", "col", "data"):
                mine, rasa = getattr(ours, name), getattr(theirs, name)
                assert mine.dtype == rasa.dtype, name
                np.testing.assert_array_equal(mine, rasa)


def test_a_count_vectorizer_without_vocabulary_is_left_to_rasa(agent: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    featurizer = _count_featurizers(agent)[0]
    calls: List[str] = []
    rasa_server.install()
    rasa = lambda *args: calls.append("rasa") or ([None], [None])  # noqa: E731
    monkeypatch.setitem(sources._originals, featurizers.create_features_directly, rasa)
    monkeypatch.setattr(featurizer, "vectorizers", {"text": CountVectorizer()})
    assert featurizers.create_features_directly(featurizer, "text", [["hej"]]) == ([None], [None])
    assert calls == ["rasa"]


def test_the_empty_domain_is_recognised_as_before() -> None:
    rasa_server.install()
    assert Domain.empty().is_empty() and ORIGINAL["domain_is_empty"](Domain.empty())
    full = Domain.load(str(paths.DOMAIN))
    assert not full.is_empty() and not ORIGINAL["domain_is_empty"](full)


def test_the_short_graph_call_gives_the_full_calls_results_and_errors() -> None:
    """Adjustment 5: the flat call of a concrete function, and the full call where shapes differ."""
    import tensorflow as tf

    specs = [tf.TensorSpec((None, 2), tf.float32), tf.TensorSpec((None,), tf.int64)]
    concrete = tf.function(lambda args: {"sum": tf.reduce_sum(args[0], axis=1) + tf.cast(args[1], tf.float32)},
                           input_signature=[specs]).get_concrete_function()
    tensors = [tf.constant([[1.0, 2.0], [3.0, 4.0]]), tf.constant([10, 20], dtype=tf.int64)]
    np.testing.assert_array_equal(diet.call_concrete(concrete, specs, tensors)["sum"], concrete(tensors)["sum"])
    wrong = [tf.constant([[1.0, 2.0, 3.0]]), tf.constant([1], dtype=tf.int64)]
    with pytest.raises(ValueError) as full:
        concrete(wrong)
    with pytest.raises(ValueError) as short:
        diet.call_concrete(concrete, specs, wrong)
    assert str(short.value) == str(full.value)
