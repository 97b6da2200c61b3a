"""Personas from a segment's cited evidence: a deterministic template (offline) or an LLM draft.

Offline drafting (`draft_personas_offline`) only fills fields with extracted, cited
content; a field the evidence does not support stays empty (`not in the data`).
Claim text is the evidence `summary` (offline a slice of the quote), a verbatim
metadata value, or a fixed connective template around those (one-liner, name).

Rules, field by field:

- pains, goals, decision criteria (objections), jobs (split by `job_type`): items of
  that kind are grouped when their quote embeddings have cosine >= 0.75 (greedy, in
  evidence order, against each group's first item); one claim per group, text = the
  first item's summary, evidence ids = the whole group, `participants` = distinct
  participant/customer/speaker-in-document keys; ranked by participants, then items,
  then first appearance; at most 5 claims per field. Pains carry the first intensity
  cue as `impact` and the first frequency cue as `frequency_cue`.
- success metrics: goals and pains whose quote has a measurable cue (a number with a
  unit, `%`, "days to close", "measured on", KPI, target, metric).
- behaviours: any non-objection item (workarounds included) whose quote has a first-person
  subject ("I", "we") and a habit cue ("every month", "usually", "by hand").
  Customer-table facts go to `data_sources`.
- tools/alternatives: workarounds grouped by the named alternative (text = the name as
  written) or, without one, by similarity (text = the quote trimmed to 100 characters).
- channels: items whose quote mentions a channel (email, phone, Slack, webinar,
  conference, LinkedIn, referral, newsletter, podcast, community, search, events);
  text = the channel word as written, grouped per channel.
- role/context: per participant, `job_title, industry, N employees, plan` from the
  metadata of their document, citing that participant's evidence ids.
- one-liner: `<job title> whose top <job|goal> is: <summary>` for the goal or job claim
  with most participants; the title is the dominant one among that claim's speakers (else
  the persona's); cites the claim and one item per holder of that title in the persona.
- quotes: up to 3, scored by cosine to the persona's evidence centroid, minus half the
  highest cosine to `other_centroids` (distinctiveness), plus 0.15 for quote items; the
  second pick comes from another speaker when one exists; overlapping spans and quotes
  with cosine >= 0.75 to a chosen one are skipped.
- two personas when two job titles each have >= 2 participants (and `max_personas` >= 2);
  other participants join the sub-group whose centroid is nearest to theirs.
- confidence: see `segscribe.pipeline.personas.claims.confidence`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from segscribe.pipeline.personas.claims import confidence, count_participants, data_sources, quote_ref, sort_evidence
from segscribe.pipeline.personas.naming import Metas, dominant_title, job_title, persona_name, role_text
from segscribe.schemas.evidence import (
    EvidenceBase,
    Goal,
    JobToBeDone,
    JobType,
    Objection,
    PainPoint,
    Quote,
    Workaround,
)
from segscribe.schemas.persona import Claim, ClaimField, Persona, QuoteRef
from segscribe.schemas.segment import SegmentProfile

Embed = Callable[[list[str]], np.ndarray]

OFFLINE_PROMPT = "offline-persona@1"
SIMILAR = 0.75
MAX_CLAIMS = 5
MAX_QUOTES = 3
QUOTE_BONUS = 0.15
DISTINCT_WEIGHT = 0.5
TRIM = 100

_NUM = (r"(?:\d[\d,.]*|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|"
        r"thirty|forty|fifty|sixty|hundred|half)")
_UNIT = r"(?:days?|hours?|weeks?|months?|minutes?|percent|per ?cent|times)"
MEASURE = re.compile(
    rf"%|\bmeasured (?:on|by)\b|\bKPIs?\b|\bmetrics?\b|\btargets?\b|\bSLA\b|"
    rf"\b{_NUM}\s+(?:\w+\s+){{0,2}}{_UNIT}\b",
    re.IGNORECASE,
)
FIRST_PERSON = re.compile(r"\b(?:I|[Ww]e)\b")
HABIT = re.compile(
    r"\b(?:every|each)\s+(?:day|morning|week|month|quarter|year|time)\b|"
    r"\b(?:usually|always|typically|normally|manually|by hand)\b",
    re.IGNORECASE,
)
CHANNELS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(rx, re.IGNORECASE))
    for name, rx in (
        ("email", r"\be-?mails?\b"),
        ("phone", r"\bphone(?: calls?)?\b"),
        ("slack", r"\bslack\b"),
        ("webinar", r"\bwebinars?\b"),
        ("conference", r"\bconferences?\b|\btrade ?shows?\b"),
        ("events", r"\bmeetups?\b|\b(?:industry|in-person|networking) events?\b"),
        ("linkedin", r"\blinked ?in\b"),
        ("referral", r"\b(?:peer|partner|friend)s?\W{1,2}referr\w*|\breferr(?:al|als|ed)\b|"
                     r"\bword of mouth\b"),
        ("newsletter", r"\bnewsletters?\b"),
        ("podcast", r"\bpodcasts?\b"),
        ("community", r"\bforums?\b|\bonline communit(?:y|ies)\b|\buser groups?\b|\breddit\b"),
        ("search", r"\bgoogl(?:e|ed|ing)\b"),
    )
)


def draft_personas_offline(
    segment: str,
    evidence: list[EvidenceBase],
    meta: Metas,
    *,
    embed: Embed,
    tier: str | None = None,
    profile: SegmentProfile | None = None,
    max_personas: int = 2,
    other_centroids: np.ndarray | None = None,
) -> list[Persona]:
    """1-2 personas for a segment by template filling from its cited evidence (see module doc).

    `evidence` is the segment's evidence; `other_centroids` (k x d, optional) are the
    evidence centroids of the other segments, used to prefer distinctive quotes.
    Returns `[]` when the segment has no evidence. Same input -> identical output.
    """
    items = sort_evidence(evidence)
    if not items:
        return []
    vecs = _vectors(items, embed)
    others = None if other_centroids is None else _normalise(other_centroids)
    by_id = {e.id: e for e in items}
    personas: list[Persona] = []
    for n, group in enumerate(_subgroups(items, meta, vecs, max_personas), start=1):
        persona = _persona(segment, n, group, meta, vecs, tier, profile, others)
        level, reason = confidence(persona, by_id)
        personas.append(persona.model_copy(update={"confidence": level, "confidence_reason": reason}))
    names = Counter(p.name for p in personas)
    return [p.model_copy(update={"name": f"{p.name} ({i})"}) if names[p.name] > 1 else p
            for i, p in enumerate(personas, start=1)]


def persona_claims(persona: Persona) -> dict[str, Any]:
    """The eval's `PersonaClaims` shape: one entry per claim field, plus `quotes`."""
    claims: list[dict[str, Any]] = []
    for name, cf in persona.claim_fields().items():
        ids = list(dict.fromkeys(i for c in cf.claims for i in c.evidence_ids))
        claims.append({"field": name, "evidence_ids": ids, "not_in_data": cf.not_in_data})
    quote_ids = list(dict.fromkeys(q.evidence_id for q in persona.quotes))
    claims.append({"field": "quotes", "evidence_ids": quote_ids, "not_in_data": not quote_ids})
    return {"id": persona.id, "segment": persona.segment, "claims": claims}


