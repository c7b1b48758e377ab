"""`python -m bot.rasa_server run …`: Rasa's own command line, with seven start-up adjustments.

Every adjustment below keeps Rasa's behaviour and was measured with a profiler (py-spy or
cProfile) and A/B runs during `make bench` (`python -m bot.bench`: one answered question per
new conversation, one user at a time); tests/bot/test_rasa_runtime.py compares each with
Rasa's own code. Each code patch replaces or wraps a Rasa 3.6 function whose source is
checked at start-up (`_expect_source`): if Rasa is upgraded or the function differs in any
way, the server refuses to start instead of running a patch written for other code.

1. The action server's reply is checked with a compiled JSON-schema validator. Rasa checks
   every reply with `jsonschema.validate`, which first re-checks the response schema itself
   against the JSON Schema meta-schema: about 30 % of the Rasa server's CPU time per answered
   question. The schema is now checked once, at start, and the compiled validator reused.
   Replies are still validated, and an invalid one fails exactly as before, with Rasa's own
   error message. Each event of a valid reply is checked against the one alternative of the
   schema's `oneOf` with its event name, instead of all 23 (the same answer; a reply that
   fails gets the full check and Rasa's error).

2. Calls to the action server reuse one HTTP session and its keep-alive connections.
   Rasa's `EndpointConfig.request` opens a new aiohttp session, and with it a new TCP
   connection, for every action call and closes both afterwards: about 0.5 ms of the
   answered question (p50, A/B against the same build without it, same run). The
   request itself (URL, headers, body, timeout, error handling) is Rasa's, unchanged.
   Idle connections are dropped by the client after `ACTION_KEEPALIVE_SECONDS`, well before
   the action server (Sanic) closes them (`KEEP_ALIVE_TIMEOUT`, 5 s, checked at start), so
   the client does not reuse a connection that the server is about to close.

3. TensorFlow runs each model call on the calling thread (`TF_INTER_OP_PARALLELISM_THREADS`
   and `TF_INTRA_OP_PARALLELISM_THREADS` = 1, Rasa's own settings, unless set otherwise in
   the environment). The DIET model here is small (no transformer layer, 30 dimensions):
   handing its operations to TensorFlow's thread pools cost more than it saved, about 1 ms
   of the 4–5 ms of DIET per message, and on the 2-core server the pools competed with the
   action server. The parse results are identical to the last digit (342 questions from
   tests/kb_questions*.yml compared with both settings).

4. Rasa's graphs (NLU parse: 13 nodes; action prediction: 4 nodes, twice per message) run
   in dask's order, but without dask's scheduler around every run. Rasa hands each run to
   `dask.get` (the synchronous scheduler), which orders the graph and builds its
   bookkeeping (dependencies, dependents, ready queue, per-task wrappers) every time:
   about 1.2 ms CPU per message, 10 % of the Rasa process. The order of a graph depends
   only on its shape, so it is taken from dask itself once per shape (a dry run of dask on
   the same graph with no-op tasks) and every node is then executed with dask's own
   `_execute_task`, on the same inputs, in that order. Results and exceptions are the same.

5. DIET's prediction calls its compiled TensorFlow graph directly. Rasa calls a
   `tf.function` with a fixed input signature, which on every call re-derives the call's
   type, looks it up and casts the inputs before reaching the one compiled graph: about
   0.4 ms of the ~1.7 ms per call. The graph is the same (`get_concrete_function()` of
   that `tf.function`), the inputs are converted with the same dtypes, the outputs are
   identical. The first call of a model still goes through Rasa, which builds the graph.

6. DIET's CRF decoding runs in NumPy (bot/crf_viterbi.py), for a DIET that only tags entities,
   as in config.yml. In the compiled graph the decoding is a while-loop of some 120
   TensorFlow operations per token: about 1.3 ms of DIET's ~3.3 ms graph call for a short
   question. TensorFlow now computes the same graph up to the CRF layer (DIET's own layers,
   same weights, same inputs), and the NumPy decoding returns the same tag ids and
   confidences, to the bit: tests/bot/test_crf_viterbi.py compares it with Rasa's CRF layer,
   tests/bot/test_rasa_runtime.py the parses of the whole question bank. Any other DIET
   (intents, roles or groups) keeps Rasa's graph.

7. DIET's input batch for one message is built straight from the message's features
   (bot/diet_batch.py). Rasa goes through its training-data machinery (deep copies, pairwise
   `scipy.sparse.hstack`, `RasaModelData`, a batch generator): about 1.6 ms per message for
   eight small arrays. The arrays are the same, entry for entry; where the message or the
   model is of another kind (dense features, no features, other inputs), Rasa builds them.
"""
from __future__ import annotations

