"""Move work behind a queue: a synchronous call becomes a message to SQS and an async consumer.

Offered for a call whose answer the caller does not seem to need — a notification, a tracking event,
an e-mail, a report: side work, named by its component or its operation — in the caller's last step,
not made by a client, that is slow or failing. Applied, the caller publishes to a
new SQS queue and answers at once; the callee consumes the message after the response. The original
edge keeps its id as the consumer's edge (so the variants' overrides and findings about the callee
still hold) and a new ``-publish`` edge carries the hand-off. Re-run, the response no longer waits for
the work — and a failure of the work no longer reaches the caller: "202 is not success".
"""

from __future__ import annotations

from traceplay.domain.analysis import text
from traceplay.domain.fixes.base import (
    Candidate,
    Editor,
    Fix,
    FixTarget,
    Scene,
    label,
    not_applicable,
    require_edge,
    role,
    words,
)
from traceplay.domain.flow import Edge, Flow, Node

WORKERS = frozenset({"external", "service", "function"})
NOTIFY = frozenset({"email-api", "twilio", "analytics", "worker", "sns"})
SIDE_WORK = frozenset(
    {
        "send", "notify", "notification", "email", "mail", "sms", "push", "track", "publish", "deliver",
        "index", "export", "report", "audit", "log", "webhook", "thumbnail", "resize",
    }
)  # fmt: skip  # work the caller hands off rather than needs the answer of
PUBLISH_MS = 2.0


def movable(scene: Scene, edge: Edge) -> bool:
    caller, callee = scene.nodes[edge.source], scene.nodes[edge.target]
    if role(caller) == "client" or role(callee) not in WORKERS:
        return False
    if not (callee.component in NOTIFY or set(words(edge.operation)) & SIDE_WORK):
        return False
    later = [e for e in scene.out_edges(edge.source) if e.step > edge.step and scene.taken(e)]
    return not later  # something after it may need its answer


def find(scene: Scene) -> list[Candidate]:
    out = []
    for edge in scene.flow.edges:
        if scene.mode(edge) != "sync" or not scene.taken(edge) or not movable(scene, edge):
            continue
        calls = scene.calls.get(edge.id, [])
        failed = scene.failed(edge)
        if not calls or not (failed or scene.weighty(edge)):
            continue
        waited = sum(s.duration_ms for s in calls)
        caller, callee = scene.name(edge.source), scene.name(edge.target)
        out.append(
            Candidate.on_edge(
                edge,
                title=f"Move {callee} behind a queue",
                claim=(
                    f"{caller} publishes a message to SQS and answers without waiting for {callee}: the "
                    f"response no longer includes its {text.ms(waited)}. {callee} does the work after the "
                    f"response — when it fails, the caller has already said yes."
                ),
                spans=scene.span_ids(calls),
            )
        )
    return out


def apply(flow: Flow, target: FixTarget) -> Flow:
    edge_id = require_edge(flow, target, FIX.id)[0]
    editor = Editor(flow)
    edge = editor.sync_edge(edge_id, FIX.id)
    callee = editor.node(edge.target)
    if role(editor.node(edge.source)) == "client":
        raise not_applicable(
            FIX.id, "a client waits for its answer: queue the work inside the service", edge_id
        )
    queue = _queue_node(editor, callee)
    editor.flow.edges.append(
        Edge(
            id=editor.new_id(f"{edge.id}-publish"),
            source=edge.source,
            target=queue.id,
            operation=f"SendMessage {queue.id}",
            mode="async",
            step=edge.step,
        )
    )
    edge.source = queue.id
    edge.mode = "async"
    edge.step = 0
    return editor.finish(f"{edge.id} behind the SQS queue {queue.id}")


def _queue_node(editor: Editor, callee: Node) -> Node:
    return editor.add_node(
        callee, f"{callee.id}-queue", "sqs", f"{label(callee)} queue", PUBLISH_MS, dy=110.0
    )


FIX = Fix(
    id="move-behind-queue",
    title="Move work behind a queue",
    claim="The caller publishes a message and answers at once; the work happens after the response, where "
    "its failures no longer reach the caller.",
    answers=frozenset({"latency", "external", "error", "timeout"}),
    find=find,
    apply=apply,
)
