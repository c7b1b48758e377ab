"""Adjustment 4: Rasa's graphs run in dask's order, without dask's scheduler around every run.

Why and how much: see the package docstring (bot/rasa_server/__init__.py).
"""
from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional, Text, Tuple

from bot.rasa_server.sources import EXPECTED_DASK_VERSION, RasaVersionError, expect_source


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


def install_graph_runner() -> None:
    import dask
    from rasa.engine.runner.dask import DaskGraphRunner

    if DaskGraphRunner.run is run_graph_in_dask_order:
        return
    expect_source(DaskGraphRunner.run)
    if dask.__version__ != EXPECTED_DASK_VERSION:
        raise RasaVersionError(
            f"bot/rasa_server runs Rasa's graphs in the order of dask {EXPECTED_DASK_VERSION}, "
            f"installed is dask {dask.__version__}; check run_graph_in_dask_order against it."
        )
    DaskGraphRunner.run = run_graph_in_dask_order  # type: ignore[assignment]

