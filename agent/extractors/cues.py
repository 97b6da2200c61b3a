"""Domain-agnostic evidence classification of one sentence: the offline extractor's rules (`offline-cues@2`).

API
* ``split_sentences(text, start=0, end=None) -> list[(s, e)]`` - exact sentence offsets in ``text``.
* ``classify(sentence, voice) -> (kind, confidence, explanation)`` - kind in KINDS or "none".

Kinds (definitions used for the dev/holdout/test labels, see RESULTS.md):
* pain        - a difficulty, confusion, inability, uncertainty, cost or frustration experienced;
* goal        - a need, expectation, wish or preference about an outcome ("I'd expect", "would want");
* job         - what the person's work or task is (activities, responsibilities, process steps);
* workaround  - current practice: tools/methods used, habits, alternatives ("I use", "instead", "print it");
* objection   - concern, distrust, reluctance or refusal ("worried", "don't trust", "wouldn't use");
* suggestion  - a proposed change ("should", "it would be nice if", "maybe add", "could include");
* observation - an evaluation of the thing or a noted outcome ("easy", "liked", "didn't notice", "can find");
* none        - narrative, reading aloud, navigation, small talk, questions, template/interviewer text.
Only general English cues (regexes); no domain nouns.  Third-person note forms are covered
("Would want to ...", "Expects ...", "Was confused", "Didn't notice", "P3 uses ...").

Where the rules were set: written from ~240 sentences read from the three VA.gov studies' notes and the
creatives interviews' participant turns (shared/data), then adjusted on a development set labelled for this
purpose (evals/datasets/kinds_dev.jsonl). The evaluation sample (evals/datasets/kinds_sample.jsonl) was
labelled independently and is not used for tuning. Neither is corpus/.
"""
from __future__ import annotations

import re
from typing import Any

_ABBR = re.compile(r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof|Sr|Jr|St|vs|etc|e\.g|i\.e|approx|appt|appts|no|vol|fig|a\.m|p\.m)"
                   r"|\b[A-Z])\.$", re.I)
