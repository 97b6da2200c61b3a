"""Rule-based segments: a safe, vectorised expression language over DataFrame columns.

Grammar (Python syntax, checked node by node against a whitelist before anything runs):
``and``, ``or``, ``not``, comparisons ``== != < <= > >=`` (chains allowed), ``in`` / ``not in``
with a list or tuple of literals, column names (in back quotes when they are not identifiers,
e.g. ```Monthly Charges` > 70``), string/number/boolean literals, and a bare boolean column.
Nothing else parses: no calls, attributes, subscripts or arithmetic.

A missing cell never satisfies a comparison (``!=`` included), so a blank value cannot sneak a
customer into a segment. Rules are tried in order; the first match wins.
"""

from __future__ import annotations

import ast
import operator
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from segscribe.errors import RuleError
from segscribe.schemas.segment import RuleSpec

_COMPARE: dict[type, Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt,
    ast.LtE: operator.le, ast.Gt: operator.gt, ast.GtE: operator.ge,
}  # fmt: skip
_ALLOWED = (
    ast.Expression, ast.BoolOp, ast.And, ast.Or, ast.UnaryOp, ast.Not, ast.USub, ast.Compare,
    ast.Name, ast.Load, ast.Constant, ast.List, ast.Tuple, ast.In, ast.NotIn, *_COMPARE,
)  # fmt: skip




@dataclass(frozen=True)
class Rule:
    """A parsed, checked rule."""

    name: str
    text: str
    tree: ast.Expression
    quoted: dict[str, str] = field(default_factory=dict)

    def column_name(self, ident: str) -> str:
        """The real column behind an identifier (back-quoted names are stand-ins)."""
        return self.quoted.get(ident, ident)

    @property
    def columns(self) -> list[str]:
        """Column names the rule reads, sorted."""
        return sorted({self.column_name(n.id) for n in ast.walk(self.tree) if isinstance(n, ast.Name)})


def _is_number(node: ast.AST) -> bool:
    value = node.value if isinstance(node, ast.Constant) else None
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_literal(node: ast.AST) -> bool:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        node = node.operand
    return isinstance(node, ast.Constant)


#: Bounds that keep a hostile or mistaken rule from exhausting the stack or memory.
MAX_RULE_CHARS = 10_000
MAX_RULE_DEPTH = 40


def _depth(tree: ast.AST) -> int:
    """Nesting depth of an expression tree (iterative, so a deep tree cannot overflow the stack)."""
    deepest, stack = 0, [(tree, 1)]
    while stack:
        node, d = stack.pop()
        deepest = max(deepest, d)
        stack.extend((child, d + 1) for child in ast.iter_child_nodes(node))
    return deepest


def parse_rule(text: str, name: str = "rule") -> Rule:
    """Parse and whitelist-check ``text``; raises :class:`RuleError` naming the offending construct."""
    # Column names that are not identifiers are written in back quotes: `Monthly Charges` > 70.
    quoted: dict[str, str] = {}

    def stand_in(m: re.Match[str]) -> str:
        ident = f"_col{len(quoted)}_"
        quoted[ident] = m.group(1)
        return ident

    if len(text) > MAX_RULE_CHARS:
        raise RuleError(f"segment {name!r}: rule is {len(text):,} characters; keep rules under {MAX_RULE_CHARS:,}")
    source = re.sub(r"`([^`]+)`", stand_in, text.strip())
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        raise RuleError(f"segment {name!r}: cannot parse rule {text[:80]!r}: {exc.msg}") from exc
    except (RecursionError, MemoryError):
        raise RuleError(f"segment {name!r}: rule is nested too deeply to parse; simplify it") from None
    if _depth(tree) > MAX_RULE_DEPTH:
        raise RuleError(f"segment {name!r}: rule nests deeper than {MAX_RULE_DEPTH} levels; simplify it")
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED):
            raise RuleError(
                f"segment {name!r}: {type(node).__name__} is not allowed in rules ({text!r}); "
                "use and/or/not, comparisons, in/not in, column names and literals"
            )
        if isinstance(node, ast.Constant) and not isinstance(node.value, str | int | float | bool):
            raise RuleError(f"segment {name!r}: literal {node.value!r} is not allowed in {text!r}")
        if isinstance(node, ast.List | ast.Tuple) and not all(map(_is_literal, node.elts)):
            raise RuleError(f"segment {name!r}: lists may only hold literals in {text!r}")
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and not _is_number(node.operand):
            raise RuleError(f"segment {name!r}: minus only applies to number literals in {text!r}")
    return Rule(name=name, text=text, tree=tree, quoted=quoted)