import asyncio
import hashlib
import inspect
import os
import ssl
import weakref
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable, Dict, List, Optional, Text, Tuple

import aiohttp
from aiohttp.client_exceptions import ContentTypeError
from jsonschema import exceptions, validators
from rasa.core.actions.action import RemoteAction
from rasa.core.constants import DEFAULT_REQUEST_TIMEOUT
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.exceptions import FileNotFoundException
from rasa.utils.endpoints import ClientResponseError, EndpointConfig, concat_url

# sha256 (first 16 hex digits) of `inspect.getsource` of each Rasa 3.6.21 function patched here.
EXPECTED_SOURCES = {
    "RemoteAction._validate_action_result": "f8cdb4be68123961",
    "EndpointConfig.request": "ccdb778aed8208e2",
    "EndpointConfig.session": "e55aa13d9d4fb4bc",
    "AvailableEndpoints.read_endpoints": "9fa059bcb05cc08a",
    "close_resources": "bc3d36e8149e84cd",
    "DaskGraphRunner.run": "45f0f52f574f3aa9",
    "RasaModel._rasa_predict": "7f745b0f9cb647c9",
    # Not patched, but repeated by adjustment 6 (DIET up to its CRF layer, and the decoding).
    "DIET.batch_predict": "3892283de8939525",
    "DIET._batch_predict_entities": "2cb1598ea7e85510",
    "CRF.call": "89f85c20c33a855b",
    "crf_decode": "1cd02fc4499156c5",
    "crf_decode_forward": "0bb52c2bb66d6a3d",
    "crf_decode_backward": "cb277a0599f65d79",
    "CrfDecodeForwardRnnCell.call": "a2e213f2124ba5c0",
    "DIETClassifier._predict": "228b5091ebd1894b",
}
EXPECTED_DASK_VERSION = "2022.10.2"

# Client-side idle limit for action-server connections; must stay below the server's.
ACTION_KEEPALIVE_SECONDS = 2.0

# Rasa applies these itself at start (rasa.utils.tensorflow.environment); set only if unset.
TF_THREAD_SETTINGS = {"TF_INTER_OP_PARALLELISM_THREADS": "1", "TF_INTRA_OP_PARALLELISM_THREADS": "1"}


class RasaVersionError(RuntimeError):
    """A patched Rasa function is not the one the patch was written for."""


def _source_digest(function: Callable) -> str:
    return hashlib.sha256(inspect.getsource(function).encode()).hexdigest()[:16]


def _expect_source(function: Callable) -> None:
    """Refuse to patch a function whose source differs from the one measured and tested."""
    name = function.__qualname__
    if _source_digest(function) != EXPECTED_SOURCES[name]:
        import rasa

        raise RasaVersionError(
            f"bot/rasa_server.py was written for Rasa 3.6.21, but {name} differs in the "
            f"installed Rasa {rasa.__version__}. Check the patch against the new code and "
            f"update EXPECTED_SOURCES."
        )


# --- 1. compiled check of the action server's reply -------------------------------------