# --------------------------------------------------------------------------- embeddings and grouping


def _normalise(m: Any) -> np.ndarray:
    """Rows scaled to unit length, as a new float64 matrix (never the caller's array). One copy, divided in
    place: a segment's matrix holds tens of thousands of items at scale. (Measured, saving the two further
    copies did not move the draft stage's peak at 100,000 tickets, 1,465 -> 1,456 MB: it lies elsewhere.)"""
    m = np.array(np.atleast_2d(m), dtype=np.float64)
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    m /= np.where(norms > 0, norms, 1.0)
    return m


def _vectors(items: Sequence[EvidenceBase], embed: Embed) -> dict[str, np.ndarray]:
    matrix = _normalise(embed([e.quote for e in items]))
    if matrix.shape[0] != len(items):
        raise ValueError(f"embed returned {matrix.shape[0]} rows for {len(items)} texts")
    return {e.id: matrix[i] for i, e in enumerate(items)}


def _centroid(items: Sequence[EvidenceBase], vecs: Mapping[str, np.ndarray]) -> np.ndarray:
    return _normalise(np.mean([vecs[e.id] for e in items], axis=0))[0]


def _cos(a: np.ndarray, b: np.ndarray) -> float:
    return round(float(a @ b), 6)


def _cluster(items: Sequence[EvidenceBase], vecs: Mapping[str, np.ndarray]) -> list[list[EvidenceBase]]:
    groups: list[list[EvidenceBase]] = []
    for e in items:
        for g in groups:
            if _cos(vecs[e.id], vecs[g[0].id]) >= SIMILAR:
                g.append(e)
                break
        else:
            groups.append([e])
    return groups


