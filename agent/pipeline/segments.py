"""Segments for a run: table segments (value/behaviour), needs segments (research), and the join."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Literal

import numpy as np

from segscribe.config import CorpusConfig, inside
from segscribe.errors import TableError
from segscribe.pipeline.clustering import cluster_rows
from segscribe.pipeline.themes import PARSIMONY, relabel_by_size
from segscribe.schemas.evidence import EvidenceBase
from segscribe.schemas.segment import (
    AssignmentSummary,
    Segmentation,
    SegmentDefinition,
    SegmentProfile,
    SegmentsResult,
)
from segscribe.schemas.theme import Theme

NEEDS_KINDS = ("pain", "goal", "job", "workaround", "objection")


def table_segmentation(corpus: CorpusConfig, base: Path, seed: int = 0) -> tuple[Segmentation, dict[str, str]]:
    """Cluster the customer table described in corpus.yaml (`customers:`) and label every customer."""
    from segscribe.quant.profile import assign, build_segmentation
    from segscribe.quant.tables import normalise_customer_ids, read_table
    from segscribe.schemas.segment import SegmentConfig, ValidationConfig

    c = corpus.customers
    assert c is not None
    df = read_table(inside(base, c.path, "customers"))
    id_col = c.id
    if id_col not in df.columns:
        raise TableError(f"{c.path}: no customer id column {id_col!r} (columns: {', '.join(map(str, df.columns))});"
                         " set `customers: id:` in corpus.yaml")
    df[id_col] = normalise_customer_ids(df[id_col])
    scfg = SegmentConfig(
        method=c.method, id_column=id_col, value_column=c.value, churn_column=c.churn, numeric=c.numeric,
        categorical=c.categorical, k=c.k, seed=seed, bootstrap_rounds=c.bootstrap_rounds,
        validation=ValidationConfig(reachable_attributes=corpus.accessible_attributes),
    )
    seg = build_segmentation(df, scfg)
    labels = assign(seg, df)
    return seg, {str(i): str(s) for i, s in zip(df[id_col], labels, strict=True) if s is not None}


def needs_segmentation(evidence: Sequence[EvidenceBase], themes: Sequence[Theme],
                       embed: Callable[[list[str]], np.ndarray], seed: int = 0,
                       k_max: int = 6) -> tuple[Segmentation | None, dict[str, str]]:
    """Cluster participants by their pains, goals and jobs; name segments by their dominant themes."""
    by_owner: dict[str, list[EvidenceBase]] = defaultdict(list)
    for e in sorted(evidence, key=lambda x: x.id):
        if e.kind in NEEDS_KINDS:
            by_owner[e.who].append(e)
    owners = sorted(o for o, items in by_owner.items() if len(items) >= 2)
    if len(owners) < 4:
        return None, {}
    all_items = [e for o in owners for e in by_owner[o]]
    vecs = embed([e.quote for e in all_items])
    pos = 0
    rows = []
    for o in owners:
        n = len(by_owner[o])
        v = vecs[pos : pos + n].mean(axis=0)
        rows.append(v / max(float(np.linalg.norm(v)), 1e-12))
        pos += n
    x = np.vstack(rows)
    owners, x, labels, k, sil, outliers = _cluster_without_outliers(owners, x, k_max, seed)
    theme_of = {eid: t for t in themes for eid in t.evidence_ids}
    labels_by_id = {t.id: t.label for t in themes}
    clusters = sorted(set(labels.tolist()))
    members_of = {c: [o for o, lab in zip(owners, labels.tolist(), strict=True) if lab == c] for c in clusters}
    names = _needs_names({c: [e.quote for o in members_of[c] for e in by_owner[o]] for c in clusters})
    profiles: list[SegmentProfile] = []
    mapping: dict[str, str] = {}
    for c in clusters:
        members = members_of[c]
        ev = [e for o in members for e in by_owner[o]]
        counts = Counter(theme_of[e.id].id for e in ev if e.id in theme_of)
        top = [t for t, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:3]]
        centroid = x[labels == c].mean(axis=0)
        profiles.append(SegmentProfile(
            name=names[c], size=len(members), share=round(len(members) / len(owners), 6),
            definition=SegmentDefinition(kind="centroid", centroid=[round(float(v), 6) for v in centroid]),
            top_themes=[labels_by_id[t] for t in top], evidence_ids=[e.id for e in ev],
        ))
        mapping.update({o: names[c] for o in members})
    counts_by = Counter(mapping.values())
    total = len(owners) + len(outliers)
    aside = {"outliers": ", ".join(o.split(":", 1)[-1] for o in outliers)} if outliers else {}
    seg = Segmentation(method="needs", segments=profiles, id_column="participant",
                       assignment=AssignmentSummary(total=total, assigned=len(owners), unassigned=len(outliers),
                                                    counts=dict(sorted(counts_by.items()))),
                       parameters={"k": int(k), "silhouette": round(float(sil), 6), "seed": seed,
                                   **aside})
    return seg, mapping


#: A needs segment of one participant is that participant, not a segment a team can size. From this many
#: participants on, one who would stand alone is set aside as an outlier (listed, in no segment) and the rest
#: are clustered again. On three real usability studies read for this (9-13 sessions), the first cut split
#: one participant from all the others (11 + 1, 8 + 1, 6 + 1).
OUTLIER_MIN_OWNERS = 6
OUTLIER_ROUNDS = 2


def _cluster_without_outliers(owners: list[str], x: np.ndarray, k_max: int, seed: int
                              ) -> tuple[list[str], np.ndarray, np.ndarray, int, float, list[str]]:
    """(owners kept, their rows, labels, k, silhouette, outliers set aside)."""
    outliers: list[str] = []
    for round_ in range(OUTLIER_ROUNDS + 1):
        found = cluster_rows(x, owners, 2, min(k_max, len(owners) - 1), seed=seed, parsimony=PARSIMONY)
        sizes = Counter(found.labels.tolist())
        alone = [i for i, lab in enumerate(found.labels.tolist()) if sizes[lab] == 1]
        if (round_ == OUTLIER_ROUNDS or not alone or len(owners) < OUTLIER_MIN_OWNERS
                or len(owners) - len(alone) < 4):
            break
        set_aside = set(alone)
        keep = [i for i in range(len(owners)) if i not in set_aside]
        outliers += [owners[i] for i in alone]
        owners, x = [owners[i] for i in keep], x[keep]
    return owners, x, relabel_by_size(found.labels, owners), found.k, found.silhouette, sorted(outliers)


#: How much more common in a needs segment than in the others a phrase must be to name it.
NAME_LIFT = 1.5


def _needs_names(texts: dict[int, list[str]]) -> dict[int, str]:
    """Each needs segment named by the key phrases that set its evidence apart; unique, never "Needs 2"."""
    from segscribe.pipeline.keyphrases import label_groups

    order = sorted(texts)
    # A segment's name must tell it from the others: phrases at least 1.5x as common in it as elsewhere.
    phrases = label_groups([texts[c] for c in order], top=5, min_lift=NAME_LIFT)
    out: dict[int, str] = {}
    taken: set[str] = set()
    used: set[str] = set()
    for c, ph in zip(order, phrases, strict=True):
        # Lead with a phrase no larger segment leads with, so segments (and their personas) read apart.
        ph = [p for p in ph if p not in used] + [p for p in ph if p in used]
        used.update(ph[:1])
        name = " · ".join(ph[:2]) or "mixed needs"
        if name in taken and len(ph) > 2:
            name = " · ".join(ph)
        base, n = name, 2
        while name in taken:
            name, n = f"{base} ({n})", n + 1
        taken.add(name)
        out[c] = name[:1].upper() + name[1:]
    return out


def choose_primary(result: SegmentsResult, evidence: Sequence[EvidenceBase]) -> Literal["table", "needs"]:
    """Personas follow the table segments when at least two of them have research linked, else needs."""
    if result.table is None:
        return "needs"
    linked = Counter(result.customer_segment.get(e.customer_id or "") for e in evidence)
    linked.pop(None, None)  # type: ignore[call-overload]
    return "table" if len([s for s, n in linked.items() if s and n >= 3]) >= 2 else "needs"


def attach_research(seg: Segmentation, evidence: Sequence[EvidenceBase], themes: Sequence[Theme],
                    segment_of: Callable[[EvidenceBase], str | None]) -> None:
    """Give each segment its voice: evidence ids and dominant themes."""
    theme_of = {eid: t.label for t in themes for eid in t.evidence_ids}
    by_seg: dict[str, list[str]] = defaultdict(list)
    for e in sorted(evidence, key=lambda x: x.id):
        s = segment_of(e)
        if s:
            by_seg[s].append(e.id)
    for p in seg.segments:
        ids = by_seg.get(p.name, [])
        if ids:
            p.evidence_ids = ids
            counts = Counter(theme_of[i] for i in ids if i in theme_of)
            p.top_themes = [t for t, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:3]]