@lru_cache(maxsize=1)
def _response_validator() -> Any:
    """The validator for the action server's reply, built (and its schema checked) once."""
    schema = RemoteAction.action_response_format_spec()
    validator_class = validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


@lru_cache(maxsize=1)
def _per_event_validators() -> Optional[Tuple[Any, Dict[Text, Any]]]:
    """The reply's schema without its event check, and one validator per event type.

    Each event must match exactly one of the 23 alternatives of the schema's `oneOf`, and
    they differ by a constant `event` name. So an event is valid exactly when it is valid
    against the one alternative with its name: checking that one is the same answer as
    checking all 23, which is most of the time of a full check. None if the schema is not
    of that shape (then every reply gets the full check).
    """
    schema = RemoteAction.action_response_format_spec()
    validator_class = validators.validator_for(schema)
    item = schema["properties"]["events"]["items"]
    names = [alternative.get("properties", {}).get("event", {}).get("const") for alternative in item["oneOf"]]
    if not all(isinstance(name, str) for name in names) or len(set(names)) != len(names):
        return None
    base = {key: value for key, value in item.items() if key != "oneOf"}
    per_type = {name: validator_class({**base, "allOf": [alt]}) for name, alt in zip(names, item["oneOf"])}
    events_unchecked = {**schema["properties"]["events"], "items": {}}
    outer = {**schema, "properties": {**schema["properties"], "events": events_unchecked}}
    return validator_class(outer), per_type


def reply_is_valid(result: Any) -> bool:
    """True only if the full check would accept `result`; False means: run the full check."""
    validators_ = _per_event_validators()
    if validators_ is None:
        return False
    outer, per_type = validators_
    if not outer.is_valid(result):
        return False
    for event in result.get("events") or []:
        if not isinstance(event, dict):
            return False
        name = event.get("event")
        if not isinstance(name, str) or name not in per_type or not per_type[name].is_valid(event):
            return False
    return True


def validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
    """Same contract as `RemoteAction._validate_action_result`, without the per-call schema check."""
    if reply_is_valid(result):
        return True
    error = exceptions.best_match(_response_validator().iter_errors(result))
    if error is None:
        return True
    error.message += (
        ". Failed to validate Action server response from API, "
        "make sure your response from the Action endpoint is valid. "
        f"For more information about the format visit {DOCS_BASE_URL}/custom-actions"
    )
    raise error


# --- 2. one HTTP session for all calls to the action server ------------------------------

class PooledActionEndpoint(EndpointConfig):
    """The `action_endpoint` of endpoints.yml, sending every call through one reused session."""

    _pooled_session: Optional[aiohttp.ClientSession] = None
    _pooled_loop: Optional[asyncio.AbstractEventLoop] = None

    @classmethod
    def from_endpoint(cls, endpoint: EndpointConfig) -> "PooledActionEndpoint":
        """The same configuration (url, headers, auth, token, ...), as a pooled endpoint."""
        pooled = cls.__new__(cls)
        pooled.__dict__.update(vars(endpoint))
        return pooled

    def pooled_session(self) -> aiohttp.ClientSession:
        """This event loop's session; configured like Rasa's `EndpointConfig.session()`."""
        loop = asyncio.get_running_loop()
        session = self._pooled_session
        if session is None or session.closed or self._pooled_loop is not loop:
            auth = (
                aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"])
                if self.basic_auth else None
            )
            session = aiohttp.ClientSession(
                headers=self.headers,
                auth=auth,
                timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
                connector=aiohttp.TCPConnector(keepalive_timeout=ACTION_KEEPALIVE_SECONDS),
            )
            self._pooled_session, self._pooled_loop = session, loop
        return session

    async def close(self) -> None:
        """Close the session and its connections (when the server stops)."""
        if self._pooled_session is not None and not self._pooled_session.closed:
            await self._pooled_session.close()
        self._pooled_session = None

    async def request(
        self,
        method: Text = "post",
        subpath: Optional[Text] = None,
        content_type: Optional[Text] = "application/json",
        compress: bool = False,
        **kwargs: Any,
    ) -> Optional[Any]:
        """Rasa's `EndpointConfig.request`, line for line, on the pooled session instead of a new one."""
        headers = {}
        if content_type:
            headers["Content-Type"] = content_type

        if "headers" in kwargs:
            headers.update(kwargs["headers"])
            del kwargs["headers"]

        if self.headers:
            headers.update(self.headers)

        url = concat_url(self.url, subpath)

        sslcontext = None
        if self.cafile:
            try:
                sslcontext = ssl.create_default_context(cafile=self.cafile)
            except FileNotFoundError as e:
                raise FileNotFoundException(
                    f"Failed to find certificate file, "
                    f"'{os.path.abspath(self.cafile)}' does not exist."
                ) from e

        session = self.pooled_session()
        async with session.request(
            method,
            url,
            headers=headers,
            params=self.combine_parameters(kwargs),
            compress=compress,
            ssl=sslcontext,
            **kwargs,
        ) as response:
            if response.status >= 400:
                raise ClientResponseError(
                    response.status,
                    response.reason,
                    await response.content.read(),
                )
            try:
                return await response.json()
            except ContentTypeError:
                return None


