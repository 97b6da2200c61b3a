"""Cue patterns and prototype sentences for the offline extractor (rule-set `offline-rules@1`).

Prototypes are generic research sentences written for segscribe; they are
not taken from the bundled corpus or any external data set.
"""

from __future__ import annotations

import re

RULESET = "offline-rules@1"

# (pattern, weight) per kind. Weights add up; the best kind above a threshold wins.
CUES: dict[str, list[tuple[str, float]]] = {
    "pain": [
        (r"\b(frustrat\w*|annoy\w*|painful|pain in the|nightmare|headache|hate|awful|terrible|horrible)\b", 1.0),
        (r"\bdrives? me (nuts|crazy|mad|up the wall)\b", 1.2),
        (r"\b(struggl\w*|stuck|broken|breaks|fails?|failing|error|bug|crash\w*|slow|clunky|confus\w*)\b", 0.6),
        (r"\b(waste[sd]?|wasting|lost|lose|losing|eats?|burn\w*) (a |an |the )?(whole |full |entire )?"
         r"(day|days|hours?|week|weeks|time|afternoon|morning)", 1.1),
        (r"\b(takes?|took|spend|spent) (me |us |her |him |them )?(the better part of |about |almost |over )?"
         r"(\w+ )?(hours|days|weeks)\b", 0.9),
        (r"\b(every (single )?(time|month|week|day|quarter)|constantly|always have to|again and again)\b", 0.5),
        (r"\b(by hand|manual\w*|chase|chasing|re-?key\w*|copy[- ]paste)\b", 0.6),
        (r"\b(worr\w+|scared|afraid|stress\w*|anxious|nervous|risk)\b", 0.5),
        (r"\b(too (expensive|complicated|many|much)|overkill|brutal|ridiculous)\b", 0.8),
        (r"\b(can'?t|cannot|couldn'?t|doesn'?t|don'?t|won'?t|isn'?t|no way to)\b", 0.3),
        (r"\b(problem|issue|mess|mistakes?|late|behind|blocked|bottleneck)\b", 0.5),
    ],
    "goal": [
        (r"\b(i|we) (really )?(want|need|would love|'d love|wish|hope)\b", 0.9),
        (r"\b(goal|target|aim|objective|priority|measured on|success (is|looks|would))\b", 1.0),
        (r"\b(i|we)'?d (like|love) to\b", 0.9),
        (r"\b(if (only|i could|we could)|ideally|in an ideal world|dream)\b", 0.9),
        (r"\bget (it|that|us|this) (down )?to\b", 0.6),
        (r"\b(faster|fewer|less time|more time|by the end of)\b", 0.3),
    ],
    "job": [
        (r"\bso (that )?(i|we) can\b", 1.2),
        (r"\bwhen(ever)? (i|we)\b.*\b(i|we) (want|need|have) to\b", 1.2),
        (r"\bmy (job|role) is\b|\bmy job,", 1.0),
        (r"\b(i|we) (have|need|use \w+) to (make sure|keep|get|prove|track|close|report)\b", 0.6),
        (r"\bin order to\b", 0.7),
        (r"\b(responsible for|in charge of|accountable for)\b", 0.8),
    ],
    "workaround": [
        (r"\b(spreadsheet|excel|google sheets?|shared inbox|shoebox|sticky notes?|whiteboard|zap(ier)?|"
         r"macro|script|intern|paper|printout|notebook|whatsapp|slack channel)\b", 1.0),
        (r"\b(workaround|work around|hack|band-?aid|duct tape|cobbled|manually)\b", 1.0),
        (r"\b(instead|for now|in the meantime|what (i|we) do is|(i|we) just|we ended up)\b", 0.6),
        (r"\b(export\w*|download\w*|copy\w*|forward\w*) (it |them |everything )?(to|into|out)\b", 0.8),
        (r"\b(every (monday|friday|morning|evening|week)) (i|we)\b", 0.6),
    ],
    "objection": [
        (r"\b(security review|questionnaire|compliance sign-?off|soc ?2|hipaa|gdpr|data residency|sso|"
         r"single sign-?on|audit trail|audit log)\b", 1.0),
        (r"\b(procurement|audit(or)?s?)\b", 0.4),
        (r"\b(deal ?breaker|non-?negotiable|must have|must-have|won'?t (buy|sign|switch)|walk away)\b", 1.2),
        (r"\b(concern\w*|hesitant|skeptic\w*|sceptic\w*|not convinced|don'?t trust|trust)\b", 0.8),
        (r"\b(price|pricing|cost|budget|expensive|per seat|contract|renewal|cancel\w*)\b", 0.6),
        (r"\b(before (we|i) (buy|sign|commit)|decid\w+|criteria|evaluat\w+|compared?)\b", 0.6),
    ],
}
COMPILED = {k: [(re.compile(p, re.I), w) for p, w in v] for k, v in CUES.items()}

