"""Layout and language cues for voice inference in interview notes (no domain vocabulary).

General English only: pronouns, speech verbs, moderator-script phrases, note-taker shorthand. Where a
pattern's scope was decided on data, the comment says which (the three VA.gov studies in
shared/data/research_studies, read while writing these rules).
"""

from __future__ import annotations

import re

FIRST_PERSON = re.compile(r"\b(?:I|i)(?:['’](?:m|d|ve|ll))?\b|\b(?:me|my|mine|myself)\b", re.I)
YOU = re.compile(r"\byou(?:r|rs|['’](?:re|d|ve|ll))?\b", re.I)
THIRD = re.compile(r"\b(?:he|she|him|his|her|himself|herself|participants?|respondents?|interviewees?|"
                    r"the user|p\d+|facilitator|moderator|interviewer|notetaker|note-taker|observer)\b", re.I)
THIRD_SUBJ = re.compile(r"^(?:he|she|participants?|the participant|p\d+|the user|user)\b", re.I)
ROLE = re.compile(r"\b(?:participants?|moderator|facilitator|interviewer|notetaker|note-taker|observer|"
                   r"researcher)\b", re.I)
THEY0 = re.compile(r"^(?:(?:yes|no|not really)\W+)?they\b", re.I)
INTERJ = re.compile(r"^(?:oh|ok|okay|yeah|yea|yep|yup|nah|hmm+|um+|uh+|ah+|eh|wow|huh|ugh|well|alright|"
                     r"geez|gosh|oop|oops|(?:yes|no|nope),)\b", re.I)
COLLOQ = re.compile(r"\b(?:gonna|wanna|kinda|sorta|gotta|dunno|idk|y'all)\b|\(laugh|!\s*$|…|\.\.\.", re.I)
# Subject-less third-person verb opening a sentence ("Clicks details", "Expects ...", "Doesn't know",
# "Was confused", "Canceled the appointment", "Questioning ..."): note-taker shorthand.  A following
# me/you/us object ("Tells me where") marks speech instead (appointments P6).
SUBJLESS = re.compile(r"^(?:[A-Z][a-z]+ly\s+)?(?P<v>[A-Za-z][a-z]{2,}(?:s|ed)|Doesn['’]t|Isn['’]t|Wasn['’]t|"
                       r"Didn['’]t|Hasn['’]t|Can['’]t|Was|Would|Has|Had)\s+(?!(?:me|you|us|I)\b)[A-Za-z\"“(]|"
                       r"^(?P<g>[A-Z][a-z]{3,}ing)\s+(?:the|a|an|why|how|what|that|at|about|through|for|with|on|"
                       r"to|into|back|his|her|their|confusion|interest|concern)\b")
NOT_VERB = frozenset((  # noqa: SIM905 - a word list reads best as one string
    "this yes its thanks perhaps sometimes always unless thus towards afterwards besides whereas less "
    "lots plus does is was has as us yours ours theirs hers his news things nothing something everything "
    "anything during morning evening bring thing being looks seems sounds makes means depends says "
    "speaking according regarding including assuming guess process address access business class thats "
    "whats theres lets heres wheres hows pretty used need "
).split())
# Verbless note headline: abstract noun + preposition ("Confusion about", "Preference for", "Lack of").
NOMINAL = re.compile(r"^[A-Z][a-z]+(?:ion|ence|ance|ment|ness|ity|ure|ulty|ck|sue|ern)s?\s+"
                      r"(?:with|about|for|of|on|regarding|in|around|over)\b")
IMPER = re.compile(r"^(?:tell|describe|imagine|pretend|let['’]?s|let us|please|go ahead|show|walk|try|"
                    r"take a (?:look|moment)|click|scroll|navigate|find|open|remind|ask|have them|make sure|"
                    r"pay (?:close )?attention|thank|thanks|before we|now,? (?:let|I|we|tell|imagine)|wonderful|"
                    r"great|if (?:yes|no|so|not|they|participant|the participant)|once complete)\b", re.I)