def _check_keepalive_below_action_server() -> None:
    from sanic.config import DEFAULT_CONFIG

    if ACTION_KEEPALIVE_SECONDS >= DEFAULT_CONFIG["KEEP_ALIVE_TIMEOUT"]:
        raise RasaVersionError(
            f"ACTION_KEEPALIVE_SECONDS ({ACTION_KEEPALIVE_SECONDS}) must be below the action "
            f"server's Sanic KEEP_ALIVE_TIMEOUT ({DEFAULT_CONFIG['KEEP_ALIVE_TIMEOUT']})."
        )


def _install_pooled_action_endpoint() -> None:
    """Wrap the action endpoint read from endpoints.yml, and close its session when Rasa stops."""
    import rasa.core.run
    from rasa.core.utils import AvailableEndpoints

    if getattr(AvailableEndpoints.read_endpoints, "_bot_pooled", False):
        return
    _expect_source(EndpointConfig.request)
    _expect_source(EndpointConfig.session)
    _expect_source(AvailableEndpoints.read_endpoints)
    _expect_source(rasa.core.run.close_resources)
    _check_keepalive_below_action_server()

    read_endpoints = AvailableEndpoints.read_endpoints.__func__
    close_resources = rasa.core.run.close_resources

    def read_endpoints_pooled(cls: type, endpoint_file: Text) -> AvailableEndpoints:
        endpoints = read_endpoints(cls, endpoint_file)
        if endpoints.action is not None:
            endpoints.action = PooledActionEndpoint.from_endpoint(endpoints.action)
        return endpoints

    async def close_resources_and_action_session(app: Any, loop: asyncio.AbstractEventLoop) -> None:
        endpoint = getattr(getattr(app.ctx, "agent", None), "action_endpoint", None)
        if isinstance(endpoint, PooledActionEndpoint):
            await endpoint.close()
        await close_resources(app, loop)

    read_endpoints_pooled._bot_pooled = True  # type: ignore[attr-defined]
    AvailableEndpoints.read_endpoints = classmethod(read_endpoints_pooled)  # type: ignore[assignment]
    rasa.core.run.close_resources = close_resources_and_action_session


# --- 4. graph runs in dask's order without dask's scheduler ------------------------------

GraphShape = Tuple[Tuple[Text, ...], Tuple[Tuple[Text, bool, Tuple[Any, ...]], ...]]
_dask_orders: Dict[GraphShape, List[Text]] = {}


def _graph_shape(graph: Dict[Text, Any], targets: List[Text]) -> GraphShape:
    """What dask's ordering depends on: the targets and, per key, the task's arguments (or a value)."""
    from dask.core import istask

    return tuple(targets), tuple(
        (key, True, tuple(task[1:])) if istask(task) else (key, False, ()) for key, task in graph.items()
    )