_END = re.compile(r"[.!?…]+[\"”’')\]]*(?=\s)|\n+")


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentences of text[start:end] as exact (s, e) offsets, trimmed of whitespace, bullet markers
    and '>' marks.  Splits at . ! ? … followed by white space (not after common abbreviations or
    single initials, not before a lower-case continuation of an ellipsis) and at line breaks."""
    end = len(text) if end is None else end
    out: list[tuple[int, int]] = []
    cur = start
    for m in _END.finditer(text, start, end):
        if m.group(0)[0] != "\n":
            before = text[max(start, m.start() - 8):m.end()]
            nxt = text[m.end():m.end() + 3].lstrip()
            if _ABBR.search(before.rstrip("\"”’')]")) and m.group(0) == ".":
                continue
            if m.group(0)[0] in ".…" and len(m.group(0)) > 1 and nxt[:1].islower():
                continue            # "so... I would"  - ellipsis inside one sentence
        out.append((cur, m.end() if m.group(0)[0] != "\n" else m.start()))
        cur = m.end()
    out.append((cur, end))
    res = []
    for s, e in out:
        while s < e and (text[s].isspace() or text[s] in ">*-•"):
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s and re.search(r"[A-Za-z0-9]", text[s:e]):
            res.append((s, e))
    return res


# ---------------------------------------------------------------------------------------------------
# Cue patterns: (regex, weight).  General English only - no domain nouns.  Patterns run on a lower-cased
# copy with curly apostrophes straightened.  Weight >= THRESHOLD (0.6): one cue suffices; 0.5: needs support.
# Written from ~240 sentences read from the VA notes + creatives User turns (sample seed 1), then adjusted on
# devset.jsonl and holdout.jsonl; testset.jsonl was labelled blind afterwards (RESULTS.md).
S = r"(?:i|we|they|he|she|participants?|p\d+)"                                   # person subjects
# up to three modal/adverb words between subject and verb: "I would also probably expect"
ADV = r"(?: (?:would|'d|will|'ll|also|probably|really|definitely|still|just|always|usually|typically|often|"\
      r"generally|mostly|mainly|normally|sometimes|occasionally|currently|now|then|even|actually|kind of|"\
      r"eventually|ultimately|personally|certainly|"\
      r"kinda|sort of|do|did|am|'m|was)){0,3}"
HAB = r"(?:always|usually|typically|often|generally|mostly|mainly|normally|sometimes|occasionally|regularly|"\
      r"currently|primarily|also|still|just|now)"
NEG = r"(?:not|n't|no|nothing|never|without|none|hardly|neither)"
CUES: dict[str, list[tuple[str, float]]] = {
    "pain": [
        (r"\bconfus(?:ing|ed|es|ion)\b|\bfrustrat\w*|\bannoy\w*|\bstruggl\w*|\bhassle\b|\bpain in the\b|"
         r"\btedious\b|\btime[- ]consuming\b|(?<!low-)(?<!low )\bstress(?:ful|ed|es)?\b|\bvague\b|\bmisleading\b|\boverwhelm\w*|\bthrows? (?:me|them|him|her) off\b|"
         r"\bnightmare\b|\bpainful\b|\bclunky\b|\bawkward\b|\bcumbersome\b|\bhate\b|\bdreaded?\b|\binconvenien\w+", 1.0),
        (r"\b(?:hard|difficult|tough|tricky|impossible|challenging) (?:to|for|part)\b|\bdifficult(?:y|ies)\b|"
         r"\bchallenges?\b|\bunclear\b|\bunsure\b|\bnot (?:\w+ )?sure\b|\bno idea\b|\bdon'?t (?:\w+ )?(?:know|"
         r"understand|get)\b(?! of\b)|\bdidn'?t (?:know|understand|realize)\b|\bdoes ?n'?t know\b|\bisn'?t sure\b|"
         r"\b(?:doesn'?t|didn'?t|does not|did not) make sense\b|\b(?:it|this|that|which|there|they|page|\w+ one)"
         r" (?:doesn'?t|didn'?t|does not|did not|won'?t|never) (?:\w+ )?(?:say|tell|show|give|have|mention|let|"
         r"explain|work|load|include|ask)\b|\b(?:hundreds|thousands) of dollars\b|\b(?:too )?(?:expensive|costly)\b|"
         r"\b(?:constantly|always|every time|keep) (?:have|having|need|needing) to\b", 0.8),
        (r"\b(?:can'?t|cannot|couldn'?t|could not|unable to|no way to|wasn'?t able to) (?:\w+ )?(?:find|access|figure|"
         r"tell|see|get|reach|understand|remember|do|upload|submit|change|edit|use|open|load|go)\b", 0.9),
        (r"\btakes? (?:forever|too long|so long|a long time|ages|\d|a few|several|many|hours|days|weeks|months)|"
         r"\b(?:took|taken|taking) (?:forever|too long|so long|a long time|ages|\d|some time|hours|days|weeks|months|"
         r"years)|\bspent (?:over |more than |about |almost |nearly )?(?:a|an|\d+|hours|days|weeks|months) "
         r"(?:\w+ )?(?:searching|trying|looking|going|waiting|fixing|redoing)\b|\bwaste(?:d)? (?:of )?(?:my |so much |a lot of )?time\b|\bwait(?:ing)? (?:for )?(?:weeks|months|hours)\b|\btoo (?:much|many|small|long|"
         r"slow|verbose|wordy|complicated|complex|busy|far)\b|\bso verbose\b|\ba lot of "
         r"(?:information|text|steps|clicks|reading|work)\b", 0.9),
        (r"\b(?:problems?|issues?|trouble)\b|\bnot (?:quite )?right\b|\b(?:was|is|were|are|something) wrong\b|"
         r"\blimit(?:s|ed|ation|ations)?\b", 0.6),
        (r"\b(?:errors?|glitch\w*|bugs?|broken|fail(?:ed|s|ure|ing)?|stuck|lost|missing)\b", 0.5),
        (r"\b(?:always|keeps?|often|constantly) (?:fail|fails|failing|break|breaks|crash|crashes|struggles?)\b|"
         r"\bchallenging\b", 0.8),
        (r"\b(?:was|were|is|are|got|get|seemed|felt|am|be|'m) (?:\w+ )?(?:confused|lost|unsure|stuck|frustrated|"
         r"annoyed|overwhelmed|disappointed|mad|upset|angry)\b|\bdisappoint\w*", 0.8),
    ],
    "goal": [
        (rf"(?<!how )(?<!what )(?<!when )(?<!if )(?<!things )(?<!anything )(?<!everything )\b{S}{ADV} (?:want|wants|"
         rf"wanted|wish|wishes|hope|hopes|prefer|prefers|preferred|expect|expects|expected|expecting|"
         rf"envision|envisions)\b(?! you\b)|\bwhat (?:i|we) (?:want|need) is\b|\b(?:will|'ll|going to|gonna) "
         r"(?:\w+ )?(?:get|become|be) better\b", 0.9),
        (r"^(?:would|wants?|wanted|expects?|expected|expecting|prefers?|preferred|needs?|hopes?|wish(?:es)?)\b", 0.9),
        (r"\b(?:would|'d|wouldn'?t) (?:really )?(?:like|love|want|prefer|expect|hope|need|rather)\b|"
         r"\bexpectations?\b|\bpreferences?\b|\bhopefully\b|\blooking for\b|\bmust[- ]have\b|"
         r"\b(?:important|essential|crucial|key|matters) (?:to|for) (?:me|us|them|him|her)\b", 0.8),
        # "need" is mostly procedural in task walk-throughs ("then I need to scroll"): only need + object/ability
        (rf"\b{S}{ADV} needs? (?:to (?:know|be able|see|have|understand|get)|a way|an? (?:\w+ )?(?:option|way|"
         r"place|button|link|tool|reminder|notification))\b", 0.9),
    ],
    "job": [
        (r"\b(?:my|our|their|his|her) (?:job|role|work|business|responsibilit\w+|main \w+) (?:is|are|was|involves?|"
         r"includes?|revolves?|consists?|will be)\b|\bresponsible for\b|\bin charge of\b|\bon a (?:daily|weekly|"
         r"monthly|regular) basis\b|\btypical (?:project|day|week)\b|\b(?:things|types of \w+|kinds of \w+) (?:i|we) "
         r"(?:create|make|do|write|design|produce|sell)\b|\b(?:i'm|i am|i'll be|we're|we are) (?:often |usually )?"
         r"(?:contracted|hired|commissioned|employed|paid) to\b|\btasked with\b|\b(?:i|we) do (?:a (?:variety|range|"
         r"lot|mix) of |all kinds of |mostly |mainly )?(?:\w+ )?work\b", 1.0),
        (rf"\bso (?:that )?{S} can\b|\b(?:i'm|i am|we're|we are) trying to\b", 0.6),
        (r"\bin order to\b|\b(?:my|our|for|with) clients?\b", 0.5),
        (r"^(?:[\w ]{1,20}, )?(?:i|we)(?: also| mainly| mostly| primarily| typically| usually| currently| often| "
         r"sometimes| rarely)? (?:create|write|design|produce|compose|develop|manage|run|build|teach|edit|shoot|paint|"
         r"draw|illustrate|work (?:on|as|in|with|for)|handle|coordinate|plan|sell|craft|perform|specialize|make|"
         r"help (?:\w+ )?(?:with|plan|people|clients|them|my|our))\b", 0.9),
    ],
    "workaround": [
        (rf"\b{S}{ADV} (?:use|uses|used|rely|relies|relied|resort|resorts)\b(?! to (?:be|have)\b)|"
         r"\b(?:i'm|i am|we're|we are)(?: \w+)? using\b(?!\s*[.,;!?]|$)|\b(?:i|we) (?:don'?t|do not|never) (?:just |really |\w+ )?"
         r"(?:use|take|let|ask)\b|\b(?:continue|continues|keep|keeps) (?:to )?us(?:e|ing)\b|\b(?:i|we) do (?:a lot|most|everything|all) (?:of (?:my|our|it) )?(?:on|with|in|through|by|"
         r"from)\b", 0.8),
        (rf"(?:\b(?:i|we)(?: would| will|'ll|'d)? {HAB}|^{HAB},? (?:i|we)(?: would| will|'ll|'d)?)(?: \w+)? (?:use|ask|take|give|run|check|keep|put|send|go|turn|"
         r"write|copy|paste|upload|print|call|save|export|remix|edit|start|do|have|get|bring|stop)\b", 0.8),
        (r"\bby hand\b|\bmanually\b|\bon paper\b|\bpaper (?:records?|cop(?:y|ies)|forms?)\b|\bprint(?:s|ed|ing)? "
         r"(?:it|them|this|that|out|off|the)\b|\bnotebook\b|\bwrite (?:it|them|things) down\b|"
         r"\bsticky notes?\b|\bworkarounds?\b|\bwork around\b|\bhack\b|\bin person\b|\bmail (?:it|them) in\b|"
         r"\bsnail mail\b|\b(?:call|calls|calling|phone) (?:them|the|a|to|in|up|first|and)\b|\bi(?:'d| would)? call\b|"
         r"\bstrips of paper\b|\bcopy[- ]paste\b", 0.9),
        (r"\b(?:i|we)(?: \w+)? (?:tend to|used to|always have to|usually have to)\b", 0.8),
        (r"\b(?:i|we)(?: \w+)? end(?:ed)? up\b|\bback in the day\b|"
         r"\bbefore (?:\w+ ){0,2}(?:i|we) (?:would|used|had)\b|\binstead of \w+ing\b|\brather than\b|"
         r"\b(?:usually|always|typically|normally)\b.*\binstead\b|\bspreadsheets?\b", 0.5),
    ],
    "objection": [
        (r"\bworr(?:y|ied|ies|ying)\b|\bconcerns?\b|(?<!is )(?<!are )\bconcerned\b|\bwary\b|\bweary\b|\bleery\b|\bhesitant\b|\bskeptic\w*|"
         r"\bsceptic\w*|\bsuspicious\b|\bafraid\b|\bscared\b|\bfears?\b|\bnervous\b|\buneasy\b|\buncomfortable\b|"
         r"\bnot comfortable\b|\bdistrust\b|\bmistrust\b|\bdeal ?breaker\b|\bthreat\w*|\brisk(?:y|s)?\b|\bprivacy\b|"
         r"\bnot (?:that |really |very |at all )?interested in\b|\baversion\b|\breservations?\b|\bcautious\b|"
         r"\bdon'?t see (?:myself|ourselves) (?:ever )?\w+ing\b", 1.0),
        (r"\b(?:don'?t|do not|didn'?t|wouldn'?t|won'?t|can'?t|never) (?:fully |really |completely )?trust\b|"
         r"\b(?:wouldn'?t|won'?t|would not|will not|never) (?:\w+ )?(?:use|let|rely|pay|put|want|do|go|try|sign|make|"
         r"choose|buy|share|upload|submit|give)\b|"
         r"\brather not\b|\bnot playing with\b|\bnot a fan\b|\brefuse\w*|\bagainst (?:it|this|that|using)\b|"
         r"\breplac(?:e|es|ed|ing) (?:me|us|my|our|human|people|artists|writers|jobs|workers)\b|"
         r"\btak(?:e|es|ing) (?:work|jobs) away\b|\b(?:wouldn'?t|don'?t|didn'?t|not|never) (?:\w+ )?(?:feel|be) "
         r"(?:\w+ )?(?:confident|comfortable|safe)\b", 0.9),
    ],
    "suggestion": [
        (r"(?<!what it )(?<!like it )\b(?:should|shouldn'?t)(?: \w+)? (?:be|have|say|include|show|list|add|tell|let|give|offer|allow|make|put|"
         r"read|link|go|take|probably|also|just|at least|specify|explain|state|mention)\b|\bthere (?:should|needs to) be\b", 1.0),
        (r"\b(?:would|'d|could|might) be (?:really |so |very |more |a lot )?(?:nice|good|great|helpful|better|useful|easier|"
         r"cool|ideal|best|beneficial|convenient|clearer) (?:if|to|for|when)\b|\bit'?d be (?:nice|good|great|helpful|"
         r"better|useful)\b|\b(?:something|it|that|this) (?:else )?would be (?:nice|good|great|helpful|useful)\b|"
         r"\b(?:could|might) (?:\w+ )?be (?:\w+ )?(?:nice|good|great|helpful|useful|better|worth)\b", 1.1),
        (r"\b(?:it|this|that|there|you|you guys|they) (?:could|might) (?:even |also |just )?(?:add|include|put|have|show|"
         r"say|list|move|use|link|be in|be on|be under|give|ask|let|send|offer|allow|provide|remind|make)\b|"
         r"\bmaybe (?:just )?(?:add|include|put|have|make|change|simplify|say|move|show|rename|call|a|an|some|more|"
         r"something|if|having|list|link)\b", 0.8),
        (rf"\b(?:i'd|i would|we'd|we would) (?:\w+ )?(?:recommend|suggest|change|add|rename|remove|get rid)\b|"
         rf"\b{S}{ADV} (?:suggest|suggests|suggested|recommend|recommends|recommended)\b|^suggestions? (?:for|to|"
         r"that|of)\b|\b(?:my|our|a|one) (?:suggestion|recommendation)\b|\bneeds? to be (?:more|less|worded|moved|changed|bigger|smaller|clearer|"
         r"\w+er)\b|\bwhy not (?:just )?(?:add|have|put|make|include|show|let|give|use)\b|\bwish (?:there|it|they|"
         r"you)\b|\bif (?:it|there|they|you) (?:said|had|showed|were|told|gave|included|listed|just)\b|"
         r"\bmake (?:it|this|that|the \w+) (?:more|less|bigger|clearer)\b", 0.9),
    ],
    "observation": [
        (rf"\b{S}(?: (?!feel|feels|felt|look|looks|seem|seems|sound|sounds|would|'d)\w+)? (?:like|likes|liked|"
         r"love|loves|loved|enjoy\w*|appreciate\w*|dislike\w*)\b(?! to\b)|"
         r"^(?:likes|liked|loves|dislikes|appreciates?)\b", 0.9),
        (r"\b(?:easy|easily|simple|straightforward|self[- ]explanatory|intuitive|clear|clearly|helpful|unhelpful|"
         r"useful|useless|handy|convenient|nice|cool|neat|awesome|excellent|perfect|clean|smooth|transparent|"
         r"obvious|informative|pertinent|concise|redundant|repetitive|generic|verbose|pointless|fine|great|good|"
         r"fantastic|amazing|wonderful|impressive|terrible|awful|poor|entertaining|efficien\w+|quicker|faster|outdated|"
         r"cluttered|messy|bland|boring|contrived|"
         r"easier|simpler|better|worse)\b|\bmakes? sense\b|\bmade sense\b|\bworks? (?:well|fine|great)\b|"
         r"\bworked (?:well|fine|great)\b|\buser[- ]friendly\b|\bno (?:issues|problems)\b", 0.7),
        (r"\b(?:didn'?t|did not|never|doesn'?t|does not|not) (?:even )?(?:notic\w*|see|saw|read|realiz\w*)\b|"
         r"\bscrolled (?:right )?past\b|\boverlooked\b|\b(?:easily|quickly|immediately|correctly|successfully) "
         r"\w+|\b(?:was|were|is|are) able to\b|\b(?:can|could) (?:easily )?(?:find|navigate|cancel|understand|"
         r"recogni[sz]e|locate|complete)\b|\brecogni[sz](?:es|ed)\b", 0.8),
    ],
}
COMPILED = {k: [(re.compile(p), w) for p, w in v] for k, v in CUES.items()}
KINDS = ("pain", "goal", "job", "workaround", "objection", "suggestion", "observation")
THRESHOLD = 0.6
# On ties the earlier kind wins: a proposal or a concern is more specific than a difficulty, which is
# more specific than a bare evaluation.
PRIORITY = ("suggestion", "objection", "goal", "workaround", "job", "pain", "observation")
_SMALLTALK = re.compile(r"^(?:thanks?|thank you|(?:that |this |it )?(?:all )?sounds (?:good|great|fine|perfect)|"
                        r"you'?re welcome|no (?:more )?questions|bye|cheers|"
                        r"hi|hello|perfect|great|ok(?:ay)?|sure|yes|no|yeah|yep|nope|not really|i don'?t think so)\b"
                        r"[\s\w,'!.]{0,25}$")
_RHETORICAL = re.compile(r"\b(?:why (?:is|isn'?t|does|doesn'?t|do|don'?t|would|can'?t|couldn'?t)|can'?t (?:i|we|you) "
                         r"just|how (?:am|are|is) (?:i|we|you|someone) (?:supposed|meant) to)\b")


def _norm(s: str) -> str:
    return s.lower().replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')


def _negated(t: str, at: int) -> bool:
    """A negator within the five words before position `at` ("not that confusing", "no real issues")."""
    return bool(re.search(rf"\b{NEG}\b(?:\W+\w+){{0,4}}\W*$", t[max(0, at - 50):at]))


def classify(sentence: str, voice: str) -> tuple[str, float, dict[str, Any]]:
    """(kind, confidence, explanation) for one sentence.  kind is one of KINDS or "none".

    Only participant and note-taker sentences can be evidence; template and interviewer text, small talk,
    questions (except complaint-style rhetorical ones) and sentences without any cue are "none".  Each kind
    sums the weights of its matching cue patterns; the best kind must reach THRESHOLD, ties go by PRIORITY.
    A difficulty/concern cue preceded by a negator ("nothing confusing", "not worried") does not count;
    a negated difficulty becomes a (positive) evaluation."""
    exp: dict[str, Any] = {"voice": voice, "cues": {}, "scores": {}}
    if voice not in ("participant", "customer", "notes"):
        exp["gate"] = f"voice={voice}"
        return "none", 0.95, exp
    t = _norm(sentence).strip()
    words = re.findall(r"[a-z0-9']+", t)
    if len(words) < 2 or _SMALLTALK.match(t):
        exp["gate"] = "too short / small talk"
        return "none", 0.9, exp
    scores = dict.fromkeys(KINDS, 0.0)
    for kind in KINDS:
        for rx, w in COMPILED[kind]:
            hits = [m for m in rx.finditer(t)]
            live = [m for m in hits if kind not in ("pain", "objection") or re.search(NEG, m.group(0))
                    or not _negated(t, m.start())]
            if kind == "pain" and len(live) < len(hits):
                scores["observation"] += 0.7
                exp["cues"].setdefault("observation", []).append("negated: " + hits[0].group(0))
            if kind == "objection" and len(live) < len(hits):
                exp["cues"].setdefault("none", []).append("negated: " + hits[0].group(0))
            if live:
                scores[kind] += w
                exp["cues"].setdefault(kind, []).append(live[0].group(0).strip())
    if re.search(r"\bhelp(?:s|ed)? (?:me|us|them|you)\b", t):
        scores["observation"] += 0.6
        exp["cues"].setdefault("observation", []).append("helps me")
    # Evaluation words inside a hypothetical ("if it had ..., it would help me get a better ...") do not
    # evaluate the thing as it is.
    if re.search(r"\bif (?:it|there|they|you|we|i) (?:had|were|could|would|said|showed)\b|\bwould (?:be|help|"
                 r"make) ", t):
        scores["observation"] /= 2
    # Evaluation adjectives inside quotation marks are labels or scare quotes, "clean up" is a verb.
    bare = re.sub(r'"[^"]*"|\bclean(?:s|ed|ing)? (?:\w+ )?up\b|\bgood old\b', " ", t)
    if exp["cues"].get("observation") and not any(rx.search(bare) for rx, _ in COMPILED["observation"]) \
            and not re.search(r"negated|helps me", " ".join(exp["cues"]["observation"])):
        scores["observation"] = 0.0
    # A pile of weak evaluation words must not outvote one explicit concern/proposal/need.
    scores["observation"] = min(scores["observation"], 1.0)
    exp["scores"] = {k: round(v, 2) for k, v in scores.items() if v}
    if t.rstrip(" \"')").endswith("?"):
        asks = re.match(r"(?:so |and |but |or |um |oh |well )?(?:what|how|why|where|when|which|who|whose|is|are|am|"
                        r"was|were|do|does|did|can|could|would|will|should|shall|has|have|had|any|anything)\b", t)
        if _RHETORICAL.search(t) and scores["pain"] + scores["suggestion"] > 0:
            exp["gate"] = "rhetorical question"
        elif asks or scores["suggestion"] < THRESHOLD:   # "X would be good - did I ...?" keeps its proposal
            exp["gate"] = "question"
            return "none", 0.8, exp
    best = max(PRIORITY, key=lambda k: (scores[k], -PRIORITY.index(k)))
    top = scores[best]
    if top < THRESHOLD:
        exp["gate"] = "no cue above threshold"
        return "none", round(0.9 - top / 2, 2), exp
    second = max(v for k, v in scores.items() if k != best)
    conf = round(min(0.95, 0.45 + 0.2 * top + 0.15 * (top - second)), 2)
    return best, conf, exp
