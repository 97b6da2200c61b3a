"""Generate realistic support-ticket exports at any size from the shared Bitext tickets, deterministically.

Each ticket starts from one Bitext customer request (``instruction``) and is rewritten: its entity (order
or invoice number, name, city, amount...) gets a fresh value, and greetings, context sentences with
entities (products, dates, cities, card endings), frustration lines, sign-offs, casing and typos vary its
wording and length (from a few words to a paragraph). Customers file several tickets (Zipf-like), some
tickets are re-submitted unchanged (exact duplicates) and some are retweeted or echoed with a tag
(near-duplicates). Agent replies come from Bitext's ``response`` with its ``{{placeholders}}`` filled.

The labels (``category``, ``intent``) and the duplicate truth go to a separate ``truth.jsonl`` so the tool
never sees them. The Bitext data is read at run time from ../shared/data (never copied into the repo).

Usage: python bench/ticketgen.py N OUT_DIR [--seed 0] [--per-file 25000]
writes OUT_DIR/tickets/tickets-0001.csv ... and OUT_DIR/truth.jsonl.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BITEXT = Path(os.environ.get("SEGSCRIBE_SHARED_DATA", ROOT.parent / "shared" / "data")) / "bitext_support" / \
    "tickets.csv"
COLUMNS = ["ticket_id", "customer_id", "created_at", "channel", "plan", "subject", "description", "agent_reply"]
EXACT_DUP_RATE = 0.015
NEAR_DUP_RATE = 0.02

FIRST = ["Maria", "James", "Aisha", "Chen", "Lukas", "Sofia", "Omar", "Priya", "Tom", "Elena", "Kwame", "Yuki",
         "Diego", "Hannah", "Ivan", "Fatima", "Noah", "Lea", "Ravi", "Grace", "Mateo", "Ingrid", "Sam", "Zoe"]
LAST = ["Garcia", "Smith", "Khan", "Wang", "Muller", "Rossi", "Haddad", "Patel", "Brown", "Petrova", "Mensah",
        "Tanaka", "Lopez", "Schmidt", "Novak", "Ali", "Martin", "Dubois", "Iyer", "Kelly", "Silva", "Berg"]
CITIES = ["Leeds", "Lyon", "Austin", "Porto", "Osaka", "Nairobi", "Krakow", "Denver", "Bristol", "Turin",
          "Calgary", "Adelaide", "Ghent", "Bergen", "Seville", "Tucson"]
COUNTRIES = ["Canada", "Germany", "Brazil", "Japan", "Kenya", "Spain", "Poland", "Ireland", "Mexico", "India"]
ACCOUNTS = ["Free", "Freemium", "Standard", "Pro", "Premium", "Gold", "Platinum", "Business"]
PRODUCTS = ["blender", "desk lamp", "running shoes", "rain jacket", "coffee grinder", "phone case", "backpack",
            "air fryer", "yoga mat", "wireless earbuds", "office chair", "kettle", "gift card", "monitor stand"]
CARDS = ["Visa", "Mastercard", "Amex", "debit"]
CHANNELS = ["email", "web", "chat", "phone", "twitter"]
PLANS = ["Free", "Standard", "Pro", "Business"]
OPENERS = ["Hi,", "Hello,", "Hi there,", "Hello support,", "hey", "Good morning,", "Dear team,", "Urgent:",
           "Quick question:", "Hi team,", "Good afternoon,", "Help!"]
CLOSERS = ["Thanks.", "Thank you in advance!", "Cheers, {first}", "Regards, {first} {last}", "Please reply asap.",
           "thx", "Many thanks, {first}", "Hope you can help.", "Looking forward to your answer.", "Best, {first}"]
CONTEXT = {
    "ORDER": ["I placed order {order} on {date} for a {product}.",
              "The {product} I ordered last week is order {order}.", "My order number is {order}."],
    "DELIVERY": ["The parcel was supposed to arrive in {city} on {date}.", "Tracking for order {order} has not "
                 "moved since {date}.", "I live in {city} and the courier keeps missing me."],
    "SHIPPING_ADDRESS": ["We moved to {city} on {date}.", "The address on order {order} is my old flat in {city}."],
    "PAYMENT": ["I tried to pay with my {card} card ending {digits}.", "The {card} payment of {amount} failed twice.",
                "My bank says the charge of {amount} went through."],
    "REFUND": ["It was {amount} for a {product}.", "I sent the {product} back on {date}.",
               "The refund for order {order} was promised by {date}."],
    "INVOICE": ["I need it for our accounts before {date}.", "The invoice should show {amount}.",
                "Our company is registered in {city}."],
    "ACCOUNT": ["My username is {handle}.", "I signed up with {email}.", "I have been a member since {year}."],
    "CANCELLATION_FEE": ["I signed up on {date}.", "The fee on my statement is {amount}."],
    "CONTACT": ["I am calling from {city}.", "I tried the chat on {date} but nobody answered."],
    "FEEDBACK": ["I bought a {product} on {date}.", "Your agent on {date} was very helpful."],
    "NEWSLETTER": ["The emails go to {email}.", "I get three emails a day from you."],
}
FEELINGS = ["This is the third time I'm asking and it's really frustrating.",
            "I've been waiting for {days} days and nobody answers.", "Every time I try, the page just times out.",
            "I need this sorted before {weekday} because we are travelling.", "Honestly this is so annoying.",
            "I really want to get this done today.", "It keeps failing on my phone and on my laptop.",
            "I wasted an hour on this already.", "I'd like a simple way to do this myself next time.",
            "Your app is great otherwise, but this part is confusing.", "I'm about to give up and go elsewhere."]
PLACEHOLDERS = {"Customer Support Phone Number": "1-800-555-0199", "Live Chat": "Live Chat",
                "Website Name": "shop.example.com", "Customer Support Availability": "8am to 8pm, Monday to Saturday",
                "Customer Support Email": "help@shop.example.com", "Website URL": "https://shop.example.com",
                "Company Name": "Example Shop"}


@dataclass
class Source:
    instruction: str
    category: str
    intent: str
    entity_type: str
    start: int
    end: int
    response: str


def load_sources(path: Path = BITEXT) -> list[Source]:
    """The Bitext rows, in file order."""
    with path.open(encoding="utf-8", newline="") as f:
        return [Source(r["instruction"], r["category"], r["intent"], r["entity_type"],
                       int(r["start_offset"] or 0), int(r["end_offset"] or 0), r["response"])
                for r in csv.DictReader(f)]


def _entity(kind: str, rng: random.Random) -> str | None:
    values = {
        "order_id": lambda: str(rng.randrange(10**7, 10**13)), "invoice_id": lambda: f"#{rng.randrange(10**4, 10**7)}",
        "person_name": lambda: f"{rng.choice(FIRST)} {rng.choice(LAST)}", "delivery_city": lambda: rng.choice(CITIES),
        "delivery_country": lambda: rng.choice(COUNTRIES), "refund_amount": lambda: f"${rng.randrange(5, 900)}",
        "account_type": lambda: rng.choice(ACCOUNTS),
    }
    make = values.get(kind)
    return make() if make else None


def _fill(template: str, rng: random.Random, person: tuple[str, str]) -> str:
    day = date(2025, 1, 1) + timedelta(days=rng.randrange(0, 365))
    slots = {"order": str(rng.randrange(10**7, 10**12)), "date": day.strftime(rng.choice(["%d %B", "%B %d", "%d/%m"])),
             "product": rng.choice(PRODUCTS), "city": rng.choice(CITIES), "card": rng.choice(CARDS),
             "digits": f"{rng.randrange(10000):04d}", "amount": f"${rng.randrange(5, 900)}.{rng.randrange(100):02d}",
             "handle": f"{person[0].lower()}{rng.randrange(10, 999)}", "year": str(rng.randrange(2012, 2025)),
             "email": f"{person[0].lower()}.{person[1].lower()}@example.org", "days": str(rng.randrange(2, 21)),
             "weekday": rng.choice(["Monday", "Friday", "the weekend"]), "first": person[0], "last": person[1]}
    return template.format(**slots)


def _typo(text: str, rng: random.Random) -> str:
    words = text.split(" ")
    long = [i for i, w in enumerate(words) if len(w) > 4 and w.isalpha()]
    if not long:
        return text
    i = rng.choice(long)
    w = words[i]
    j = rng.randrange(1, len(w) - 2)
    words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2:]
    return " ".join(words)


def rewrite(src: Source, rng: random.Random, person: tuple[str, str]) -> str:
    """One customer message: the Bitext request with a fresh entity, varied wording, length and casing."""
    core = src.instruction.strip()
    value = _entity(src.entity_type, rng) if src.end > src.start else None
    if value:
        core = core[: src.start] + value + core[src.end:]
    if rng.random() < 0.1:
        core = _typo(core, rng)
    core = core[0].upper() + core[1:] if rng.random() < 0.6 and core else core
    if not re.search(r"[.?!]$", core):
        core += rng.choice(["?", ".", "", "!"]) if rng.random() < 0.7 else ""
    parts = [rng.choice(OPENERS)] if rng.random() < 0.5 else []
    context = [_fill(t, rng, person) for t in CONTEXT.get(src.category, []) if rng.random() < 0.3]
    feelings = [_fill(t, rng, person) for t in rng.sample(FEELINGS, k=rng.choice([0, 0, 0, 1, 1, 2, 3]))]
    body = [core] + context + feelings
    if rng.random() < 0.3:
        rng.shuffle(body)  # people lead with the story as often as with the question
    parts += body
    if rng.random() < 0.5:
        parts.append(_fill(rng.choice(CLOSERS), rng, person))
    text = " ".join(p for p in parts if p)
    if rng.random() < 0.08:
        text = text.lower()
    return text


def _reply(src: Source, rng: random.Random) -> str:
    if rng.random() < 0.3:
        return ""  # not answered yet
    text = re.sub(r"\{\{([^}]+)\}\}", lambda m: PLACEHOLDERS.get(m.group(1), m.group(1)), src.response)
    return text


def _echo(body: str, rng: random.Random) -> str:
    """A near-duplicate: the same complaint retweeted or echoed with a tag."""
    handle = f"@{rng.choice(FIRST).lower()}{rng.randrange(100)}"
    return rng.choice([f"RT {handle}: {body}", f"{body} #fail", f"{body} +1", f"RT {handle} {body}"])


def generate(n: int, seed: int = 0, sources: list[Source] | None = None) -> Iterator[tuple[dict[str, str],
                                                                                          dict[str, Any]]]:
    """(CSV row, truth record) for n tickets; the same n and seed give the same rows."""
    src = sources or load_sources()
    rng = random.Random(seed)
    n_customers = max(1, n // 3)
    recent: list[tuple[dict[str, str], dict[str, Any]]] = []
    for i in range(n):
        tid = f"T{i + 1:07d}"
        day = date(2025, 1, 1) + timedelta(days=i * 365 // max(1, n))
        roll = rng.random()
        if recent and roll < EXACT_DUP_RATE + NEAR_DUP_RATE:
            orig_row, orig_truth = rng.choice(recent)
            row = dict(orig_row, ticket_id=tid, created_at=day.isoformat())
            if roll < EXACT_DUP_RATE:
                truth = dict(orig_truth, ticket_id=tid, dup_of=orig_row["ticket_id"], dup="exact")
            else:
                cust = f"C{int(rng.paretovariate(1.2) * 7919) % n_customers:06d}"
                row.update(customer_id=cust, channel="twitter", description=_echo(orig_row["description"], rng),
                           subject="", agent_reply="")
                truth = dict(orig_truth, ticket_id=tid, dup_of=orig_row["ticket_id"], dup="near")
            yield row, truth
            continue
        s = src[rng.randrange(len(src))]
        cust_n = int(rng.paretovariate(1.2) * 7919) % n_customers
        crng = random.Random(f"{seed}-{cust_n}")  # a customer keeps one name and plan across tickets
        person = (crng.choice(FIRST), crng.choice(LAST))
        subject = ""
        if rng.random() < 0.6:
            subject = s.intent.replace("_", " ").capitalize() + (f" ({person[0]})" if rng.random() < 0.2 else "")
        row = {"ticket_id": tid, "customer_id": f"C{cust_n:06d}", "created_at": day.isoformat(),
               "channel": rng.choice(CHANNELS), "plan": crng.choice(PLANS), "subject": subject,
               "description": rewrite(s, rng, person), "agent_reply": _reply(s, rng)}
        truth = {"ticket_id": tid, "category": s.category, "intent": s.intent, "dup_of": None, "dup": None}
        recent = (recent + [(row, truth)])[-500:]  # duplicates echo recent tickets, as they do in real queues
        yield row, truth


def write(n: int, out: Path, seed: int = 0, per_file: int = 25_000) -> list[Path]:
    """Write n tickets as CSV exports of at most `per_file` rows plus truth.jsonl; returns the CSV paths."""
    folder = out / "tickets"
    folder.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    writer: Any = None
    fh: Any = None
    with (out / "truth.jsonl").open("w", encoding="utf-8") as truth_f:
        for i, (row, truth) in enumerate(generate(n, seed)):
            if i % per_file == 0:
                if fh:
                    fh.close()
                paths.append(folder / f"tickets-{len(paths) + 1:04d}.csv")
                fh = paths[-1].open("w", encoding="utf-8", newline="")
                writer = csv.DictWriter(fh, fieldnames=COLUMNS)
                writer.writeheader()
            writer.writerow(row)
            truth_f.write(json.dumps(truth) + "\n")
    if fh:
        fh.close()
    return paths


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("n", type=int)
    ap.add_argument("out", type=Path)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--per-file", type=int, default=25_000)
    args = ap.parse_args()
    paths = write(args.n, args.out, args.seed, args.per_file)
    print(json.dumps({"tickets": args.n, "files": [str(p) for p in paths], "truth": str(args.out / "truth.jsonl")}))


if __name__ == "__main__":
    main()