# Moderator instructions (only without first person) and first-person moderator script (always).
SCRIPT = re.compile(r"\b(?:you can (?:say|ask)|ask (?:them|the participant)|have (?:them|the participant)|"
                     r"(?:start|stop)(?:ed)? (?:the )?recording|sit back|think out loud)\b", re.I)
SCRIPT_FP = re.compile(r"\b(?:i want you to|i['’]d like (?:to ask )?you|we want to hear|my name is|"
                        r"thanks? (?:you )?for joining|i have started recording|(?:i['’]m|we['’]re) going to "
                        r"(?:\w+ )?(?:show|ask|walk|give) you|(?:can|could|would) you (?:tell|show|walk) me|"
                        r"questions for me)\b", re.I)
PLACEHOLDER = re.compile(r"^\W*(?:notes?|tbd|todo|n/?a|x+)\W*$", re.I)
INTERVIEWER_LABEL = re.compile(r"^(?:\*\*)?(?:(?:m|f|i|q|r|mod|assistant|ai|host)(?:\*\*)?\s*:|(?:moderator|"
                                r"facilitator|interviewer|researcher)(?:\*\*)?\s*(?::|-\s))(?:\*\*)?\s*", re.I)
PARTICIPANT_LABEL = re.compile(r"^(?:\*\*)?(?:p\d*|participant|user|respondent|interviewee|a)(?:\*\*)?\s*:"
                                r"(?:\*\*)?\s*", re.I)
NOTE_LABEL = re.compile(r"^(?:\*\*)?\(?\s*(?:notes?|notetaker['’]?s?(?: notes?)?|note-taker|observer|"
                         r"observation|obs|comment)(?:\*\*)?\s*[:,](?:\*\*)?\s*", re.I)
BOLD_LABEL = re.compile(r"^\*\*[^*\n]{1,40}\*\*\s*:?\s*|^\*\*[^*\n]{1,40}:\*\*\s*")
INLINE = re.compile(r"\([^()\n]{1,300}\)|(?<![*\w])\*(?![*\s])[^*\n]{1,300}?(?<![\s*])\*(?![*\w])|"
                     r"\[[^\[\]\n]{1,200}\](?!\()")
QUOTE = re.compile(r"[\"“]([^\"“”\n]{2,600})[\"”]")
# Speech verb with a person subject (pronoun, role noun or capitalised name, not "it/this/that"):
# 'P3 said "..."', 'Melissa says "..."'; "the page that said "..."" is a UI text, not speech.
_SPEECH = (r"(?:said|says|saying|stated|states|mention(?:s|ed)|comment(?:s|ed)|explain(?:s|ed)|repl(?:ies|ied)|"
           r"add(?:s|ed)|remark(?:s|ed)|exclaim(?:s|ed))")
# A speech verb with a person subject ('P3 said "..."', 'Melissa says "..."'), or opening a note-taker's
# subject-less clause ('Runs a shop; said "..."'). "The page that said "..."" is UI text, not speech.
SPEECH_VERB = re.compile(r"(?:(?:\b(?:(?i:he|she|they|participants?|p\d+|users?|respondents?)|(?!(?:It|This|That|"
                         r"There|Which|What|Where|Here|The|A|An|Your|My|Our|Their|Its|Each|Every|Some)\b)[A-Z][a-z]+)"
                         r"(?:\s+(?:also|then|just|even|later|again|actually|first))?\s+|(?:^|[;,]\s*)(?i:also\s+)?)"
                         + _SPEECH + r"\b[^\"“]{0,12})$")
# Text shown by a thing, not said by a person: "the page that said", "it reads", "the button says".
THING_SAID = re.compile(r"(?i)\b(?:it|this|that|which|page|screen|message|e-?mail|text|button|link|banner|alert|"
                        r"label|header|heading|title|sign|form|site|app|notice|letter)\s+(?:\w+\s+)?"
                        r"(?:said|says|read|reads|stated|states|shows|showed|displays|displayed)\b[^\"“]{0,12}$")
SENT = re.compile(r"[^.!?…]+(?:[.!?…]+[\"”’']?|$)")
BR = re.compile(r"<br\s*/?>", re.I)
BULLET = re.compile(r"(?:[-*+][ \t]+|\d+[.):][ \t]+)")
