"""`python -m bot.rasa_server run …`: Rasa's own command line, with ten start-up adjustments.

Every adjustment below keeps Rasa's behaviour and was measured with a profiler (py-spy or
cProfile) and A/B runs during `make bench` (`python -m bot.bench`: one answered question per
new conversation, one user at a time); tests/bot/test_rasa_runtime.py compares each with
Rasa's own code. Each code patch replaces or wraps a Rasa 3.6 function whose source is
checked at start-up (`expect_source` in sources.py): if Rasa is upgraded or the function differs in any
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
   The concrete function is then called flat (`call_concrete` in diet.py): the tensors are
   made from the signature's own specs and their shapes checked, so matching them against
   the signature again on every call is skipped (another 0.4 ms of a 4.2 ms parse, A/B in one
   process; identical parses).

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

8. The count-vector features of a message are counted without scikit-learn's per-call steps
   (featurizers.py). Rasa calls `CountVectorizer.transform` twice per message and featurizer
   and converts each result to COO; most of that time is checks and conversions, not counting:
   about 1.1 ms of a 7.5 ms parse with the three featurizers of config.yml (A/B in one process,
   the same model, December 2026). The matrices are the same, entry for entry, with the same
   dtypes (tests/bot/test_rasa_runtime.py).

9. `Domain.is_empty`, asked for every parsed message, compares with an empty domain built once
   instead of building one each time (domain.py): about 0.1 ms per message.

10. DIET's layers up to its CRF layer are computed in NumPy (bot/diet_tagger.py), for a DIET that
   only tags entities, gets sparse features only and has no transformer layer, as in config.yml.
   What is left of DIET's graph after 6 is a few small matrix products, but calling it costs
   about 1.1 ms of fixed TensorFlow overhead per message, and converting its inputs to tensors
   0.3 ms more. The weights are DIET's own, copied from its layers once (about 37 MB: two
   sparse-to-dense kernels of some 36,000 x 128 float32). This is the one
   adjustment that is not exact to the bit: the dense products and the error function round
   differently in the last bits, so entity confidences may differ from TensorFlow's in the sixth
   decimal (at most 4e-6 over 5,843 messages); the tags, and so the entities, were the same for
   every one. The first message of each model is computed both ways and compared; if they do
   not agree, that model stays with TensorFlow and a warning is logged. A/B in one process, the
   six standard questions alternating in blocks of 30: parse 3.95 -> 2.79 ms (TensorFlow's graph
   against the NumPy layers, December 2026).

The adjustments live in this package by what they touch: action_calls.py (1, 2), graph_runner.py
(4), diet.py (5-7, 10), featurizers.py (8), domain.py (9); sources.py holds the source check. Run as `python -m bot.rasa_server`
(__main__.py), so the package is imported once, under its own name.
"""
from __future__ import annotations

import os

from bot.rasa_server.action_calls import install_pooled_action_endpoint, install_reply_check
from bot.rasa_server.diet import install_concrete_predict, install_direct_diet_batch
from bot.rasa_server.domain import install_cached_empty_domain
from bot.rasa_server.featurizers import install_direct_count_vectors
from bot.rasa_server.graph_runner import install_graph_runner

# Rasa applies these itself at start (rasa.utils.tensorflow.environment); set only if unset.
TF_THREAD_SETTINGS = {"TF_INTER_OP_PARALLELISM_THREADS": "1", "TF_INTRA_OP_PARALLELISM_THREADS": "1"}


def install() -> None:
    """Apply the adjustments; called before Rasa starts. Raises RasaVersionError on other Rasa code."""
    install_reply_check()
    install_pooled_action_endpoint()
    install_graph_runner()
    install_concrete_predict()
    install_direct_diet_batch()
    install_direct_count_vectors()
    install_cached_empty_domain()


def main() -> None:
    for name, value in TF_THREAD_SETTINGS.items():
        os.environ.setdefault(name, value)
    install()
    from rasa.__main__ import main as rasa_main

    rasa_main()
