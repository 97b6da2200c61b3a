"""Findings: affinity mapping of evidence across sessions, as researchers do with sticky notes.

Evidence from every session is grouped by meaning (average-linkage clustering of sentence embeddings, cut
at a fixed cosine distance, so the number of groups follows the data). A group held by at least
`min_sessions` sessions is a finding. Offline, its statement is extractive: the group's most representative
sentence, marked as such, with a key-phrase label. Findings are ranked by coverage (sessions), then
intensity (share of difficulty, concern and need), then size.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from segscribe.pipeline.clustering import split_oversized
from segscribe.pipeline.keyphrases import content_words, label_groups, label_text
from segscribe.schemas.document import Voice
from segscribe.schemas.evidence import EvidenceBase
from segscribe.schemas.finding import Coverage, Finding, StatementPart

Embed = Callable[[list[str]], np.ndarray]

#: Cosine distance at which groups stop merging (average linkage). Set on the three shared VA.gov studies,
#: where 0.5-0.6 rediscovered the most published findings with focused groups (0.4 splits findings apart,
#: 0.7 merges unrelated ones); the same value is used for every study.
DISTANCE = 0.5
#: Above this many items, items are first pooled into micro-clusters (memory stays linear).
MAX_EXACT = 3000
MICRO_CLUSTERS = 800
OFFLINE_STATEMENT = "offline-extractive@1"
INTENSE_KINDS = frozenset({"pain", "objection", "goal"})
_POSITIVE = re.compile(r"\b(easy|easily|simple|straightforward|clear|clearly|intuitive|helpful|useful|liked?|loved?|"
                       r"makes? sense|made sense|self[- ]explanatory|quick(ly)?|able to|found it|no (issues|problems)|"
                       r"works? (well|fine)|good|great|nice)\b", re.I)
_NEGATED = re.compile(r"\b(not|n't|never|no|hardly|without)\b\W+(?:\w+\W+){0,2}$", re.I)


def polarity(e: EvidenceBase) -> int:
    """-1 for difficulty or concern, +1 for a positive evaluation, 0 otherwise."""
    if e.kind in ("pain", "objection"):
        return -1
    if e.kind == "observation":
        m = _POSITIVE.search(e.quote)
        if m and not _NEGATED.search(e.quote[: m.start()]):
            return 1
    return 0


def cluster_labels(vectors: np.ndarray, distance: float = DISTANCE, seed: int = 0) -> np.ndarray:
    """Average-linkage clusters cut at a cosine distance; micro-clusters first above MAX_EXACT rows."""
    from scipy.cluster.hierarchy import fcluster, linkage

    n = len(vectors)
    if n < 2:
        return np.zeros(n, dtype=int)
    if n <= MAX_EXACT:
        tree = linkage(vectors.astype(np.float64), method="average", metric="cosine")
        return np.asarray(fcluster(tree, t=distance, criterion="distance"), dtype=int)
    from sklearn.cluster import MiniBatchKMeans

    micro = MiniBatchKMeans(n_clusters=MICRO_CLUSTERS, random_state=seed, batch_size=4096, n_init=1)
    assign = micro.fit_predict(vectors)
    centroids = micro.cluster_centers_
    used = np.unique(assign)
    tree = linkage(centroids[used].astype(np.float64), method="average", metric="cosine")
    top = dict(zip(used.tolist(), fcluster(tree, t=distance, criterion="distance").tolist(), strict=True))
    return np.array([top[a] for a in assign.tolist()], dtype=int)


#: A finding is a specific point several sessions make. A group holding more than this share of a study's items
#: (and more than CATCH_ALL_MIN items) is the study's topic, not a finding: it is re-grouped at a tighter
#: distance (DISTANCE x TIGHTEN each round, at most SPLIT_ROUNDS rounds) until every part is under the share.
#: Set on the 125 creatives interviews, where one group at DISTANCE held 496 of 2,223 items from 119 of 125
#: sessions ("AI tools help"); in the three VA.gov studies the largest group holds 4-5 % and nothing changes.
MAX_FINDING_SHARE = 0.1
CATCH_ALL_MIN = 30
TIGHTEN = 0.8
SPLIT_ROUNDS = 4


def _split_catch_alls(labels: np.ndarray, vecs: np.ndarray, distance: float, seed: int) -> np.ndarray:
    """Re-group every oversized group on its own at a tighter distance; labels stay deterministic."""
    cuts = []
    for _ in range(SPLIT_ROUNDS):
        distance *= TIGHTEN
        cuts.append(distance)

    def regroup(idx: np.ndarray, round_: int) -> np.ndarray:
        return np.unique(cluster_labels(vecs[idx], cuts[round_], seed), return_inverse=True)[1]

    return split_oversized(labels, max(CATCH_ALL_MIN, int(MAX_FINDING_SHARE * len(labels))), SPLIT_ROUNDS, regroup)


def _medoid(idx: list[int], vecs: np.ndarray, items: Sequence[EvidenceBase]) -> int:
    """The most representative member: highest mean similarity, readable length preferred."""
    sub = vecs[idx]
    # Mean similarity to the group = similarity to its mean vector: O(n), not an n x n matrix (a group of
    # 20,000 tickets made 1.6 GB of similarities).
    sims = sub.astype(np.float64) @ sub.mean(axis=0, dtype=np.float64)

    def score(j: int) -> float:
        words = len(items[idx[j]].quote.split())
        return float(sims[j]) - (0.05 if words < 6 or words > 35 else 0.0)

    best = max(range(len(idx)), key=lambda j: (round(score(j), 6), -idx[j]))
    return idx[best]


def _ordered_support(members: list[int], vecs: np.ndarray, items: Sequence[EvidenceBase],
                     session_of: Mapping[str, str]) -> list[str]:
    """Verbatim words first, then notes; within each, round-robin over sessions: every session's closest item
    to the group's centre, then every session's second closest, and so on. The first few items a reader sees
    then come from as many sessions as the group has, not all from the most talkative participant."""
    centre = vecs[members].mean(axis=0)
    by_closeness = sorted(members, key=lambda i: (-round(float(vecs[i] @ centre), 6), items[i].id))
    seen: Counter[tuple[bool, str]] = Counter()
    place: dict[int, tuple[bool, int, int]] = {}  # (notes after quotes, the session's turn, closeness)
    for n, i in enumerate(by_closeness):
        key = (items[i].verbatim, session_of[items[i].doc_id])
        place[i] = (not items[i].verbatim, seen[key], n)
        seen[key] += 1
    return [items[i].id for i in sorted(members, key=place.__getitem__)]


def build_findings(evidence: Sequence[EvidenceBase], session_of: Mapping[str, str], embed: Embed, *,
                   min_sessions: int = 2, total_sessions: int | None = None, seed: int = 0,
                   distance: float = DISTANCE) -> list[Finding]:
    """Findings from a study's evidence (deterministic, independent of input order).

    `session_of` maps the study's document ids to their `Document.session`: all grouping needs (a 100k-ticket
    run need not hold every document's text for it; `Workspace.sessions` reads just that).
    """
    items = sorted((e for e in evidence if e.doc_id in session_of and not e.addresses_tool), key=lambda e: e.id)
    if len(items) < 2:
        return []
    total = total_sessions or len(set(session_of.values()))
    vecs = embed([e.quote for e in items])
    labels = _split_catch_alls(cluster_labels(vecs, distance, seed), vecs, distance, seed)
    groups: dict[int, list[int]] = defaultdict(list)
    for i, lab in enumerate(labels.tolist()):
        groups[lab].append(i)
    kept = [m for m in groups.values() if len({session_of[items[i].doc_id] for i in m}) >= min_sessions
            and _names_something(m, items) and not _courtesy(m, items)]
    phrases = label_groups([[items[i].quote for i in m] for m in kept])
    drafts = [_finding(m, ph, items, vecs, session_of, total) for m, ph in zip(kept, phrases, strict=True)]
    drafts.sort(key=lambda f: (-f.coverage.sessions, -f.intensity, -len(f.evidence_ids), f.evidence_ids[0]))
    return [f.model_copy(update={"id": f"f{i}", "rank": i}) for i, f in enumerate(drafts, 1)]


#: A finding needs one item that names what it is about: at least this many topic words (`content_words`).
#: "I don't know." / "I have no idea." / "I don't understand." from four sessions of a real usability study
#: (read after these rules were written) grouped into a finding that says nothing; each has 0-1 topic words,
#: while "It was fairly easy, other than the few questions I had." has 3.
MIN_TOPIC_WORDS = 2


def _names_something(members: list[int], items: Sequence[EvidenceBase]) -> bool:
    return any(len(content_words(items[i].quote)) >= MIN_TOPIC_WORDS for i in members)


#: The courtesies that open and close a session ("I appreciate your time.", "Thanks for having me.") group
#: together across sessions but are not a finding: a group is dropped when at least COURTESY_SHARE of its items
#: are one. A real discovery study, read after these rules were written, had "I appreciate what you're doing."
#: from three sessions as its top finding. The items remain evidence. Customers' words (tickets, survey answers)
#: are never counted as courtesies: a ticket signs off with thanks and still says what went wrong.
COURTESY_SHARE = 0.5
_COURTESY = re.compile(r"\b(?:thanks?(?! to\b)|thank you|appreciate (?:it\b(?! (?:when|that|how|if)\b)|your time|you\b|"
                       r"what you)|(?:my|a) pleasure|(?:nice|good|great) (?:to (?:meet|talk|see)|talking|meeting|"
                       r"chatting)|you['’]re welcome|have a (?:good|great|nice) (?:day|one|evening|afternoon)|bye|"
                       r"goodbye)\b", re.I)


def _courtesy(members: list[int], items: Sequence[EvidenceBase]) -> bool:
    return sum(_is_courtesy(items[i]) for i in members) >= COURTESY_SHARE * len(members)


def _is_courtesy(e: EvidenceBase) -> bool:
    """A courtesy and little else: at most one topic word besides it ("Thanks, but my refund never arrived."
    names a refund and an arrival, so it is not one)."""
    return (e.voice is not Voice.customer and bool(_COURTESY.search(e.quote))
            and len(content_words(_COURTESY.sub(" ", e.quote))) < MIN_TOPIC_WORDS)


def _finding(members: list[int], phrases: list[str], items: Sequence[EvidenceBase], vecs: np.ndarray,
             session_of: Mapping[str, str], total: int) -> Finding:
    group = [items[i] for i in members]
    sign = sum(polarity(e) for e in group)
    counter = [e.id for e in group if sign and polarity(e) * sign < 0]
    against = set(counter)
    support = [i for i in _ordered_support(members, vecs, items, session_of) if i not in against]
    rep = items[_medoid(members, vecs, items)]
    sessions = {session_of[e.doc_id] for e in group}
    return Finding(
        id="f0", rank=1, label=label_text(phrases, rep.summary), statement=rep.quote,
        parts=[StatementPart(text=rep.quote, evidence_ids=[rep.id])], statement_source="extractive",
        evidence_ids=support or [e.id for e in group], counter_evidence_ids=counter,
        coverage=Coverage(sessions=len(sessions), total_sessions=max(total, len(sessions)),
                          participants=sorted({e.who for e in group})),
        intensity=round(sum(e.kind in INTENSE_KINDS for e in group) / len(group), 4),
        kinds=dict(sorted(Counter(e.kind for e in group).items())), provider="offline", prompt=OFFLINE_STATEMENT,
    )