def _subgroups(items: list[EvidenceBase], meta: Metas, vecs: Mapping[str, np.ndarray],
               max_personas: int) -> list[list[EvidenceBase]]:
    titles: dict[str, str] = {}
    for e in items:
        title = job_title(e, meta)
        if title:
            titles.setdefault(e.who, title)
    counts = Counter(titles.values())
    big = sorted((t for t, c in counts.items() if c >= 2), key=lambda t: (-counts[t], t))
    if max_personas < 2 or len(big) < 2:
        return [items]
    chosen = big[:2]
    groups: dict[str, list[EvidenceBase]] = {t: [e for e in items if titles.get(e.who) == t]
                                             for t in chosen}
    centroids = {t: _centroid(groups[t], vecs) for t in chosen}
    rest: dict[str, list[EvidenceBase]] = {}
    for e in items:
        if titles.get(e.who) not in chosen:
            rest.setdefault(e.who, []).append(e)
    for key in sorted(rest):
        c = _centroid(rest[key], vecs)
        best = max(chosen, key=lambda t: (_cos(c, centroids[t]), -chosen.index(t)))
        groups[best].extend(rest[key])
    return [sort_evidence(groups[t]) for t in chosen]


# --------------------------------------------------------------------------- fields


def _claim(group: Sequence[EvidenceBase], text: str | None = None) -> Claim:
    pains = [e for e in group if isinstance(e, PainPoint)]
    return Claim(text=text if text is not None else group[0].summary, evidence_ids=[e.id for e in group],
                 participants=count_participants(group),
                 impact=next((p.intensity for p in pains if p.intensity), None),
                 frequency_cue=next((p.frequency for p in pains if p.frequency), None))


def _ranked(claims: list[Claim]) -> ClaimField:
    order = sorted(range(len(claims)),
                   key=lambda i: (-claims[i].participants, -len(claims[i].evidence_ids), i))
    return ClaimField(claims=[claims[i] for i in order[:MAX_CLAIMS]])


def _grouped(items: Sequence[EvidenceBase], vecs: Mapping[str, np.ndarray]) -> ClaimField:
    return _ranked([_claim(g) for g in _cluster(items, vecs)])


def _trim(text: str) -> str:
    text = text.strip()
    if len(text) <= TRIM:
        return text
    cut = text[:TRIM]
    return cut[: cut.rfind(" ")] if " " in cut else cut


def _tools(items: Sequence[Workaround], vecs: Mapping[str, np.ndarray]) -> ClaimField:
    named: dict[str, list[EvidenceBase]] = {}
    unnamed: list[EvidenceBase] = []
    for w in items:
        if w.alternative and w.alternative.strip():
            named.setdefault(w.alternative.strip().casefold(), []).append(w)
        else:
            unnamed.append(w)
    claims = [_claim(g, str(getattr(g[0], "alternative", "")).strip()) for g in named.values()]
    claims += [_claim(g, _trim(g[0].quote)) for g in _cluster(unnamed, vecs)]
    return _ranked(claims)


def _channels(items: Sequence[EvidenceBase]) -> ClaimField:
    claims: list[Claim] = []
    for _name, rx in CHANNELS:
        hits = [(e, m.group(0)) for e in items if (m := rx.search(e.quote))]
        if hits:
            claims.append(_claim([e for e, _ in hits], hits[0][1]))
    return _ranked(claims)


def _role_context(items: Sequence[EvidenceBase], meta: Metas) -> ClaimField:
    by_text: dict[str, list[EvidenceBase]] = {}
    people: dict[str, list[EvidenceBase]] = {}
    for e in items:
        people.setdefault(e.who, []).append(e)
    for key in sorted(people):
        own = people[key]
        m = meta.get(own[0].doc_id)
        text = role_text(m) if m is not None else None
        if text:
            by_text.setdefault(text, []).extend(own)
    claims = [_claim(sort_evidence(g), text) for text, g in sorted(by_text.items())]
    return _ranked(claims)


def _one_liner(fields: Sequence[tuple[str, ClaimField]], items: Sequence[EvidenceBase],
               meta: Metas) -> ClaimField:
    pool = [(label, c) for label, cf in fields for c in cf.claims]
    if not pool:
        return ClaimField()
    label, top = min(enumerate(pool), key=lambda ic: (-ic[1][1].participants, -len(ic[1][1].evidence_ids),
                                                      ic[0]))[1]
    by_id = {e.id: e for e in items}
    title = dominant_title([by_id[i] for i in top.evidence_ids], meta) or dominant_title(items, meta)
    ids = list(top.evidence_ids)
    if title:
        firsts: dict[str, str] = {}
        for e in items:
            if job_title(e, meta) == title:
                firsts.setdefault(e.who, e.id)
        ids += [i for i in firsts.values() if i not in ids]
        text = f"{title} whose top {label} is: {top.text}"
    else:
        text = f"Top {label}: {top.text}"
    return ClaimField(claims=[Claim(text=text, evidence_ids=ids,
                                    participants=count_participants(by_id[i] for i in ids))])