def dask_order(graph: Dict[Text, Any], targets: List[Text]) -> List[Text]:
    """The keys dask's synchronous scheduler computes for `targets`, in the order it computes them.

    Found by running `dask.get` itself on a copy of the graph whose tasks only record their
    key (same keys, same arguments, same values), once per graph shape.
    """
    shape = _graph_shape(graph, targets)
    order = _dask_orders.get(shape)
    if order is None:
        import dask
        from dask.core import istask

        recorded: List[Text] = []

        def recorder(key: Text) -> Callable[..., Tuple[Text, None]]:
            def record(*_: Any) -> Tuple[Text, None]:
                recorded.append(key)
                return key, None
            return record

        dry_run = {
            key: (recorder(key), *task[1:]) if istask(task) else task
            for key, task in graph.items()
        }
        dask.get(dry_run, targets)
        order = _dask_orders[shape] = recorded
    return order


def run_graph_in_dask_order(
    self: Any, inputs: Optional[Dict[Text, Any]] = None, targets: Optional[List[Text]] = None
) -> Dict[Text, Any]:
    """`DaskGraphRunner.run` with the same graph, inputs, order, results and errors, minus dask's scheduler."""
    from dask.core import _execute_task, has_tasks
    from rasa.engine.exceptions import GraphRunError
    from rasa.engine.runner.dask import logger as dask_runner_logger

    run_targets = targets if targets else self._graph_schema.target_names
    minimal_schema = self._graph_schema.minimal_graph_schema(run_targets)
    run_graph = self._build_dask_graph(minimal_schema)

    if inputs:
        self._add_inputs_to_graph(inputs, run_graph)

    dask_runner_logger.debug(
        f"Running graph with inputs: {inputs}, targets: {targets} "
        f"and {self._execution_context}."
    )

    try:
        # As dask.local.start_state_from_dask: values that need no computing are data.
        cache = {key: task for key, task in run_graph.items() if not has_tasks(run_graph, task)}
        for key in dask_order(run_graph, run_targets):
            cache[key] = _execute_task(run_graph[key], cache)
        return dict(cache[target] for target in run_targets)
    except RuntimeError as e:
        raise GraphRunError("Error running runner.") from e


def _install_graph_runner() -> None:
    import dask
    from rasa.engine.runner.dask import DaskGraphRunner

    if DaskGraphRunner.run is run_graph_in_dask_order:
        return
    _expect_source(DaskGraphRunner.run)
    if dask.__version__ != EXPECTED_DASK_VERSION:
        raise RasaVersionError(
            f"bot/rasa_server.py runs Rasa's graphs in the order of dask {EXPECTED_DASK_VERSION}, "
            f"installed is dask {dask.__version__}; check run_graph_in_dask_order against it."
        )
    DaskGraphRunner.run = run_graph_in_dask_order  # type: ignore[assignment]


# --- 5. DIET's compiled graph called directly --------------------------------------------

_concrete_predict_steps: "weakref.WeakKeyDictionary[Any, Any]" = weakref.WeakKeyDictionary()
_original_rasa_predict: Optional[Callable] = None


def rasa_predict_concrete(self: Any, batch_in: Tuple[Any, ...]) -> Dict[Text, Any]:
    """`RasaModel._rasa_predict` once its `tf.function` exists: same graph, same outputs, fewer steps."""
    import tensorflow as tf
    from keras.utils import tf_utils
    from rasa.shared.constants import DIAGNOSTIC_DATA

    assert _original_rasa_predict is not None
    function = self._tf_predict_step
    if function is None or self._run_eagerly or not self.prepared_for_prediction:
        return _original_rasa_predict(self, batch_in)

    self._training = False
    if _tags_entities_only(self):
        return _predict_with_numpy_crf(self, batch_in)
    concrete = _concrete_predict_steps.get(function)
    if concrete is None:
        concrete = _concrete_predict_steps[function] = function.get_concrete_function()
    specs = function.input_signature[0]
    if len(batch_in) != len(specs):
        return _original_rasa_predict(self, batch_in)  # let Rasa/TensorFlow report the mismatch
    tensors = [tf.convert_to_tensor(value, spec.dtype) for value, spec in zip(batch_in, specs)]
    outputs = tf_utils.sync_to_numpy_or_python_type(concrete(tensors))
    if DIAGNOSTIC_DATA in outputs:
        outputs[DIAGNOSTIC_DATA] = self._empty_lists_to_none_in_dict(outputs[DIAGNOSTIC_DATA])
    return outputs