PROTOTYPES: dict[str, list[str]] = {
    "pain": [
        "It is really frustrating that this takes so long every single month.",
        "We waste hours re-entering the same data by hand.",
        "The tool keeps breaking and nobody can tell me why.",
        "It drives me crazy when the numbers don't match.",
        "I'm always worried we missed something before the deadline.",
        "Things get stuck waiting for someone to approve them.",
        "Setting it up was confusing and took forever.",
        "The price jump to the next plan is way too much for us.",
        "We lost a whole day fixing errors last week.",
        "Switching between screens all day is exhausting.",
    ],
    "goal": [
        "I want to finish the month-end work in half the time.",
        "Our goal is to get everything done without overtime.",
        "I'd love to see everything in one place.",
        "What I really need is something simple that just works.",
        "Ideally the whole team would be able to do this themselves.",
        "We are aiming to cut the time it takes by a few days.",
        "I need to be able to do this from my phone.",
        "Success for me would be never having to chase anyone.",
    ],
    "job": [
        "When a new request comes in, I need to get it approved quickly so we can keep working.",
        "My job is to make sure the numbers are right before they go to leadership.",
        "I'm responsible for keeping the records clean for the auditors.",
        "We use it to keep track of everything so that nothing falls through the cracks.",
        "I have to prove to the board that we are in control.",
        "I want to feel confident that nothing will blow up.",
        "I want my clients to see me as someone who has it all under control.",
    ],
    "workaround": [
        "Right now we keep everything in a shared spreadsheet.",
        "What we do instead is export it and fix it in Excel.",
        "We ended up writing a little script to move the data across.",
        "For now I just email people a list every Monday.",
        "We have a shared inbox where everything gets forwarded.",
        "My assistant prints it all out and we go through it on paper.",
    ],
    "objection": [
        "Before we sign anything it has to pass our security review.",
        "If it doesn't support single sign-on, it's a deal breaker.",
        "I'm not convinced it's worth the price.",
        "Our compliance team will want to know where the data is stored.",
        "We'd need to see the audit trail before we commit.",
        "The contract terms were the main thing we compared vendors on.",
    ],
}

FREQUENCY = re.compile(
    r"\b(every (single )?(day|morning|week|month|quarter|year|time|monday|friday)|(once|twice|\w+ times) (a|per) "
    r"(day|week|month|year)|daily|weekly|monthly|constantly|all the time|always)\b", re.I)
INTENSITY = re.compile(
    r"\b(drives? me (nuts|crazy|mad)|nightmare|hate|awful|terrible|brutal|painful|exhausting|"
    r"(lost|lose|waste[sd]?) (a |an |the )?(whole |full |entire )?(day|week|afternoon)s?|"
    r"\w+ (hours|days))\b", re.I)
ALTERNATIVE = re.compile(
    r"\b(spreadsheets?|excel|google sheets?|shared inbox|shoebox|sticky notes?|zap(ier)?|macro|script|intern|"
    r"paper|email|whatsapp|slack|quickbooks|xero|netsuite)\b", re.I)
EMOTIONAL = re.compile(r"\b(feel|confident|confidence|stress\w*|worr\w+|anxious|peace of mind|sleep|calm|"
                       r"scared|relief|relieved|proud|embarrass\w*)\b", re.I)
SOCIAL = re.compile(r"\b(seen as|look (good|bad|like)|reputation|in front of|my (boss|board|cfo|clients?)|"
                    r"credib\w+|trust me|respect)\b", re.I)
JTBD = re.compile(
    r"^(?:.*?\bwhen(?:ever)? (?P<situation>[^,.;]+)[,;]?\s*)?(?P<motivation>.*?)"
    r"(?:\bso (?:that )?(?P<outcome>(?:i|we) can[^.;!?]*))?[.!?]?$", re.I | re.S)
