"""Check yourself: questions about one trace, generated from its analysis, and their grading.

``questions(trace, analysis) -> list[Question]`` asks what the analysis knows — nothing is typed in:

- ``response-time`` (pick a span): which span decides the response time? The bottleneck — the span with
  the largest own work on the critical path (a span within 10 % of it counts too);
- ``error-origin`` (pick a node, or a span): where did the error start? Only when something failed;
- ``client-received`` (choice): what the caller got — status and response time, against plausible
  wrong answers (the other status, the time the trace ended, the bottleneck's time);
- ``after-response`` (pick a span): which work was still running after the response? Only when some was.

The server is stateless, so each question carries its own answer key: the accepted span and node ids
and the explanations, packed (JSON, zlib, base64url) with a checksum. ``grade(question, answer)``
unpacks it and answers with an explanation either way — and names what the picked span really was
when it knows. The key is not a secret (this is self-assessment, not an exam); the checksum only makes
a damaged or mixed-up key fail loudly.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import zlib
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticValidationError

from traceplay.domain.analysis import text
from traceplay.domain.analysis.index import EPS, TraceIndex
from traceplay.domain.analysis.model import Analysis
from traceplay.domain.analysis.rules.critical_path import critical_path
from traceplay.domain.learning_path import Level, LevelScenario, learning_path
from traceplay.domain.trace import Trace
from traceplay.errors import Problem, QuizError

Kind = Literal["pick-span", "pick-node", "choice"]
TIE_SHARE = 0.9  # a critical-path span with 90 % of the bottleneck's own work is as good an answer
MAX_NOTES = 200  # per question: explanations for specific wrong picks
MAX_ACCEPTED = 5000

__all__ = ["Answer", "Grade", "Level", "LevelScenario", "Question", "grade", "learning_path", "questions"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Choice(_Model):
    id: str
    label: str


class Question(_Model):
    id: str = Field(description="response-time | error-origin | client-received | after-response")
    kind: Kind
    prompt: str
    hint: str = Field(description="where to look, shown on request")
    choices: list[Choice] = Field(default_factory=list, description="for kind 'choice'")
    key: str = Field(description="the packed answer key: send the question back as it came to grade it")


class Answer(_Model):
    """A click on the trace (span_id), on the diagram (node_id), or a choice id."""

    span_id: str | None = None
    node_id: str | None = None
    choice: str | None = None


class Solution(_Model):
    span_ids: list[str] = Field(default_factory=list)
    node_ids: list[str] = Field(default_factory=list)
    choice: str | None = None


class Grade(_Model):
    correct: bool
    explanation: str
    solution: Solution = Field(description="what was right, to highlight after grading")


class _Key(_Model):
    q: str
    trace_id: str
    spans: list[str] = Field(default_factory=list)
    nodes: list[str] = Field(default_factory=list)
    choice: str | None = None
    why: str  # the explanation, right or wrong
    no: str = "Not this one"  # how a wrong answer starts
    notes: dict[str, str] = Field(default_factory=dict)  # span or node id -> why that pick is not it


# -- packing --------------------------------------------------------------------------------------------

_SALT = b"traceplay-quiz-v1"


def _pack(key: _Key) -> str:
    body = zlib.compress(key.model_dump_json(exclude_defaults=True).encode(), 6)
    digest = hashlib.blake2b(body, digest_size=8, key=_SALT).digest()
    return base64.urlsafe_b64encode(digest + body).decode().rstrip("=")


def _unpack(question: Question) -> _Key:
    try:
        raw = base64.urlsafe_b64decode(question.key + "=" * (-len(question.key) % 4))
        digest, body = raw[:8], raw[8:]
        if not hmac.compare_digest(digest, hashlib.blake2b(body, digest_size=8, key=_SALT).digest()):
            raise ValueError("checksum")
        key = _Key.model_validate_json(zlib.decompress(body))
    except (ValueError, zlib.error, PydanticValidationError):
        raise QuizError(
            "the question's answer key is damaged",
            [Problem("send the question back as it came", "question.key")],
        ) from None
    if key.q != question.id:
        raise QuizError(
            f"the answer key belongs to question '{key.q}', not '{question.id}'",
            [Problem("send the question back as it came", "question.key")],
        )
    return key


# -- questions ------------------------------------------------------------------------------------------


def questions(trace: Trace, analysis: Analysis) -> list[Question]:
    """The questions this trace can answer, in the order a learner should meet them."""
    if not trace.spans:
        return []
    ix = TraceIndex(trace)
    out = [_response_time(ix, analysis)]
    if analysis.error_origin is not None and analysis.error_origin in ix.pos:
        out.append(_error_origin(ix, analysis.error_origin))
    out.append(_client_received(ix, trace))
    after = _after_response(ix)
    if after is not None:
        out.append(after)
    return [q for q in out if q is not None]


def _response_time(ix: TraceIndex, analysis: Analysis) -> Question | None:
    cp = critical_path(ix)
    if cp.bottleneck is None:
        return None
    b = cp.bottleneck
    own = cp.self_ms
    best = own[b]
    accepted = [i for i in cp.spans if own[i] >= TIE_SHARE * best - EPS] if best > 0 else [b]
    resp = text.ms(ix.response_ms)
    chain = text.chain([ix.name(i) for i in cp.spans])
    why = (
        f"{ix.call(b)} spends {text.ms(best)} of the {resp} response on its own work — the largest share of "
        f"the critical path ({chain})."
    )
    notes: dict[str, str] = {}
    for i in cp.spans[:MAX_NOTES]:
        if i not in accepted:
            notes[ix.sid(i)] = (
                f"{ix.name(i)} is on the critical path, but its own work is only {text.ms(own[i])} of {resp}."
            )
    for i in range(ix.n):
        if len(notes) >= MAX_NOTES:
            break
        if not ix.on_path[i] or ix.end[i] > ix.response_end + EPS:
            notes.setdefault(
                ix.sid(i), f"{ix.name(i)} ran off the response path: the caller did not wait for it."
            )
    _node_notes(ix, notes, accepted, cp.spans)
    return _question(
        ix,
        "response-time",
        "pick-span",
        "Which span decides the response time? Click it in the waterfall or on the diagram.",
        "Follow the longest bar down, level by level: the span whose own work (its bar minus its children's) "
        "is the largest share of the response decides it.",
        accepted,
        why=why,
        no="Not this one",
        notes=notes,
    )


def _error_origin(ix: TraceIndex, origin_id: str) -> Question:
    o = ix.pos[origin_id]
    chain = [o]
    p = ix.parent[o]
    while p >= 0 and ix.failed[p] and not ix.asynch[chain[-1]]:
        chain.append(p)
        p = ix.parent[p]
    spread = (
        f" It failed {text.listing([ix.name(i) for i in chain[1:]])} on its way up."
        if len(chain) > 1
        else " Nothing above it failed because of it."
    )
    why = f"The error starts in {ix.call(o)}: {ix.error_text(o)}.{spread}"
    notes: dict[str, str] = {}
    for i in chain[1:]:
        notes[ix.sid(i)] = f"{ix.name(i)} failed too, but only because a call under it failed."
    for i in range(ix.n):
        if len(notes) >= MAX_NOTES:
            break
        if not ix.failed[i]:
            notes.setdefault(ix.sid(i), f"{ix.name(i)} did not fail: its span is not red.")
    _node_notes(ix, notes, [o], chain)
    kind: Kind = "pick-node" if ix.spans[o].node_id is not None else "pick-span"
    where = "on the diagram (or its span)" if kind == "pick-node" else "in the waterfall"
    return _question(
        ix,
        "error-origin",
        kind,
        f"Where did the error start? Click it {where}.",
        "Follow the red spans down to the deepest one: the spans above it failed because of it.",
        [o],
        why=why,
        no="Not there",
        notes=notes,
    )


def _status_code(ix: TraceIndex) -> int | None:
    e = ix.entry
    for i in [e, *ix.sync_children(e)]:
        code = ix.spans[i].attributes.get("http.response.status_code")
        if isinstance(code, int) and not isinstance(code, bool):
            return code
    return None


def _client_received(ix: TraceIndex, trace: Trace) -> Question:
    e = ix.entry
    failed = ix.failed[e]
    resp = ix.response_ms
    status = "An error" if failed else "A success"
    other = "A success" if failed else "An error"
    correct = f"{status} after {text.ms(resp)}"
    options = [correct, f"{other} after {text.ms(resp)}"]
    times = [trace.duration_ms, sum(ix.duration(i) for i in range(ix.n))]
    cp = critical_path(ix)
    if cp.bottleneck is not None:
        times.append(ix.duration(cp.bottleneck))
    for t in times:
        label = f"{status} after {text.ms(t)}"
        if label not in options:
            options.append(label)
            break
    for t in times:
        label = f"{other} after {text.ms(t)}"
        if label not in options and len(options) < 4:
            options.append(label)
    ids = "abcd"
    salt = hashlib.blake2b(trace.trace_id.encode(), digest_size=4).digest()
    ordered = sorted(options, key=lambda o: hashlib.blake2b(salt + o.encode(), digest_size=4).digest())
    choices = [Choice(id=ids[n], label=label) for n, label in enumerate(ordered)]
    answer = next(c.id for c in choices if c.label == correct)
    code = _status_code(ix)
    got = f"an error ({ix.error_text(e)})" if failed else "a success"
    if code is not None:
        got += f", HTTP {code}"
    why = f"The caller waited {text.ms(resp)} — the length of the entry span, {ix.name(e)} — and got {got}."
    if ix.trace_end - ix.start[e] > resp + EPS:
        why += (
            f" The trace goes on until {text.ms(ix.trace_end - ix.start[e])}, but nobody waited for that: "
            f"it is work after the response."
        )
    failing = sum(ix.failed)
    if not failed and failing:
        why += f" {text.count(failing, 'span')} failed without the caller seeing it."
    key = _Key(q="client-received", trace_id=trace.trace_id, choice=answer, why=why, no="No")
    return Question(
        id="client-received",
        kind="choice",
        prompt="What did the client receive?",
        hint="The caller's answer is the entry span: its status and its length — not the end of the trace.",
        choices=choices,
        key=_pack(key),
    )


def _after_response(ix: TraceIndex) -> Question | None:
    if ix.entry < 0:
        return None
    end = ix.response_end
    late = [i for i in ix.order if ix.end[i] > end + EPS]
    if not late:
        return None
    first = late[0]
    names = list(dict.fromkeys(ix.name(i) for i in late))
    reason = (
        "it consumed a message: the caller had its answer long before"
        if ix.asynch[first]
        else "its caller had stopped waiting for it"
        if ix.spans[first].attributes.get("traceplay.orphaned") is True
        else "it was not on the response path"
    )
    later = text.ms(ix.end[first] - end)
    if len(late) == 1:
        why = f"{ix.name(first)} ended {later} after the response at {text.ms(ix.response_ms)} — {reason}."
    else:
        why = (
            f"{text.count(len(late), 'span')} ended after the response at {text.ms(ix.response_ms)}: "
            f"{text.listing(names)}. {ix.name(first)}, for one, ended {later} later — {reason}."
        )
    notes: dict[str, str] = {}
    for i in ix.order:
        if len(notes) >= MAX_NOTES:
            break
        if ix.end[i] <= end + EPS:
            at = text.ms(ix.end[i] - ix.start[ix.entry])
            notes[ix.sid(i)] = f"{ix.name(i)} ended at {at}, before the caller had its answer."
    _node_notes(ix, notes, late[:MAX_ACCEPTED], late)
    return _question(
        ix,
        "after-response",
        "pick-span",
        "Which work was still running after the response? Click one such span.",
        "The response is the end of the entry span: look for bars that reach past it.",
        late[:MAX_ACCEPTED],
        why=why,
        no="Not this one",
        notes=notes,
    )


def _node_notes(ix: TraceIndex, notes: dict[str, str], accepted: list[int], related: list[int]) -> None:
    """A wrong node pick gets the note of its first related span."""
    right = {ix.spans[i].node_id for i in accepted}
    for i in related:
        nid = ix.spans[i].node_id
        sid = ix.sid(i)
        if nid is not None and nid not in right and sid in notes:
            notes.setdefault(nid, notes[sid])


def _question(
    ix: TraceIndex,
    qid: str,
    kind: Kind,
    prompt: str,
    hint: str,
    accepted: list[int],
    *,
    why: str,
    no: str,
    notes: dict[str, str],
) -> Question:
    spans = [ix.sid(i) for i in accepted]
    nodes = list(dict.fromkeys(n for i in accepted if (n := ix.spans[i].node_id) is not None))
    key = _Key(q=qid, trace_id=ix.trace.trace_id, spans=spans, nodes=nodes, why=why, no=no, notes=notes)
    return Question(id=qid, kind=kind, prompt=prompt, hint=hint, key=_pack(key))


# -- grading --------------------------------------------------------------------------------------------


def grade(question: Question, answer: Answer | str) -> Grade:
    """Right or wrong, with an explanation either way and the solution to highlight."""
    key = _unpack(question)
    if isinstance(answer, str):
        answer = (
            Answer(choice=answer) if question.kind == "choice" else Answer(span_id=answer, node_id=answer)
        )
    solution = Solution(span_ids=key.spans[:MAX_NOTES], node_ids=key.nodes, choice=key.choice)
    if question.kind == "choice":
        if answer.choice is None:
            raise QuizError("this question needs a choice", [Problem("give answer.choice", "answer.choice")])
        if answer.choice not in {c.id for c in question.choices}:
            raise QuizError(
                f"'{answer.choice}' is not one of the choices",
                [Problem(f"choose one of: {', '.join(c.id for c in question.choices)}", "answer.choice")],
            )
        correct = answer.choice == key.choice
        return Grade(correct=correct, explanation=_explain(key, correct), solution=solution)
    if answer.span_id is None and answer.node_id is None:
        raise QuizError(
            "this question needs a click on a span or a node",
            [Problem("give answer.span_id or answer.node_id", "answer")],
        )
    correct = (answer.span_id is not None and answer.span_id in key.spans) or (
        answer.node_id is not None and answer.node_id in key.nodes
    )
    if correct:
        return Grade(correct=True, explanation=_explain(key, True), solution=solution)
    picked = answer.span_id if answer.span_id in key.notes else answer.node_id
    return Grade(
        correct=False, explanation=_explain(key, False, key.notes.get(picked or "")), solution=solution
    )


def _explain(key: _Key, correct: bool, note: str | None = None) -> str:
    if correct:
        return f"Yes. {key.why}"
    return f"{key.no}: {note} {key.why}" if note else f"{key.no}. {key.why}"