def _replace_method(owner: type, name: str, replacement: Callable) -> Optional[Callable]:
    """Put `replacement` in place of `owner.name` once its source is checked; the original,
    or None if the replacement is already in place."""
    current = getattr(owner, name)
    if current is replacement:
        return None
    _expect_source(current)
    setattr(owner, name, replacement)
    return current


def _install_concrete_predict() -> None:
    global _original_rasa_predict
    from rasa.utils.tensorflow.models import RasaModel

    original = _replace_method(RasaModel, "_rasa_predict", rasa_predict_concrete)
    _original_rasa_predict = original or _original_rasa_predict


# --- 6. DIET's CRF decoded in NumPy ------------------------------------------------------

@dataclass(frozen=True)
class _EntityTagger:
    """One DIET model's graph up to its CRF layer, and the layer's transition weights."""

    potentials: Any  # concrete TensorFlow function: batch -> potentials, lengths, diagnostics
    transitions: Any  # numpy [tags, tags], float32


_entity_taggers: "weakref.WeakKeyDictionary[Any, _EntityTagger]" = weakref.WeakKeyDictionary()


def _tags_entities_only(model: Any) -> bool:
    """A DIET that classifies no intents and tags only entity types (no roles, no groups)."""
    from rasa.nlu.classifiers.diet_classifier import DIET
    from rasa.shared.nlu.constants import ENTITY_ATTRIBUTE_TYPE
    from rasa.utils.tensorflow.constants import ENTITY_RECOGNITION, INTENT_CLASSIFICATION

    return (
        type(model) is DIET
        and not model.config[INTENT_CLASSIFICATION]
        and model.config[ENTITY_RECOGNITION]
        and [spec.tag_name for spec in model._entity_tag_specs if spec.num_tags > 0] == [ENTITY_ATTRIBUTE_TYPE]
    )


@lru_cache(maxsize=1)
def _check_diet_sources() -> None:
    """The DIET and CRF code that adjustment 6 repeats must be the code it was written for (checked once)."""
    from rasa.nlu.classifiers.diet_classifier import DIET
    from rasa.utils.tensorflow import crf
    from rasa.utils.tensorflow.layers import CRF

    for function in (DIET.batch_predict, DIET._batch_predict_entities, CRF.call, crf.crf_decode,
                     crf.crf_decode_forward, crf.crf_decode_backward, crf.CrfDecodeForwardRnnCell.call):
        _expect_source(function)


def _entity_tagger(model: Any) -> _EntityTagger:
    """`DIET.batch_predict` for entities, stopped before `CRF.call`: its inputs, traced once per model."""
    import tensorflow as tf
    from rasa.shared.nlu.constants import ENTITY_ATTRIBUTE_TYPE, TEXT
    from rasa.utils.tensorflow.constants import SENTENCE, SEQUENCE

    tagger = _entity_taggers.get(model)
    if tagger is not None:
        return tagger
    _check_diet_sources()

    def potentials(batch_in: Tuple[Any, ...]) -> Dict[Text, Any]:
        data = model.batch_to_model_data_format(batch_in, model.predict_data_signature)
        lengths = model._get_sequence_feature_lengths(data, TEXT)
        text_transformed, _, _, _, _, attention_weights = model._tf_layers[f"sequence_layer.{model.text_name}"](
            (data[TEXT][SEQUENCE], data[TEXT][SENTENCE], lengths), training=False
        )
        return {
            "potentials": model._tf_layers[f"embed.{ENTITY_ATTRIBUTE_TYPE}.logits"](text_transformed),
            "lengths": lengths,
            "attention_weights": attention_weights,
            "text_transformed": text_transformed,
        }

    signature = model._tf_predict_step.input_signature
    tagger = _entity_taggers[model] = _EntityTagger(
        potentials=tf.function(potentials, input_signature=signature).get_concrete_function(),
        transitions=model._tf_layers[f"crf.{ENTITY_ATTRIBUTE_TYPE}"].transition_params.numpy(),
    )
    return tagger