def _quotes(items: Sequence[EvidenceBase], vecs: Mapping[str, np.ndarray],
            others: np.ndarray | None) -> list[QuoteRef]:
    """1-3 representative quotes, only ever a participant's or customer's own words (never notes)."""
    centre = _centroid(items, vecs)
    scored: list[tuple[float, EvidenceBase]] = []
    for e in (e for e in items if e.verbatim):
        v = vecs[e.id]
        score = _cos(v, centre)
        if others is not None and others.size:
            score -= DISTINCT_WEIGHT * max(0.0, round(float(np.max(others @ v)), 6))
        if isinstance(e, Quote):
            score += QUOTE_BONUS
        scored.append((round(score, 6), e))
    order = [e for _, e in sorted(scored, key=lambda t: (-t[0], t[1].id))]
    chosen: list[EvidenceBase] = []
    while len(chosen) < MAX_QUOTES:
        pool = [e for e in order
                if not any(_overlap(e, c) or _cos(vecs[e.id], vecs[c.id]) >= SIMILAR for c in chosen)]
        if not pool:
            break
        speakers = {c.who for c in chosen}
        fresh = [e for e in pool if e.who not in speakers]
        chosen.append(fresh[0] if fresh and len(speakers) < 2 else pool[0])
    return [quote_ref(e) for e in chosen]


def _overlap(a: EvidenceBase, b: EvidenceBase) -> bool:
    ca, cb = a.citations[0], b.citations[0]
    return ca.doc_id == cb.doc_id and ca.start < cb.end and cb.start < ca.end


def _metadata(items: Sequence[EvidenceBase], meta: Metas) -> list[Mapping[str, object]]:
    return [meta[d] for d in sorted({e.doc_id for e in items}) if d in meta]


def _persona(segment: str, n: int, items: list[EvidenceBase], meta: Metas,
             vecs: Mapping[str, np.ndarray], tier: str | None, profile: SegmentProfile | None,
             others: np.ndarray | None) -> Persona:
    pains = [e for e in items if isinstance(e, PainPoint)]
    goals = [e for e in items if isinstance(e, Goal)]
    jobs = [e for e in items if isinstance(e, JobToBeDone)]
    workarounds = [e for e in items if isinstance(e, Workaround)]
    # Behaviours are habits (a first-person habit cue: "every month", "usually", "by hand"); the workarounds
    # themselves are the tools and alternatives field. Both fields once listed every workaround, so a study
    # whose practices name no tool showed the same claims twice.
    habits = [e for e in items if not isinstance(e, Objection) and FIRST_PERSON.search(e.quote)
              and HABIT.search(e.quote)]
    jobs_by_type = {t: _grouped([j for j in jobs if j.job_type == t], vecs) for t in JobType}
    goal_field = _grouped(goals, vecs)
    title = dominant_title(items, meta)
    one_liner = _one_liner([("job", jobs_by_type[JobType.functional]), ("goal", goal_field),
                                   ("job", jobs_by_type[JobType.emotional]),
                                   ("job", jobs_by_type[JobType.social])], items, meta)
    return Persona(
        id=f"{segment}-{n}",
        name=persona_name(title, segment, profile, _metadata(items, meta)),
        one_liner=one_liner,
        segment=segment,
        tier=tier,
        role_context=_role_context(items, meta),
        goals=goal_field,
        success_metrics=_grouped(sort_evidence(e for e in goals + pains if MEASURE.search(e.quote)), vecs),
        pains=_grouped(pains, vecs),
        jobs_functional=jobs_by_type[JobType.functional],
        jobs_emotional=jobs_by_type[JobType.emotional],
        jobs_social=jobs_by_type[JobType.social],
        behaviours=_grouped(habits, vecs),
        tools_alternatives=_tools(workarounds, vecs),
        decision_criteria=_grouped([e for e in items if isinstance(e, Objection)], vecs),
        quotes=_quotes(items, vecs, others),
        channels=_channels(items),
        data_sources=data_sources(items, profile),
        provider="offline",
        prompt=OFFLINE_PROMPT,
    )