class _Evaluator:
    def __init__(self, df: pd.DataFrame, rule: Rule) -> None:
        self.df = df
        self.rule = rule

    def fail(self, msg: str) -> RuleError:
        return RuleError(f"segment {self.rule.name!r}: {msg} in rule {self.rule.text!r}")

    def mask(self, node: ast.AST) -> pd.Series:
        """Evaluate a boolean node to a bool Series aligned with the frame."""
        if isinstance(node, ast.BoolOp):
            parts = [self.mask(v) for v in node.values]
            out = parts[0]
            for p in parts[1:]:
                out = (out & p) if isinstance(node.op, ast.And) else (out | p)
            return out
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return ~self.mask(node.operand)
        if isinstance(node, ast.Compare):
            return self.compare(node)
        if isinstance(node, ast.Name):
            col = self.column(node)
            if not pd.api.types.is_bool_dtype(col):
                name = self.rule.column_name(node.id)
                raise self.fail(f"column {name!r} is not boolean; compare it, e.g. {name} == 'Yes'")
            return col.fillna(False).astype(bool)
        if isinstance(node, ast.Constant) and isinstance(node.value, bool):
            return pd.Series(node.value, index=self.df.index)
        raise self.fail(f"{ast.unparse(node)!r} is not a condition")

    def column(self, node: ast.Name) -> pd.Series:
        name = self.rule.column_name(node.id)
        if name not in self.df.columns:
            raise self.fail(f"unknown column {name!r} (columns: {', '.join(map(str, self.df.columns))})")
        return self.df[name]

    def operand(self, node: ast.AST) -> Any:
        if isinstance(node, ast.Name):
            return self.column(node)
        if isinstance(node, ast.List | ast.Tuple):
            return [self.operand(e) for e in node.elts]
        return ast.literal_eval(node)  # checked: a literal or a negated number

    def compare(self, node: ast.Compare) -> pd.Series:
        out = pd.Series(True, index=self.df.index)
        left_node = node.left
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            left, right = self.operand(left_node), self.operand(right_node)
            out &= self.compare_one(op, left, right)
            left_node = right_node
        return out

    def compare_one(self, op: ast.cmpop, left: Any, right: Any) -> pd.Series:
        if isinstance(op, ast.In | ast.NotIn):
            if not isinstance(left, pd.Series) or not isinstance(right, list):
                raise self.fail("'in' needs a column on the left and a list of literals on the right")
            hit = left.isin(right).fillna(False).astype(bool)
            return (hit if isinstance(op, ast.In) else ~hit) & left.notna()
        if not isinstance(left, pd.Series) and not isinstance(right, pd.Series):
            raise self.fail("a comparison needs at least one column")
        try:
            res = _COMPARE[type(op)](left, right)
        except TypeError as exc:
            raise self.fail(f"cannot compare these values ({exc})") from exc
        res = pd.Series(res, index=self.df.index).fillna(False).astype(bool)
        for side in (left, right):
            if isinstance(side, pd.Series):
                res &= side.notna()
        return res


def evaluate(rule: Rule | str, df: pd.DataFrame) -> pd.Series:
    """Boolean Series: which rows satisfy the rule."""
    parsed = parse_rule(rule) if isinstance(rule, str) else rule
    return _Evaluator(df, parsed).mask(parsed.tree.body).astype(bool)


@dataclass(frozen=True)
class RuleResult:
    """First-match labels (``None`` = unassigned) plus overlap and coverage counts."""

    labels: pd.Series
    matches: pd.DataFrame
    overlapping: int
    unassigned: int
    pair_overlaps: dict[str, int]
    rules: list[Rule]
    catch_all: str | None

    def counts(self) -> dict[str, int]:
        """Assigned customers per segment, in rule order (catch-all last)."""
        vc = self.labels.value_counts()
        names = [r.name for r in self.rules] + ([self.catch_all] if self.catch_all else [])
        return {n: int(vc.get(n, 0)) for n in names}


def parse_rules(specs: Sequence[RuleSpec | dict[str, str]]) -> list[Rule]:
    """Parse an ordered config list of {name, rule}; names must be unique."""
    rules: list[Rule] = []
    for spec in specs:
        s = spec if isinstance(spec, RuleSpec) else RuleSpec.model_validate(spec)
        if any(r.name == s.name for r in rules):
            raise RuleError(f"segment name {s.name!r} appears twice in the rules; names must be unique")
        rules.append(parse_rule(s.rule, s.name))
    return rules


def apply_rules(df: pd.DataFrame, specs: Sequence[RuleSpec | dict[str, str] | Rule],
                catch_all: str | None = None) -> RuleResult:
    """Label each row with its first matching rule, else ``catch_all``, else ``None``."""
    rules = [s if isinstance(s, Rule) else parse_rules([s])[0] for s in specs]
    dup = sorted({r.name for r in rules if [x.name for x in rules].count(r.name) > 1})
    if dup:
        raise RuleError(f"segment name(s) {dup} appear twice in the rules; names must be unique")
    if catch_all is not None and any(r.name == catch_all for r in rules):
        raise RuleError(f"catch-all name {catch_all!r} is also a rule name; pick another")
    matches = pd.DataFrame({r.name: evaluate(r, df).to_numpy() for r in rules}, index=df.index)
    m = matches.to_numpy(dtype=bool)
    hits = m.sum(axis=1)
    first = np.argmax(m, axis=1) if len(rules) else np.zeros(len(df), dtype=np.int64)
    names = np.array([r.name for r in rules] + [catch_all], dtype=object)
    fallback = np.full(len(df), catch_all, dtype=object)
    labels = np.where(hits > 0, names[first], fallback) if len(rules) else fallback
    pairs = {}
    for i in range(len(rules)):
        for j in range(i + 1, len(rules)):
            both = int((m[:, i] & m[:, j]).sum())
            if both:
                pairs[f"{rules[i].name} & {rules[j].name}"] = both
    return RuleResult(
        labels=pd.Series(labels, index=df.index, name="segment", dtype=object),
        matches=matches, overlapping=int((hits > 1).sum()),
        unassigned=int((hits == 0).sum()) if catch_all is None else 0,
        pair_overlaps=pairs, rules=rules, catch_all=catch_all,
    )