def _predict_with_numpy_crf(model: Any, batch_in: Tuple[Any, ...]) -> Dict[Text, Any]:
    """What DIET's predict step returns for an entity-only DIET: diagnostics, tag ids, confidences."""
    import tensorflow as tf
    from keras.utils import tf_utils
    from rasa.shared.constants import DIAGNOSTIC_DATA
    from rasa.shared.nlu.constants import ENTITY_ATTRIBUTE_TYPE

    from bot.crf_viterbi import decode_batch

    tagger = _entity_tagger(model)
    specs = model._tf_predict_step.input_signature[0]
    if len(batch_in) != len(specs):
        return _original_rasa_predict(model, batch_in)  # let Rasa/TensorFlow report the mismatch
    tensors = [tf.convert_to_tensor(value, spec.dtype) for value, spec in zip(batch_in, specs)]
    found = tf_utils.sync_to_numpy_or_python_type(tagger.potentials(tensors))
    ids, confidences = decode_batch(found["potentials"], tagger.transitions, found["lengths"])
    diagnostics = {"attention_weights": found["attention_weights"], "text_transformed": found["text_transformed"]}
    return {
        DIAGNOSTIC_DATA: model._empty_lists_to_none_in_dict(diagnostics),
        f"e_{ENTITY_ATTRIBUTE_TYPE}_ids": ids,
        f"e_{ENTITY_ATTRIBUTE_TYPE}_scores": confidences,
    }


# --- 7. DIET's input batch built straight from the message ------------------------------

_original_diet_predict: Optional[Callable] = None


def diet_predict_direct(self: Any, message: Any) -> Any:
    """`DIETClassifier._predict` with the batch of one message built by bot/diet_batch.py."""
    from rasa.utils.tensorflow.constants import FEATURIZERS

    from bot.diet_batch import has_simple_layout, message_batch

    assert _original_diet_predict is not None
    model = self.model
    if model is not None and has_simple_layout(model.predict_data_signature):
        batch = message_batch(message, self.component_config.get(FEATURIZERS))
        if batch is not None:
            # Rasa's run_inference returns the one batch's output as it is.
            return model._rasa_predict(batch)
    return _original_diet_predict(self, message)


def _install_direct_diet_batch() -> None:
    global _original_diet_predict
    from rasa.nlu.classifiers.diet_classifier import DIETClassifier

    original = _replace_method(DIETClassifier, "_predict", diet_predict_direct)
    _original_diet_predict = original or _original_diet_predict


# --- installation -----------------------------------------------------------------------

def install() -> None:
    """Apply the adjustments; called before Rasa starts. Raises RasaVersionError on other Rasa code."""
    if RemoteAction._validate_action_result is not validate_action_result:
        _expect_source(RemoteAction._validate_action_result)
    _response_validator()
    RemoteAction._validate_action_result = validate_action_result  # type: ignore[assignment]
    _install_pooled_action_endpoint()
    _install_graph_runner()
    _install_concrete_predict()
    _install_direct_diet_batch()


def main() -> None:
    for name, value in TF_THREAD_SETTINGS.items():
        os.environ.setdefault(name, value)
    install()
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
