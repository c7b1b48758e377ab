"""Draw the process map as a swimlane picture with Graphviz.

Lanes are rows, one cluster per party in `order`, each a single dot rank;
phases are fill colours with a legend, because phase columns would fight
with the lanes for dot's ranks. Every node carries `id="step-<id>"` and CSS classes
so a web page can highlight a step without re-rendering.
"""
from __future__ import annotations

import textwrap
from typing import Optional

import graphviz

from . import model as m

FONT = "DejaVu Sans"
PHASE_COLOURS = ("#e3f2fd", "#e8f5e9", "#fff8e1", "#f3e5f5", "#fbe9e7", "#e0f7fa", "#f1f8e9")
HIGHLIGHT = "#c62828"
SHORT = {"socialtjansten": "Soc", "varden": "Vård", "fk": "FK", "af": "AF",
         "jobbtorg": "JT", "finsam": "Finsam"}
SHAPES = {
    "start": {"shape": "box", "style": "rounded,filled,bold"},
    "stopp": {"shape": "ellipse", "style": "filled"},
    "en_flera": {"shape": "box", "style": "filled"},
    "ja_nej": {"shape": "diamond", "style": "filled"},
    "processkoppling": {"shape": "box", "style": "filled", "peripheries": "2"},
}


def node_id(step_id: str) -> str:
    return f"step-{step_id}"


def step_label(step: m.Step, party: Optional[m.Party]) -> str:
    short = SHORT.get(step.party) or (party.short if party else step.party)
    width = 16 if step.shape == "ja_nej" else 22
    title = "\n".join(textwrap.wrap(step.title, width=width, break_long_words=False)) or step.id
    return f"{short} {step.number}\n{title}"


def build_graph(kb: m.KnowledgeBase, highlight: Optional[str] = None) -> graphviz.Digraph:
    """The process map as a Graphviz graph (not yet laid out).

    Each lane is one rank (rank=same) so dot keeps it a straight row, and the
    lanes are chained by invisible edges in party order; edges across lanes
    do not constrain ranks, so the lane order always holds.
    """
    graph = graphviz.Digraph("processkarta", engine="dot")
    graph.attr(rankdir="TB", nodesep="0.3", ranksep="0.7",
               fontname=FONT, fontsize="14", bgcolor="white", outputorder="edgesfirst")
    graph.attr("node", fontname=FONT, fontsize="11", margin="0.12,0.06", penwidth="1.2",
               color="#37474f")
    graph.attr("edge", fontname=FONT, fontsize="10", color="#455a64", arrowsize="0.7")
    colours = {p.id: PHASE_COLOURS[i % len(PHASE_COLOURS)] for i, p in enumerate(kb.phases_in_order())}
    anchors = []
    for party in kb.parties_in_order():
        anchor = f"lane-{party.id}"
        anchors.append(anchor)
        with graph.subgraph(name=f"cluster_{party.id}") as lane:
            lane.attr(label="", style="filled", fillcolor="#fafafa", color="#b0bec5",
                      id=f"lane-{party.id}-box", margin="12")
            with lane.subgraph() as row:
                row.attr(rank="same")
                row.node(anchor, label="\n".join(textwrap.wrap(party.name, 16, break_long_words=False)), shape="plaintext",
                         fontsize="13", id=anchor, **{"class": "lane-label"})
                steps = sorted((s for s in kb.steps.values() if s.party == party.id),
                               key=lambda s: s.number)
                previous = anchor
                for step in steps:
                    row.node(step.id, **_node_attrs(step, party, colours, highlight))
                    # keeps the row in number order; real edges are drawn below
                    row.edge(previous, step.id, style="invis", weight="5")
                    previous = step.id
    for upper, lower in zip(anchors, anchors[1:]):
        graph.edge(upper, lower, style="invis", weight="10")
    for step in kb.steps.values():
        _edges(graph, step, kb)
    _legend(graph, kb, colours)
    return graph


def _node_attrs(step: m.Step, party: m.Party, colours: dict[str, str],
                highlight: Optional[str]) -> dict[str, str]:
    attrs = dict(SHAPES.get(step.shape, SHAPES["en_flera"]))
    attrs.update(label=step_label(step, party), id=node_id(step.id),
                 fillcolor=colours.get(step.phase, "white"), tooltip=step.what,
                 **{"class": f"step shape-{step.shape} phase-{step.phase} party-{step.party}"})
    if step.shape == "ja_nej":
        attrs["margin"] = "0.02,0.02"
    if step.id == highlight:
        attrs.update(penwidth="4", color=HIGHLIGHT, fontcolor=HIGHLIGHT,
                     **{"class": attrs["class"] + " highlight"})
    return attrs


def _edges(graph: graphviz.Digraph, step: m.Step, kb: m.KnowledgeBase) -> None:
    for target in step.next:
        if target in kb.steps:
            _edge(graph, kb, step, target, id=f"edge-{step.id}-{target}")
    if step.decision:
        for answer in step.decision.answers:
            if answer.next in kb.steps:
                _edge(graph, kb, step, answer.next, xlabel=answer.answer, fontcolor="#263238",
                      id=f"edge-{step.id}-{answer.next}")
    for target in step.handover:
        if target in kb.steps:
            _edge(graph, kb, step, target, style="dashed", color="#6d4c41", penwidth="1.3",
                  id=f"handover-{step.id}-{target}", **{"class": "handover"})


def _edge(graph: graphviz.Digraph, kb: m.KnowledgeBase, step: m.Step, target: str, **attrs: str) -> None:
    """A real edge that never constrains ranks.

    A lane is one rank ordered by invisible edges; an edge pointing back inside a lane
    would make a cycle of flat edges, which dot cannot lay out ("trouble in init_rank"),
    so such an edge is drawn from target to source with its arrow reversed.
    """
    other = kb.steps[target]
    attrs["constraint"] = "false"
    if other.party == step.party and other.number < step.number:
        graph.edge(target, step.id, dir="back", **attrs)
    else:
        graph.edge(step.id, target, **attrs)


def _legend(graph: graphviz.Digraph, kb: m.KnowledgeBase, colours: dict[str, str]) -> None:
    rows = "".join(
        f'<TR><TD BGCOLOR="{colours[p.id]}" WIDTH="18"> </TD>'
        f'<TD ALIGN="LEFT">{_escape(p.name)}{"" if p.official else " (arbetsnamn)"}</TD></TR>'
        for p in kb.phases_in_order())
    extra = ('<TR><TD>- - →</TD><TD ALIGN="LEFT">överlämning till annan part</TD></TR>'
             '<TR><TD>◇</TD><TD ALIGN="LEFT">beslut (ja/nej)</TD></TR>')
    label = (f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="2">'
             f'<TR><TD COLSPAN="2" ALIGN="LEFT"><B>Faser</B></TD></TR>{rows}{extra}</TABLE>>')
    graph.node("legend", label=label, shape="box", style="rounded", color="#b0bec5",
               fontsize="10", id="legend")
    graph.attr(label="", labelloc="t")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def render_svg(kb: m.KnowledgeBase, highlight: Optional[str] = None) -> str:
    """The map as an SVG document (needs Graphviz's `dot` on PATH)."""
    svg = build_graph(kb, highlight).pipe(format="svg").decode("utf-8")
    # Graphviz writes "-" as &#45; in attributes; plain hyphens keep ids greppable
    return svg.replace("&#45;", "-")


def render_png(kb: m.KnowledgeBase, highlight: Optional[str] = None, dpi: int = 110) -> bytes:
    graph = build_graph(kb, highlight)
    graph.attr(dpi=str(dpi))
    return graph.pipe(format="png")
