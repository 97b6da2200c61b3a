#!/usr/bin/env python3
"""Deterministic generator for the sample corpus's tables, tickets and table-level gold.

Writes (relative to corpus/):
  tables/customers.csv      customer firmographics and usage (no segment column)
  tables/transactions.csv   monthly subscription invoices 2025-12 .. 2026-11, plus credit notes
  tickets/tickets.csv       support tickets, written by hand below and assigned to customers
  participants.csv          metadata for the 16 interviews (needed for the .vtt files)
  gold/customers.csv        planted segment of every customer
  gold/documents.csv        planted segment of every interview

Standard library only, fixed seed: re-running produces byte-identical files.
The interviews and gold/evidence.jsonl are hand-written and not produced here.

    python corpus/tools/make_tables.py
"""

from __future__ import annotations

import csv
import math
import random
from datetime import date, datetime, timedelta
from pathlib import Path

SEED = 20261130
ROOT = Path(__file__).resolve().parents[1]
AS_OF = date(2026, 11, 30)
MONTHS = [(2025, 12)] + [(2026, m) for m in range(1, 12)]  # oldest .. newest (2026-11)

SEGMENTS = ["scaling_finance", "small_owner", "multi_client_bookkeeper", "regulated_compliance"]
SEGMENT_COUNTS = {"scaling_finance": 110, "small_owner": 130, "multi_client_bookkeeper": 90,
                  "regulated_compliance": 70}

# --------------------------------------------------------------------------------------
# Interview participants. Their customers are fixed so the tables agree with the interviews.
# --------------------------------------------------------------------------------------
PARTICIPANTS = [
    # pid, file, name, interviewer, customer_id, title, company_size, industry, plan, segment, company
    ("p01", "interviews/p01_whitfield.txt", "Dana Whitfield", "Interviewer", "C1023", "Corporate Controller",
     640, "Manufacturing", "Enterprise", "scaling_finance", "Harlow Fabrication"),
    ("p02", "interviews/p02_bellini.vtt", "Marco Bellini", "Sofia Marsh", "C1047", "Owner",
     9, "Construction & trades", "Starter", "small_owner", "Bellini Landscaping"),
    ("p03", "interviews/p03_raman.txt", "Priya Raman", "Elena Brooks", "C1088", "Founder and Lead Bookkeeper",
     11, "Accounting services", "Professional", "multi_client_bookkeeper", "Raman & Co Bookkeeping"),
    ("p04", "interviews/p04_okafor.md", "Gwen Okafor", "Tom Reyes", "C1112", "Director of Finance Compliance",
     2300, "Healthcare", "Enterprise", "regulated_compliance", "Riverbend Health System"),
    ("p05", "interviews/p05_rivera.vtt", "Luis Rivera", "Interviewer", "C1134", "VP of Finance",
     420, "Logistics", "Professional", "scaling_finance", "Northgate Freight"),
    ("p06", "interviews/p06_hale.txt", "Tamsin Hale", "Moderator", "C1151", "Office Manager",
     14, "Construction & trades", "Starter", "small_owner", "Hale & Sons Plumbing and Heating"),
    ("p07", "interviews/p07_mensah.vtt", "Aisha Mensah-Clarke", "Moderator", "C1176", "Senior Bookkeeper",
     7, "Accounting services", "Professional", "multi_client_bookkeeper", "Ledgerline Accounting"),
    ("p08", "interviews/p08_lindqvist.txt", "Robert Lindqvist", "Interviewer", "C1203", "Finance Systems Manager",
     910, "Insurance", "Enterprise", "regulated_compliance", "Tidewater Mutual Insurance"),
    ("p09", "interviews/p09_kowalczyk.md", "Hannah Kowalczyk", "Interviewer", "C1219", "Assistant Controller",
     1100, "Retail", "Enterprise", "scaling_finance", "Brightwater Outfitters"),
    ("p10", "interviews/p10_ferreira.md", "Joel Ferreira", "Sofia Marsh", "C1240", "Owner and Producer",
     3, "Creative services", "Starter", "small_owner", "Ferreira Film"),
    ("p11", "interviews/p11_santos.md", "Beatriz Santos", "Tom Reyes", "C1265", "Owner, Santos Virtual Bookkeeping",
     4, "Accounting services", "Professional", "multi_client_bookkeeper", "Santos Virtual Bookkeeping"),
    ("p12", "interviews/p12_doyle.vtt", "Karen Doyle", "Jonah Price", "C1288", "Deputy Finance Director",
     1350, "Public sector", "Enterprise", "regulated_compliance", "Ashford County"),
    ("p13", "interviews/p13_adeyemi.txt", "Samuel Adeyemi", "Moderator", "C1302", "Head of Accounting Operations",
     310, "Construction", "Professional", "scaling_finance", "Keystone Builders Group"),
    ("p14", "interviews/p14_haddad.md", "Noor Haddad", "Interviewer", "C1327", "Co-owner",
     5, "Hospitality", "Starter", "small_owner", "Haddad Bakehouse"),
    ("p15", "interviews/p15_fitzgerald.txt", "Owen Fitzgerald", "Interviewer", "C1349",
     "Partner, Client Accounting Services", 22, "Accounting services", "Professional",
     "multi_client_bookkeeper", "Fitzgerald & Quinn"),
    ("p16", "interviews/p16_zhou.vtt", "Mei-Lin Zhou", "Interviewer", "C1371", "Compliance and Privacy Manager",
     720, "Healthcare", "Enterprise", "regulated_compliance", "Northshore Community Health"),
]

# Per-participant overrides that the interviews imply (entities, tenure, region, churn, onboarding).
PARTICIPANT_FACTS = {
    "C1023": dict(region="North America", entities=2, tenure_months=28, seats=38, nps=31),
    "C1047": dict(region="North America", entities=1, tenure_months=10, seats=1, nps=0, onboarding="stalled"),
    "C1088": dict(region="North America", entities=38, tenure_months=30, seats=11, nps=20),
    "C1112": dict(region="North America", entities=3, tenure_months=15, seats=64, nps=40),
    "C1134": dict(region="North America", entities=3, tenure_months=18, seats=31, nps=35),
    "C1151": dict(region="UK & Ireland", entities=1, tenure_months=11, seats=1, nps=-20),
    "C1176": dict(region="UK & Ireland", entities=64, tenure_months=40, seats=7, nps=30),
    "C1203": dict(region="North America", entities=2, tenure_months=23, seats=46, nps=45),
    "C1219": dict(region="North America", entities=2, tenure_months=26, seats=57, nps=25),
    "C1240": dict(region="Europe", entities=1, tenure_months=14, seats=1, nps=10),
    "C1265": dict(region="North America", entities=25, tenure_months=34, seats=4, nps=50),
    "C1288": dict(region="North America", entities=1, tenure_months=10, seats=88, nps=30),
    "C1302": dict(region="North America", entities=4, tenure_months=24, seats=24, nps=20),
    "C1327": dict(region="North America", entities=1, tenure_months=5, seats=1, churned="Yes",
                  churn_offset=3, onboarding="stalled", nps=-30, weekly_active_users=0),
    "C1349": dict(region="UK & Ireland", entities=47, tenure_months=20, seats=18, nps=15),
    "C1371": dict(region="North America", entities=1, tenure_months=8, seats=30, onboarding="in_progress",
                  nps=25),
}

# --------------------------------------------------------------------------------------
# Name pools for fictional companies.
# --------------------------------------------------------------------------------------
PLACES = ["Harbor", "Summit", "Ironwood", "Cobalt", "Meridian", "Crestline", "Bluepeak", "Redstone", "Granite",
          "Silverline", "Northwind", "Eastgate", "Westbrook", "Oakridge", "Pinecrest", "Lakeshore", "Riverton",
          "Stonebridge", "Clearwater", "Highland", "Fairview", "Brookside", "Sterling", "Kestrel", "Falcon",
          "Beacon", "Pioneer", "Vantage", "Atlas", "Orion", "Larkspur", "Copperfield", "Maplewood", "Ravenna",
          "Thornbury", "Juniper", "Cedarline", "Driftwood", "Sable", "Wexford", "Halcyon", "Tamarack", "Foxglove",
          "Marlow", "Greyfield", "Ashcombe", "Kingsbury", "Linden", "Norcross", "Aldergrove"]
SCALING_SUFFIX = {
    "Manufacturing": ["Industries", "Manufacturing", "Components", "Plastics", "Metalworks", "Precision"],
    "Logistics": ["Logistics", "Freight", "Distribution", "Transport", "Cold Chain"],
    "Retail": ["Outfitters", "Home Goods", "Supply Co.", "Stores", "Brands"],
    "Technology": ["Software", "Systems", "Labs", "Analytics", "Technologies"],
    "Wholesale": ["Wholesale", "Trading", "Foods", "Beverages", "Imports"],
    "Construction": ["Builders", "Construction", "Contracting", "Civil"],
    "Professional services": ["Consulting", "Partners", "Group", "Advisory"],
    "Healthcare": ["Dental Partners", "Vision Centers", "Physio Group"],
}
SURNAMES = ["Abbott", "Baker", "Castillo", "Dunne", "Ellison", "Farrow", "Gallo", "Hughes", "Ibarra", "Jensen",
            "Keane", "Laurent", "Moreno", "Nakamura", "Oduya", "Patel", "Quigley", "Rossi", "Sutherland", "Tran",
            "Underwood", "Varga", "Walsh", "Yilmaz", "Zielinski", "Achebe", "Brennan", "Costa", "Delaney",
            "Eriksen", "Fontaine", "Gupta", "Holloway", "Iqbal", "Jovanovic", "Kaplan", "Lindgren", "Murphy",
            "Nguyen", "O'Brien", "Petrov", "Ramos", "Santiago", "Thompson", "Ueda", "Vance", "Whitaker", "Young",
            "Zamora", "Amari", "Bishop", "Carver", "Doyle", "Easton", "Fischer", "Garnett", "Harlan", "Ives",
            "Jacobs", "Kovac", "Lowry", "Mensah", "Novak", "Okoro", "Pryce", "Reid", "Sandoval", "Teague"]
SMALL_SUFFIX = {
    "Construction & trades": ["Plumbing", "Electrical", "Roofing", "Landscaping", "Joinery",
                              "Painting & Decorating", "Heating & Air", "Tiling"],
    "Hospitality": ["Bakery", "Café", "Kitchen", "Bistro", "Catering", "Coffee Roasters", "Food Truck"],
    "Retail": ["Boutique", "Florist", "Bookshop", "Hardware", "Gift Shop", "Bike Shop"],
    "Creative services": ["Studio", "Design", "Photography", "Films", "Media"],
    "Professional services": ["Consulting", "Law Office", "Recruitment", "Marketing", "Architects"],
    "Healthcare": ["Dental", "Physiotherapy", "Chiropractic", "Veterinary Clinic"],
    "Fitness": ["Fitness", "Yoga Studio", "Climbing Gym"],
}
BOOKKEEPER_SUFFIX = ["Bookkeeping", "Accounting", "& Co Accountants", "Ledger Services", "Tax & Books",
                     "Accounting Partners", "CPA Group", "Business Services", "Cloud Accounting"]
REG_PATTERNS = {
    "Healthcare": ["{p} Health", "{p} Medical Group", "{p} Community Clinics", "{p} Health System",
                   "{p} Regional Hospital", "{p} Care Network", "{p} Home Health", "{p} Behavioral Health"],
    "Insurance": ["{p} Mutual", "{p} Insurance Group", "{p} Assurance", "{p} Casualty",
                  "{p} Benefit Administrators", "{p} Life & Health"],
    "Public sector": ["County of {p}", "City of {p}", "{p} Water District", "{p} Transit Authority",
                      "{p} School District", "{p} Housing Authority", "{p} Port Authority"],
}


def pick_weighted(rng: random.Random, options: dict) -> str:
    keys = list(options)
    return rng.choices(keys, weights=[options[k] for k in keys])[0]


def clamp(x, lo, hi):
    return max(lo, min(hi, x))


def make_company(rng: random.Random, segment: str, industry: str, used: set[str]) -> str:
    for _ in range(1000):
        if segment == "scaling_finance":
            name = f"{rng.choice(PLACES)} {rng.choice(SCALING_SUFFIX[industry])}"
        elif segment == "small_owner":
            base = rng.choice(SURNAMES) if rng.random() < 0.7 else rng.choice(PLACES)
            name = f"{base} {rng.choice(SMALL_SUFFIX[industry])}"
        elif segment == "multi_client_bookkeeper":
            if rng.random() < 0.3:
                name = f"{rng.choice(SURNAMES)} & {rng.choice(SURNAMES)} {rng.choice(['Accountants', 'Bookkeeping'])}"
            else:
                name = f"{rng.choice(SURNAMES + PLACES)} {rng.choice(BOOKKEEPER_SUFFIX)}"
        else:
            name = rng.choice(REG_PATTERNS[industry]).format(p=rng.choice(PLACES))
        if name not in used:
            used.add(name)
            return name
    raise RuntimeError("ran out of company names")


def gen_customer(rng: random.Random, cid: str, segment: str, used: set[str]) -> dict:
    """Firmographics + usage for one customer; clear but noisy differences between segments."""
    if segment == "scaling_finance":
        industry = pick_weighted(rng, {"Manufacturing": 22, "Logistics": 14, "Retail": 16, "Technology": 18,
                                       "Wholesale": 12, "Construction": 10, "Professional services": 8,
                                       "Healthcare": 3})
        employees = int(clamp(rng.lognormvariate(math.log(520), 0.5), 170, 1900))
        plan = "Enterprise" if rng.random() < 0.45 else "Professional"
        seats = int(clamp(employees * rng.uniform(0.025, 0.07) + rng.randint(2, 8), 8, 120))
        entities = rng.choices([1, 2, 3, 4, 5, 6], weights=[30, 28, 18, 12, 7, 5])[0]
        tenure = rng.randint(3, 60)
        wau = max(3, round(seats * rng.uniform(0.5, 0.9)))
        adoption = rng.uniform(55, 90)
        invoices = round(employees * rng.uniform(5, 15))
        tickets = rng.choices(range(0, 14), weights=[2, 4, 7, 10, 12, 12, 11, 10, 8, 7, 6, 5, 4, 2])[0]
        nps = rng.gauss(38, 20)
        onboarding = pick_weighted(rng, {"complete": 90, "in_progress": 8, "stalled": 2})
        churn_p = 0.05
        region = pick_weighted(rng, {"North America": 60, "UK & Ireland": 15, "Europe": 15, "APAC": 10})
    elif segment == "small_owner":
        industry = pick_weighted(rng, {"Construction & trades": 28, "Hospitality": 22, "Retail": 16,
                                       "Creative services": 12, "Professional services": 12, "Healthcare": 5,
                                       "Fitness": 5})
        employees = int(clamp(round(rng.lognormvariate(math.log(7), 0.6)), 2, 28))
        plan = "Starter" if rng.random() < 0.85 else "Professional"
        seats = 1 if plan == "Starter" else rng.randint(2, 4)
        entities = 1 if rng.random() < 0.95 else 2
        tenure = int(clamp(round(rng.expovariate(1 / 9)) + 1, 1, 40))
        wau = rng.choices([0, 1, 1, 1, 2], k=1)[0] if seats == 1 else rng.randint(1, seats)
        adoption = rng.uniform(8, 40)
        invoices = rng.randint(8, 260)
        tickets = rng.choices(range(0, 6), weights=[30, 30, 18, 10, 7, 5])[0]
        nps = rng.gauss(5, 30)
        onboarding = pick_weighted(rng, {"complete": 55, "in_progress": 15, "stalled": 30})
        churn_p = 0.55 if onboarding == "stalled" else 0.25
        region = pick_weighted(rng, {"North America": 50, "UK & Ireland": 25, "Europe": 15, "APAC": 10})
    elif segment == "multi_client_bookkeeper":
        industry = "Accounting services"
        employees = int(clamp(round(rng.lognormvariate(math.log(9), 0.6)), 2, 45))
        plan = pick_weighted(rng, {"Professional": 80, "Enterprise": 10, "Starter": 10})
        seats = int(clamp(round(employees * rng.uniform(0.6, 1.0)), 2, 40))
        entities = int(clamp(round(rng.lognormvariate(math.log(35), 0.55)), 9, 160))
        if plan == "Starter":
            entities = min(entities, rng.randint(9, 16))
        tenure = rng.randint(4, 72)
        wau = max(2, round(seats * rng.uniform(0.7, 1.0)))
        adoption = rng.uniform(60, 95)
        invoices = round(entities * rng.uniform(60, 250))
        tickets = rng.choices(range(1, 17), weights=[2, 3, 5, 7, 9, 10, 10, 10, 9, 8, 7, 6, 5, 4, 3, 2])[0]
        nps = rng.gauss(25, 25)
        onboarding = pick_weighted(rng, {"complete": 85, "in_progress": 12, "stalled": 3})
        churn_p = 0.08
        region = pick_weighted(rng, {"North America": 50, "UK & Ireland": 25, "Europe": 10, "APAC": 15})
    else:
        industry = pick_weighted(rng, {"Healthcare": 45, "Insurance": 30, "Public sector": 25})
        employees = int(clamp(rng.lognormvariate(math.log(1400), 0.6), 280, 7500))
        plan = "Enterprise" if rng.random() < 0.85 else "Professional"
        seats = int(clamp(employees * rng.uniform(0.02, 0.06) + rng.randint(5, 15), 15, 180))
        entities = rng.choices([1, 2, 3, 4, 5, 6, 8], weights=[35, 22, 15, 10, 8, 6, 4])[0]
        tenure = rng.randint(2, 48)
        wau = max(3, round(seats * rng.uniform(0.25, 0.55)))
        adoption = rng.uniform(35, 65)
        invoices = round(employees * rng.uniform(1.5, 4.0))
        tickets = rng.choices(range(0, 12), weights=[3, 6, 10, 12, 13, 12, 10, 8, 6, 4, 3, 2])[0]
        nps = rng.gauss(30, 20)
        onboarding = pick_weighted(rng, {"complete": 60, "in_progress": 35, "stalled": 5})
        churn_p = 0.04
        region = pick_weighted(rng, {"North America": 65, "UK & Ireland": 15, "Europe": 15, "APAC": 5})

    # Pricing: Starter flat, Professional per seat/entity, Enterprise platform fee + seats + entities.
    if plan == "Starter":
        mrr = rng.choice([49, 49, 49, 49, 59, 69, 79])
    elif plan == "Professional":
        mrr = 199 + 22 * max(0, seats - 2) + 19 * max(0, entities - 1)
    else:
        mrr = 1500 + 45 * seats + 150 * max(0, entities - 1)
        if segment == "regulated_compliance":
            mrr += rng.choice([1000, 1500, 2000, 3000])  # compliance add-on (SSO/SCIM, retention, residency)
    if plan != "Starter":
        mrr = round(mrr * rng.uniform(0.9, 1.1))

    churned = "Yes" if rng.random() < churn_p else "No"
    return {
        "customer_id": cid,
        "company": make_company(rng, segment, industry, used),
        "industry": industry,
        "employees": employees,
        "region": region,
        "plan": plan,
        "seats": seats,
        "entities": entities,
        "mrr": mrr,
        "tenure_months": tenure,
        "weekly_active_users": min(wau, seats),
        "feature_adoption_pct": round(adoption, 1),
        "invoices_processed_90d": invoices,
        "support_tickets_90d": tickets,
        "nps": "" if rng.random() < 0.08 else int(clamp(round(nps), -100, 100)),
        "onboarding": onboarding,
        "churned": churned,
    }


# --------------------------------------------------------------------------------------
# Hand-written ticket pool. (subject, body, tags[, fixed customer_id])
# --------------------------------------------------------------------------------------
TICKETS = {
    "scaling_finance": [
        ("Bank feed only matching part of our transactions",
         "Our operating account feed auto-matched 612 of 880 transactions this month. The rest are sitting in "
         "Unmatched even though amounts and dates line up exactly. Is there a tolerance setting for matching rules?",
         "reconciliation;bank-feed"),
        ("NetSuite sync failed with no details",
         "Last night's sync to NetSuite failed with a generic error and the log doesn't say which bill caused it. "
         "We're on day two of close and need to know what to fix today.",
         "sync-netsuite;bug", "C1023"),
        ("Invoice stuck with an approver on vacation",
         "An invoice for $14,200 has been waiting on one approver for nine days and he is on vacation until the "
         "20th. The vendor has put us on credit hold. How do we reassign it without losing the approval history?",
         "approvals;urgent", "C1023"),
        ("Escalate approvals to a backup approver",
         "Is there a way to escalate an approval to a backup person automatically if it sits for more than three "
         "days? Our plant managers are rarely at a desk.",
         "approvals;feature-request"),
        ("Duplicate bills created in QuickBooks",
         "We found three bills that were pushed to QuickBooks twice this week. One of them very nearly got paid "
         "twice. Can you check what happened with the sync on Tuesday afternoon?",
         "sync-quickbooks;bug", "C1134"),
        ("CAD account feed lagging two days",
         "Transactions from our Canadian dollar account show up two business days after they post at the bank. "
         "That makes daily reconciliation impossible for the Ontario entity.",
         "bank-feed;multi-entity", "C1134"),
        ("Spend report grouped by custom field",
         "Can the spend report be grouped by our Plant custom field? Right now I export the raw lines to Excel "
         "every month and build the pivot myself.",
         "reporting;export"),
        ("Aging of pending approvals",
         "I need a list of every invoice pending approval with the number of days it has been waiting. The "
         "current export has the approver but not the age.",
         "approvals;export"),
        ("Invoice preview unreadable on mobile",
         "Several approvers tell me the invoice preview in the mobile app can't be zoomed, so they can't read the "
         "line items. They end up asking AP to email them the PDF, which defeats the purpose.",
         "mobile-app;approvals"),
        ("Three-way match against NetSuite POs",
         "Does Tallybook support matching merchandise invoices to purchase orders and item receipts from NetSuite? "
         "We currently tick them off manually in a workbook, about four days of work a month.",
         "feature-request;sync-netsuite", "C1219"),
        ("Store deposit accounts stopped feeding",
         "Three of our store deposit accounts haven't received any new transactions since Friday. Reconnecting "
         "them didn't help and the rec for those stores won't tie.",
         "bank-feed", "C1219"),
        ("Merging duplicate vendor records",
         "We have the same cleaning supplier set up four times under slightly different spellings. Is there a "
         "merge tool that keeps all the invoice history on one record?",
         "vendors;data-quality"),
        ("Flagging intercompany bills",
         "When our equipment entity bills our construction entity each month, can we flag that as intercompany "
         "so both sides reconcile automatically instead of in a spreadsheet?",
         "multi-entity;feature-request", "C1302"),
        ("Approval rule with three conditions",
         "We need Operations invoices over $10k to go to the VP and under $10k to the department head, but only "
         "for the US entity. The rule builder won't let me combine department, amount and entity.",
         "approvals;multi-entity"),
        ("Rules still route to a manager who moved teams",
         "A manager moved from Sales to Marketing last month and Sales invoices are still routing to her. Do "
         "approval rules follow department changes, or do we update every rule manually?",
         "approvals;user-management"),
        ("Which accounts are reconciled for the month?",
         "Is there a close checklist, or any screen that shows which bank accounts are fully reconciled for "
         "October across all our entities at once?",
         "reconciliation;feature-request"),
        ("Filter invoices by received date for accruals",
         "We need a list of invoices dated in October but received in November so we can book accruals. Can the "
         "invoice list filter on received date rather than invoice date?",
         "reporting;accruals"),
        ("Sync error: accounting period closed",
         "Bills are failing to sync because the period in NetSuite is already closed. Could Tallybook post them "
         "into the next open period instead of failing, or at least say that's the reason?",
         "sync-netsuite"),
        ("Fuel receipts reading the wrong total",
         "Drivers photograph the pump display instead of the printed receipt, so the scan picks up the wrong "
         "total. Can matching use the fuel card transaction amount as the source of truth?",
         "receipt-capture;reconciliation", "C1134"),
        ("Xero tracking categories not coming through",
         "Tracking categories set on expense lines don't come across to Xero. Every bill arrives with everything "
         "under the default region and we fix them by hand.",
         "sync-xero"),
        ("Quote for Enterprise with five entities",
         "We're evaluating a move from Professional to Enterprise for the extra entities. Please send a quote for "
         "45 seats and 5 entities, along with a realistic implementation timeline.",
         "plan-change;multi-entity"),
        ("Adding an entity before our audit",
         "Our auditors are on site in February. If we add the acquired entity in January, how long does setup "
         "usually take and who on your side would help us?",
         "multi-entity;onboarding"),
        ("Approval history sample for auditors",
         "Our external auditors picked 25 bills and want the approval history for each. Is there one export with "
         "approver, timestamp and amount, rather than opening each bill?",
         "audit-log;export"),
        ("Payments rejected for missing routing numbers",
         "Thursday's payment batch went out but 6 of 48 payments bounced back from the bank for missing routing "
         "numbers. The vendor records look complete on our side.",
         "payments;vendors"),
        ("Renamed NetSuite departments break sync",
         "Our NetSuite admin renamed two departments and now every bill coded to them fails to sync. Do we have "
         "to remap these by hand?",
         "sync-netsuite"),
        ("Webhook for overdue approvals stopped",
         "We use a Zap that posts approvals older than two days into Slack. The webhook stopped firing yesterday "
         "morning. Did something change in the API?",
         "approvals;api;integrations", "C1134"),
        ("Matching tolerance for card FX fees",
         "Can a reconciliation rule match bank lines where the amount differs by less than a dollar because of "
         "card FX fees? Right now every one of those goes to manual review.",
         "reconciliation;rules"),
        ("Lock a month after close",
         "Is it possible to lock a month once we've closed so nobody can recode invoices afterwards? Someone "
         "changed a September bill last week and it threw out our reported numbers.",
         "reconciliation;controls"),
        ("Vendor credits not applied in QuickBooks",
         "Vendor credit memos entered in Tallybook aren't being applied against open bills in QuickBooks, so our "
         "AP aging is overstated by about $30k.",
         "sync-quickbooks;ap-aging"),
        ("Live spend view for the CFO",
         "Our CFO wants a live view of spend by category and entity. Is there a dashboard she can use without "
         "taking up a full user licence?",
         "reporting;permissions"),
        ("API cursor skipping invoices",
         "When pulling invoices through the API, the cursor appears to skip records once more than 1,000 are "
         "returned. Totals don't match the UI. Is this a known issue?",
         "api;bug"),
        ("Importing a corporate card statement",
         "Our card provider only gives us a CSV statement. Can we import it so those card transactions get "
         "matched to the receipts people upload?",
         "reconciliation;import"),
        ("Temporary delegation of approvals",
         "Our CFO is travelling for two weeks. Can she delegate her approvals to the controller for just that "
         "period and have it switch back automatically?",
         "approvals"),
        ("Auto-match rate dropped after bank format change",
         "Since the bank changed its transaction descriptions last week, our auto-match rate fell from about 80% "
         "to 40%. The team is matching hundreds of lines by hand again in the middle of close.",
         "reconciliation;bank-feed;bug"),
        ("Copy approval rules to new stores",
         "We're opening nine stores this year. Can we copy approval rules and cost centres from an existing store "
         "to a new one instead of building each from scratch?",
         "approvals;setup", "C1219"),
        ("Tracking retainage on subcontractor bills",
         "We hold back 10% retainage on subcontractor invoices. Is there a way to track the retained amount in "
         "Tallybook and release it later, or does everyone keep a separate workbook?",
         "feature-request", "C1302"),
        ("Require an attachment before approval",
         "Can a document attachment be made mandatory before a bill can be approved for payment? We need lien "
         "waivers on file for every sub we pay.",
         "approvals;controls", "C1302"),
        ("Approved bills stuck in the sync queue",
         "Around 140 approved bills have been sitting in the sync queue since 6am and nothing has posted to "
         "NetSuite today. Is there an incident?",
         "sync-netsuite;outage"),
        ("Per diem rates per entity",
         "Our Canadian entity uses a different per diem rate. Can expense policies be set per entity rather than "
         "once for the whole company?",
         "expenses;multi-entity"),
        ("Bank reconciliation report for audit",
         "Is there a reconciliation report showing opening balance, matched and unmatched items and closing "
         "balance for each account? Our auditors want one per month for the year.",
         "reconciliation;reporting"),
    ],
    "small_owner": [
        ("How much to add one more user?",
         "I want to give my wife her own login. Do I really have to move to Professional for one extra person? "
         "That's about four times what I pay now.",
         "pricing;plan-change;users", "C1047"),
        ("Bank won't connect",
         "Tried to connect our bank three times tonight and it times out right after the security code step. Is "
         "there some other way to get the transactions in?",
         "bank-feed;setup", "C1047"),
        ("Our credit union isn't in the list",
         "Our bank is a small credit union and it isn't in your list. Can I still use Tallybook without a bank "
         "feed, or is there no point?",
         "bank-feed;setup", "C1327"),
        ("Price increase at renewal?",
         "Got an email saying my plan price goes up next month. Nobody mentioned that when I signed up in "
         "January. Can I keep the price I signed up at?",
         "pricing;billing", "C1151"),
        ("Extra charge on my bill",
         "Why was I charged an extra $20 this month? Apparently we went over a receipt limit I didn't know "
         "existed. It was just a busy month.",
         "billing;pricing", "C1151"),
        ("Is there a simple version?",
         "Honestly there are too many settings for a four person business. Is there a simple mode that only "
         "shows receipts and bills?",
         "setup;feature-request"),
        ("Please cancel our account",
         "Please cancel our subscription at the end of this billing period. We aren't using it enough to justify "
         "the cost and went back to our old way of doing things.",
         "cancellation", "C1327", "2026-08-21T19:42:10"),
        ("Can I skip cost centres?",
         "The setup wizard keeps asking for cost centres and approval rules. I own a hair salon with six chairs. "
         "Can I just skip all of that?",
         "setup;onboarding"),
        ("Texting receipts",
         "My guys won't install another app on their phones. Could they text a photo of a receipt to a number "
         "instead?",
         "receipt-capture;feature-request"),
        ("Forwarding supplier invoices by email",
         "Is there an address I can forward supplier invoices to? Nearly all of mine arrive by email anyway and "
         "downloading then uploading them is a faff.",
         "receipt-capture"),
        ("Monthly billing without a contract",
         "Can we stay on monthly billing? Our income is lumpy and I'm not going to commit to a year, even with "
         "the discount.",
         "pricing;billing", "C1240"),
        ("Refund after downgrade",
         "I was charged for a full month of Professional after I downgraded on the 3rd. Could you refund the "
         "difference?",
         "billing;refund"),
        ("Receipt photos never finish uploading",
         "Photos from my phone just spin and never upload. It's an older Android phone if that matters. Wifi is "
         "fine.",
         "mobile-app;bug"),
        ("Everything lands in General Expenses",
         "Everything I upload ends up under General Expenses in Xero and my accountant is not impressed. How do I "
         "change where things go?",
         "sync-xero;setup", "C1240"),
        ("Does my accountant count as a user?",
         "My accountant only needs to look at the receipts a few times a year. Does adding her count as a paid "
         "seat?",
         "pricing;users"),
        ("Discount for tiny businesses",
         "Do you have a discount for very small businesses or charities? We're a three person café and the "
         "monthly fee adds up.",
         "pricing"),
        ("Stuck on step 3 of setup",
         "I can't get past step 3. It keeps asking me to invite approvers, but I'm the only person here who "
         "approves anything.",
         "setup;onboarding"),
        ("Are the webinars recorded?",
         "Are your onboarding webinars recorded somewhere? I run a bakery and can't join anything at two in the "
         "afternoon.",
         "onboarding", "C1327"),
        ("Tagging receipts to a client project",
         "I need to tag receipts to a client project so I can rebill them. Is that possible on the Starter plan?",
         "receipt-capture;plan-limits", "C1240"),
        ("Receipts I uploaded have vanished",
         "I uploaded around 30 receipts last Tuesday and now I can't find them anywhere. Were they deleted?",
         "receipt-capture;bug"),
        ("Accidentally upgraded",
         "We got moved up a plan when I added a user by mistake. Please put us back on Starter and remove the "
         "extra login.",
         "plan-change;billing"),
        ("What does Processing mean?",
         "Two of my receipts have said Processing for two days. Do I need to do something?",
         "receipt-capture"),
        ("Getting a box of old receipts in",
         "What's the quickest way to get a big pile of old paper receipts in? There are about 200 in a shoebox "
         "from last year.",
         "receipt-capture;import"),
        ("All receipts for the tax year in one go",
         "My accountant wants every receipt for the tax year in one zip file. How do I download them all at "
         "once?",
         "export"),
        ("Confirm our data is deleted",
         "We cancelled last month. Could you confirm that our receipts and bank details have been deleted from "
         "your systems?",
         "cancellation;data-deletion", "CHURNED"),
        ("Bank feed keeps disconnecting",
         "This is the third time this month the bank feed has disconnected and asked me to log in again. Is that "
         "normal?",
         "bank-feed"),
        ("Longer trial please",
         "Could I get another two weeks on the trial? I haven't had time to set it up properly because it's our "
         "busy season.",
         "trial;onboarding"),
        ("Is there a number I can call?",
         "Is there anyone I can actually phone? I've been going back and forth in chat for two days and the bank "
         "still isn't connected.",
         "support;setup"),
        ("Sharing one login on two phones",
         "Can two people be logged into the same account on different phones? My office manager and I share a "
         "login.",
         "users;pricing"),
        ("Card expired",
         "Our payment failed this month because the card on file expired. Where do I put the new card details?",
         "billing"),
        ("Too many emails from you",
         "I'm getting four or five emails a day from Tallybook about approvals and policies I don't understand. "
         "How do I switch them off?",
         "notifications"),
        ("VAT not picked up on receipts",
         "The app isn't reading the VAT amount on receipts from our suppliers. Do I have to type it in for every "
         "single one?",
         "receipt-capture;tax"),
        ("Anything cheaper than Starter?",
         "Is there anything cheaper than Starter? We only upload about 20 receipts a month.",
         "pricing"),
        ("Checkout price doesn't match pricing page",
         "Your pricing page says from $49 but checkout showed $59 with an add-on I didn't choose. Which is the "
         "real price?",
         "pricing;billing"),
        ("Change billing contact",
         "From now on please send all billing emails to our bookkeeper at m.olsen@olsenflorist.example.com "
         "instead of to me. Thanks.",
         "billing;contact-update"),
        ("Help with first setup",
         "Can someone walk me through setup on a call? I gave up halfway last week. Twenty minutes would be "
         "plenty.",
         "setup;onboarding"),
        ("Logging mileage",
         "Is there a way to log mileage for the van? We don't get receipts for that and I keep a paper diary.",
         "expenses;feature-request"),
        ("How many receipts does Starter include?",
         "How many receipts a month does Starter include? I can't find it on the website and I don't want "
         "another surprise charge.",
         "pricing;plan-limits"),
        ("App closes when photographing long receipts",
         "The iPhone app shuts itself whenever I try to photograph a long till receipt from the builders' "
         "merchant.",
         "mobile-app;bug"),
        ("Pause instead of cancel?",
         "We signed up three months ago but haven't really used it. Is there a pause option for the winter "
         "instead of cancelling?",
         "cancellation;billing"),
    ],
    "multi_client_bookkeeper": [
        ("Search client switcher by client code",
         "Can the client switcher search by our internal client code rather than the legal name? Scrolling "
         "through 38 clients a hundred times a day adds up.",
         "client-switching;feature-request", "C1088"),
        ("Switching client in one tab changes the others",
         "If I have two clients open in separate browser tabs and switch one, the other tab silently changes "
         "client too. I've just categorised a batch of transactions in the wrong company.",
         "client-switching;bug", "C1176"),
        ("Approve one supplier's bills across clients",
         "Is there any way to approve the same supplier's bills across several clients at once? Right now I open "
         "each client separately and approve them one by one.",
         "bulk-actions;approvals"),
        ("Raise the bulk selection limit",
         "I need to recategorise about 300 transactions from one vendor in a single client. Selecting 50 at a "
         "time is painful. Could the limit be raised?",
         "bulk-actions"),
        ("Copy a bank rule to many clients",
         "An energy supplier changed its name and the bank rule needs updating in 22 clients. Is there a way to "
         "copy one rule to several clients?",
         "bulk-actions;rules", "C1088"),
        ("Adding a new hire to every client",
         "We've hired a new bookkeeper. Do I really have to add her to each of our 64 client entities "
         "individually?",
         "user-management;permissions", "C1176"),
        ("Limit staff to their own clients",
         "Can we restrict each staff member so they only see the clients in their own portfolio? At the moment "
         "everyone can see everything.",
         "permissions", "C1349"),
        ("Choose which clients send notifications",
         "I get hundreds of notification emails a day across all our clients. Can I pick which clients I get "
         "notified about?",
         "notifications"),
        ("Bank connection link for clients",
         "Is there a way to send a client a link to connect their own bank feed without giving them a full "
         "login?",
         "client-onboarding;bank-feed"),
        ("Reuse a client setup as a template",
         "When onboarding a new restaurant client, can I copy the chart of accounts mapping and rules from one "
         "of our existing restaurants?",
         "client-onboarding;templates", "C1088"),
        ("Bulk import of client entities",
         "We're moving 20 clients over from another system. Is there a bulk import for entities, vendors and "
         "rules, or is it one client at a time?",
         "client-onboarding;import", "C1349"),
        ("Vendor import error without a row number",
         "A vendor CSV import failed with invalid value but didn't say which row. The file has 412 rows, so "
         "guessing isn't really an option.",
         "import;bug", "C1349"),
        ("Same report pack for all clients",
         "Is there a way to run the same monthly report pack for every client at once and get a separate PDF "
         "per client?",
         "reporting;per-client"),
        ("Firm logo on client reports",
         "Can we put our firm's logo on reports that go to clients? At the moment we export and rebuild them in "
         "our own template.",
         "reporting;branding"),
        ("Overview of all clients",
         "Is there a view that lists all our clients with unreconciled counts and last sync time? I track this in "
         "a spreadsheet that is always out of date.",
         "practice-view;feature-request"),
        ("Volume pricing for accounting firms",
         "We're adding about five clients a month. Is there partner or volume pricing for accounting firms? "
         "Per-entity pricing is getting expensive.",
         "pricing;partner-program"),
        ("Approve-only screen for client users",
         "Our clients keep ringing us because the approval screen shows every menu. Can a client user see only "
         "an approve and reject screen?",
         "permissions;approvals", "C1349"),
        ("Searching for an invoice across clients",
         "A supplier says they haven't been paid and they work with six of our clients. Can we search for an "
         "invoice number across all clients?",
         "search;feature-request"),
        ("API rate limit for firm reporting",
         "Our reporting script hits the rate limit when pulling invoices for 47 entities, so it has to run "
         "overnight. Could the limit be raised for firm accounts?",
         "api", "C1349"),
        ("Asking clients about uncategorised items",
         "Can I send a client a list of uncategorised transactions to answer inside Tallybook instead of over "
         "email and text?",
         "client-collaboration;feature-request", "C1265"),
        ("Switching clients loses my filters",
         "Every time I switch clients I'm thrown back to the dashboard and lose my filters. Could it remember "
         "which page I was on?",
         "client-switching", "C1265"),
        ("Xero connection expired without warning",
         "One client's Xero connection expired and sync failed silently for a week. Could there be a warning at "
         "firm level when any client's connection drops?",
         "sync-xero;notifications"),
        ("Several QuickBooks connections dropped",
         "Three of my clients' QuickBooks Online connections dropped overnight. Do I have to reconnect each one "
         "separately?",
         "sync-quickbooks"),
        ("Archiving a departed client",
         "A client has left us. How do we archive their entity so we stop paying for it but keep the records for "
         "seven years?",
         "billing;client-offboarding"),
        ("Cost per client on our invoice",
         "Can our Tallybook invoice show the cost per client entity? We want to pass the charge on to each "
         "client.",
         "billing;per-client"),
        ("Client invitation email never arrives",
         "The invitation to a client's owner never arrives. We've sent it twice and they've checked junk.",
         "client-onboarding;users"),
        ("Two clients with identical names",
         "Two clients have the same trading name and look identical in the switcher. Can we add a nickname or "
         "code to tell them apart?",
         "client-switching"),
        ("Shortcut for the next client",
         "Is there a keyboard shortcut to jump to the next client in the list? I do this all day long.",
         "client-switching;feature-request"),
        ("Scheduling reports to clients",
         "Could reports be scheduled to go to each client automatically on the fifth working day of the month?",
         "reporting;feature-request", "C1176"),
        ("Restricted funds for a charity client",
         "One of our clients is a charity and has to track restricted funds separately. Can categories be tagged "
         "by fund?",
         "feature-request"),
        ("Workload per client",
         "Can we see how many transactions and exceptions each client generated this month? We use that to "
         "price our fees.",
         "reporting;practice-view"),
        ("Rule from one client affecting another",
         "A bank rule I created in one client seems to be firing in a different client. Are rules shared across "
         "clients somehow?",
         "rules;bug"),
        ("Receipt address per client",
         "Do clients get their own receipt forwarding address? Our Zap sorts a shared inbox by subject line and "
         "breaks whenever a client types it wrong.",
         "receipt-capture;client-onboarding", "C1088"),
        ("Remove a leaver from all clients",
         "One of our bookkeepers has left. Can we remove her from all 40 clients in one step?",
         "user-management;bulk-actions"),
        ("Splitting a bill across related entities",
         "Nine related companies share the same suppliers. Can one bill be split across several entities in a "
         "single step?",
         "multi-entity;bulk-actions", "C1176"),
        ("Which clients are reconciled for October",
         "Is there a report showing which clients are fully reconciled for October? I need it for our Monday "
         "team meeting.",
         "reconciliation;practice-view"),
        ("Broken video link in bank feed article",
         "The help article on connecting a bank feed links to a video that no longer exists. We send that "
         "article to every new client.",
         "client-onboarding;docs"),
        ("Firm-level roles",
         "Can we create a junior role once at firm level and assign it to a group of clients, rather than "
         "setting permissions client by client?",
         "permissions;user-management"),
        ("Lock a client's period after the pack is sent",
         "Can we lock a period per client after we've sent their monthly pack? Clients sometimes edit things "
         "afterwards and the pack no longer matches.",
         "controls;per-client"),
        ("Call back about firm pricing",
         "Could someone from your partner team call me about firm pricing? Best number is (312) 555-0187, I'm in "
         "the office until 4pm most days.",
         "pricing;partner-program"),
    ],
    "regulated_compliance": [
        ("Disabling password login after SAML SSO",
         "We're configuring SAML single sign-on with our identity provider. Can local password login be disabled "
         "for every user once SSO is live?",
         "sso;security"),
        ("SCIM provisioning on our contract",
         "Is SCIM user provisioning available on our Enterprise contract? We need leavers deprovisioned "
         "automatically the same day they leave.",
         "scim;user-management", "C1112"),
        ("Deactivated user still listed as approver",
         "A user we deactivated in March still appears as an approver on two workflows. How can we audit all "
         "approval rules for inactive users?",
         "approvals;audit-log;user-management", "C1112"),
        ("Approval history export for 60 invoices",
         "Our external auditor needs the full approval history for a sample of 60 invoices, including approver, "
         "timestamps and policy version. Is there an export for this?",
         "audit-log;export", "C1112"),
        ("Streaming audit events to our SIEM",
         "Can audit log events be streamed to our SIEM by webhook or syslog? Manual CSV downloads don't meet our "
         "monitoring requirements.",
         "audit-log;integrations;security", "C1203"),
        ("Retention by record type",
         "We need ten-year retention for claim-related payment records but shorter retention for expense "
         "receipts. Can retention be set per document type?",
         "data-retention", "C1203"),
        ("Purging attachments with patient information",
         "Our policy requires attachments containing patient information to be purged after 24 months while the "
         "invoice record is kept for seven years. Is that possible?",
         "data-retention;privacy"),
        ("Business associate agreement",
         "Our legal team needs a signed business associate agreement before we can move beyond the pilot. Who "
         "should we contact?",
         "security-review;legal"),
        ("Vendor security questionnaire",
         "Attached is our vendor security questionnaire, 312 questions. Our procurement deadline is the 28th. "
         "Can your security team complete it in time?",
         "security-review;questionnaire"),
        ("SOC 2 report and bridge letter",
         "Please send the most recent SOC 2 Type II report and a bridge letter covering the gap, for our annual "
         "vendor review.",
         "security-review;compliance"),
        ("New subprocessor without notice",
         "We noticed a new subprocessor on your website that isn't in our contract schedule. Our policy requires "
         "30 days' notice before changes. Please advise.",
         "security-review;subprocessors", "C1288"),
        ("Where is our EU entity's data stored?",
         "Our Dublin entity's data must stay in the EU. Can you confirm in writing which region that entity's "
         "documents and backups live in?",
         "data-residency", "C1203"),
        ("Hosting in Canada",
         "Do you offer hosting in Canada? Our privacy impact assessment can't proceed with US-only hosting for "
         "personal health information.",
         "data-residency;privacy", "C1371"),
        ("Segregation of duties report",
         "Is there a report that flags users who can both create vendors and approve payments? Our regulator asks "
         "for this evidence every exam cycle.",
         "permissions;audit-log;controls", "C1203"),
        ("Logging document views",
         "Does the audit log record who viewed a document, or only who edited it? We need to know who accessed "
         "invoices that contain client names.",
         "audit-log;privacy", "C1371"),
        ("Shorter idle session timeout",
         "Can we set a shorter idle session timeout for our organisation? Many clinic workstations are shared "
         "between staff.",
         "sso;security", "C1371"),
        ("Blocking cardholders with missing receipts",
         "About a fifth of purchasing card transactions are missing receipts at cut-off. Can a cardholder be "
         "blocked from further purchases until receipts are attached?",
         "p-card;controls", "C1288"),
        ("Public records request export",
         "We've received a public records request for every payment to one vendor over five years. Can invoices, "
         "attachments and approvals be exported together?",
         "export;audit-log", "C1288"),
        ("Screen reader can't reach approve button",
         "A colleague who uses a screen reader cannot reach the approve button on the invoice detail page. This "
         "is an accessibility compliance issue for us.",
         "accessibility;bug", "C1288"),
        ("Audit entries not readable for auditors",
         "Audit entries like status changed 4 to 7 mean nothing to our auditors. Is there a plain-language "
         "version of the audit report?",
         "audit-log"),
        ("Penetration test summary",
         "Our CISO's office needs a summary of your latest penetration test and the remediation status of any "
         "high findings.",
         "security-review"),
        ("MFA for non-SSO users",
         "We want to enforce multi-factor authentication for the few users who can't use SSO, mainly external "
         "auditors. Is that configurable?",
         "security;sso"),
        ("Automatic redaction of names on receipts",
         "Is there any way to automatically redact client names on uploaded receipts? Staff currently redact by "
         "hand before uploading and it's inconsistent.",
         "privacy;feature-request", "C1371"),
        ("User export for quarterly access review",
         "For our quarterly access review we need users, roles, last login and who granted the access. The "
         "current user export is missing the last two fields.",
         "user-management;audit-log", "C1203"),
        ("Litigation hold on vendor records",
         "We have a litigation hold on records for one vendor. Can we stop those records being deleted "
         "regardless of the retention policy?",
         "data-retention;legal"),
        ("Customer-managed encryption keys",
         "Our security team asks whether customer-managed encryption keys are supported, and how attachments are "
         "encrypted at rest.",
         "security-review;encryption"),
        ("Annual vendor reassessment",
         "Our annual vendor reassessment is due. Please confirm whether any of the answers in last year's "
         "questionnaire have changed.",
         "questionnaire;security-review", "C1112"),
        ("Renewal quote for board agenda",
         "Our renewal needs board approval, and the board meets once a month. We need the renewal quote by the "
         "15th to make the agenda.",
         "billing;procurement", "C1288"),
        ("Breach notification timeline",
         "What is your breach notification timeline? Our regulator requires notice within 72 hours and the "
         "contract needs to reflect that.",
         "security-review;legal"),
        ("Sandbox for change validation",
         "Do you provide a sandbox environment? Our change control process requires us to validate configuration "
         "changes before they reach production.",
         "environment;controls"),
        ("RTO and RPO figures",
         "Please provide your RTO and RPO figures and the date of your last disaster recovery test for our "
         "business continuity file.",
         "security-review;continuity"),
        ("Restricting access to our IP ranges",
         "Can access to Tallybook be restricted to our corporate IP ranges? Our information security policy "
         "requires it for finance systems.",
         "security"),
        ("History of permission changes",
         "For an internal audit we need the history of permission changes for each user over the last twelve "
         "months.",
         "audit-log;permissions"),
        ("Versioning of approval policies",
         "If we change an approval policy, is the previous version retained so auditors can see which version "
         "applied to each invoice?",
         "approvals;audit-log"),
        ("Certificate of data deletion",
         "We decommissioned the pilot entity and our privacy office has asked for a certificate of data "
         "deletion. Can you provide one?",
         "data-retention;privacy"),
        ("Login loop after certificate rotation",
         "Since our identity provider rotated its signing certificate, users are stuck in a login loop. We've "
         "uploaded the new metadata but it's still failing.",
         "sso;bug"),
        ("Documents for purchase order",
         "Our procurement office needs a W-9, a certificate of insurance and a signed accessibility conformance "
         "report before the purchase order can be issued.",
         "procurement;legal"),
        ("How long are audit logs kept?",
         "How long is the audit log itself retained? Our policy requires seven years of access and change "
         "history.",
         "audit-log;data-retention"),
        ("Time-limited read-only auditor access",
         "Can we give our external auditors read-only access that expires automatically after the fieldwork "
         "window?",
         "permissions;audit-log"),
        ("Restricting a claims vendor's documents",
         "Invoices from our claims administrator include member IDs. Can viewing that vendor's documents be "
         "limited to a named group of users?",
         "permissions;privacy"),
    ],
    "generic": [
        ("Password reset email not arriving",
         "I've requested a password reset three times this morning and nothing has arrived, not even in spam.",
         "password-reset;login"),
        ("Locked out of my account",
         "I got locked out after too many attempts. How long before I can try again?",
         "login"),
        ("Download our October invoice as PDF",
         "Where can I download a PDF of our Tallybook invoice for October? Our accounts team needs it for their "
         "records.",
         "invoice-pdf;billing"),
        ("Registered address missing on invoice PDF",
         "The PDF invoice you send us is missing our registered company address. Can that be added for tax "
         "purposes?",
         "invoice-pdf;billing"),
        ("Billing contact change",
         "Please change our billing contact to the accounts payable team's shared mailbox going forward.",
         "billing;contact-update"),
        ("Company name after rebrand",
         "We've rebranded. How do I change the company name shown on the invoices you send us?",
         "billing;account-settings"),
        ("Lost authenticator app",
         "I changed phones and lost my authenticator app. How do I get back into my account?",
         "login;mfa"),
        ("Login page very slow",
         "The login page has been taking around 30 seconds to load all morning. Is something down?",
         "outage;login"),
        ("Dark mode?",
         "Any plans for a dark mode? The bright screen is hard going late in the evening.",
         "feature-request;ui"),
        ("Proof of annual payment",
         "Could you send a receipt confirming our annual payment was received? Finance needs it for the audit "
         "file.",
         "billing;invoice-pdf"),
        ("Account owner has left",
         "Our account owner left the company last week. How do we transfer ownership to me?",
         "account-settings;users"),
        ("Buttons not working in Firefox",
         "Some buttons don't respond for me in Firefox but work fine in Chrome. Is Firefox supported?",
         "bug;browser"),
        ("Timestamps are off by hours",
         "Every timestamp in my account is five hours out. Where do I set the time zone?",
         "account-settings"),
        ("Download PDF opens a blank tab",
         "Clicking Download PDF on the billing page opens a blank tab. I've tried two different browsers.",
         "invoice-pdf;bug"),
        ("New password rejected",
         "The reset page keeps rejecting my new password without saying what's wrong with it.",
         "password-reset"),
        ("Changing the date format",
         "Can I switch the date format to day/month/year? I keep misreading due dates.",
         "account-settings"),
        ("Status page subscription",
         "Is there a status page I can subscribe to for outage alerts?",
         "outage"),
        ("Tax number missing from invoices",
         "Please add our VAT registration number to future invoices; the current ones don't show it.",
         "invoice-pdf;billing"),
        ("Can't log in after changing email",
         "I changed my email address in settings and now neither the old nor the new address lets me log in.",
         "login;account-settings"),
        ("Charged twice this month",
         "It looks like we were charged twice on the 3rd. Could you check and refund the duplicate?",
         "billing;refund"),
    ],
}

# Support-agent replies: a few written for specific tickets (by subject), otherwise a generic macro
# chosen by the ticket's first tag (fallback "default"). About one ticket in seven has no reply yet.
SPECIFIC_REPLIES = {
    "Bank feed only matching part of our transactions":
        "Matching tolerances can be set under Bank rules > Matching. Once you've set one, re-run matching for "
        "the month and let me know if the unmatched count doesn't drop.",
    "Matching tolerance for card FX fees":
        "Yes: add an amount tolerance to the rule under Bank rules > Matching. Anything inside the tolerance "
        "will auto-match and the difference is posted to the FX account you choose.",
    "NetSuite sync failed with no details":
        "I can see the failed sync on our side. It came from a vendor that was renamed in NetSuite; I've added "
        "the bill numbers to this ticket so your team can fix the vendor record.",
    "Invoice stuck with an approver on vacation":
        "An admin can reassign a pending approval from the invoice's approval panel, and the history is kept. "
        "Automatic escalation isn't available yet, but I've added your vote to that request.",
    "Duplicate bills created in QuickBooks":
        "Thanks for flagging this. I've escalated the duplicate bills to engineering with the IDs you sent and "
        "will follow up with what we find.",
    "Our credit union isn't in the list":
        "If your bank isn't supported you can upload statements as CSV or OFX under Banking > Import. I've "
        "attached the steps.",
    "Bank won't connect":
        "Sorry about this. Some banks time out during the security code step; please try again from a desktop "
        "browser, or upload a statement under Banking > Import in the meantime.",
    "Disabling password login after SAML SSO":
        "Once SSO is enforced, password login is disabled for everyone except account owners, who keep a "
        "break-glass login. I've attached the setup guide.",
    "Login loop after certificate rotation":
        "Please send us the SAML response from your browser's developer tools and we'll check the "
        "configuration on our side.",
    "Switching client in one tab changes the others":
        "This is a known limitation: the active client is stored per session, not per tab. I've added your "
        "case to the bug report.",
    "Bank connection link for clients":
        "You can invite a client with a bank-connection-only role from Client settings > Invite. I've linked "
        "the guide.",
    "Forwarding supplier invoices by email":
        "Yes, every account has a capture address; you'll find it under Settings > Receipt capture.",
    "Can I skip cost centres?":
        "You can skip those steps: choose Skip on the setup screen and come back later if you ever need them.",
    "Please cancel our account":
        "Sorry to see you go. I've scheduled the cancellation for the end of your billing period and sent a "
        "confirmation email.",
    "Confirm our data is deleted":
        "Your data is deleted 30 days after cancellation. I've asked our team to send written confirmation once "
        "that's complete.",
    "Pause instead of cancel?":
        "We don't offer a pause at the moment, but I can move you to monthly billing so you can cancel and "
        "come back at any time.",
    "Locked out of my account":
        "Your account unlocks automatically after 30 minutes. I've also sent a reset link just in case.",
    "Download our October invoice as PDF":
        "You can download invoices as PDF under Settings > Billing > Invoices. I've attached the October one.",
    "SCIM provisioning on our contract":
        "SCIM provisioning is available on Enterprise; your account manager can enable it on your contract.",
}

REPLIES = {
    "reconciliation": ["Thanks for the detail. I've passed this to our reconciliation team and will update you "
                       "once they've looked at your account."],
    "bank-feed": ["Sorry about this. Our bank connection provider is aware of an issue with some institutions "
                  "and is working on it; I'll update this ticket when it's resolved."],
    "sync-netsuite": ["Thanks, we've escalated this to engineering and will update you here as soon as we know "
                      "more."],
    "sync-quickbooks": ["Reconnecting QuickBooks under Settings > Integrations usually resolves this; please let "
                        "me know if it happens again."],
    "sync-xero": ["Thanks, I've raised this with our integrations team and will update you here."],
    "approvals": ["Thanks, I've logged this with the approvals team and added your account to the request."],
    "audit-log": ["The audit log can be exported as CSV from Settings > Security > Audit log. I've passed your "
                  "other requirements to our product team.",
                  "Thanks. I've looped in your account manager and our compliance team, who will reply directly."],
    "security-review": ["Thanks, I've forwarded this to our security and compliance team. They usually respond "
                        "within five business days.",
                        "Our trust documentation is available under NDA. Your account manager will send the NDA "
                        "today."],
    "questionnaire": ["Thanks, I've forwarded this to our security and compliance team. They usually respond "
                      "within five business days."],
    "sso": ["Thanks, I've passed this to our identity and access team, who will follow up directly."],
    "data-retention": ["Retention is currently configured per account. I've recorded your requirement with our "
                       "product team and asked your account manager to follow up."],
    "data-residency": ["I've asked our compliance team to confirm the hosting region for your account in "
                       "writing; expect a reply within a few days."],
    "pricing": ["Thanks for asking. I've included a link to our current plans; your account manager can also "
                "walk you through the options.",
                "I understand. I've passed your feedback on pricing to our team and checked that you're on the "
                "best plan for your usage."],
    "billing": ["Thanks, I've made the change on your account; you'll get a confirmation email shortly.",
                "I've checked your billing history and updated this. It will show on your next invoice."],
    "setup": ["Sorry setup has been frustrating. I've sent you a link to book a free onboarding session."],
    "receipt-capture": ["Thanks for the report. I've passed this to our receipt capture team and will update you "
                        "here."],
    "mobile-app": ["Thanks, we've reproduced this and a fix is planned for the next app release."],
    "client-switching": ["Thanks, I've passed this to the team working on the practice experience. I'll update "
                         "you when there's news."],
    "bulk-actions": ["Bulk actions across clients aren't available yet. I've added your request to the existing "
                     "feature request."],
    "client-onboarding": ["Thanks, I've logged this with our onboarding team."],
    "permissions": ["Thanks, I've logged this with our permissions team and will follow up."],
    "reporting": ["Thanks, I've added this to our reporting backlog and will let you know if there's a "
                  "workaround in the meantime."],
    "password-reset": ["I've sent a fresh reset link. If it doesn't arrive within ten minutes, please check that "
                       "your domain allows emails from us."],
    "login": ["I've verified your identity and reset your login. Please try again and reply here if it still "
              "fails."],
    "invoice-pdf": ["Thanks, I've passed this to our billing team; they'll send you a corrected PDF shortly."],
    "default": ["Thanks for getting in touch. I've passed this to the right team and will update you here.",
                "Thanks, I've logged this and will follow up as soon as I have an answer."],
}

CHANNEL_WEIGHTS = {
    "scaling_finance": {"email": 5, "web": 4, "chat": 2},
    "small_owner": {"chat": 6, "email": 3, "web": 2},
    "multi_client_bookkeeper": {"web": 5, "chat": 4, "email": 2},
    "regulated_compliance": {"email": 7, "web": 3, "chat": 1},
}


def month_offset(y: int, m: int) -> int:
    """Months before 2026-11 (2026-11 -> 0, 2025-12 -> 11)."""
    return (2026 - y) * 12 + (11 - m)


def main() -> None:
    rng = random.Random(SEED)

    # ---- customers ------------------------------------------------------------------
    ids = [f"C{n}" for n in range(1001, 1401)]
    fixed = {p[4]: p for p in PARTICIPANTS}
    pool = []
    for seg in SEGMENTS:
        pool += [seg] * (SEGMENT_COUNTS[seg] - sum(1 for p in PARTICIPANTS if p[9] == seg))
    rng.shuffle(pool)
    used_names = {p[10] for p in PARTICIPANTS}
    customers, segment_of = [], {}
    it = iter(pool)
    for cid in ids:
        if cid in fixed:
            p = fixed[cid]
            seg = p[9]
            row = gen_customer(rng, cid, seg, set(used_names))
            row.update(company=p[10], industry=p[7], employees=p[6], plan=p[8], churned="No",
                       onboarding="complete")
            facts = dict(PARTICIPANT_FACTS[cid])
            facts.pop("churn_offset", None)
            row.update(facts)
            # recompute price from the fixed plan/seats/entities
            if row["plan"] == "Starter":
                row["mrr"] = 49
            elif row["plan"] == "Professional":
                row["mrr"] = 199 + 22 * max(0, row["seats"] - 2) + 19 * max(0, row["entities"] - 1)
            else:
                row["mrr"] = 1500 + 45 * row["seats"] + 150 * max(0, row["entities"] - 1)
                if seg == "regulated_compliance":
                    row["mrr"] += 2000
            ratio = {"scaling_finance": 0.75, "small_owner": 1.0, "multi_client_bookkeeper": 0.9,
                     "regulated_compliance": 0.4}[seg]
            row["weekly_active_users"] = max(1, round(row["seats"] * ratio))
            row.update({k: v for k, v in facts.items() if k == "weekly_active_users"})
            if seg == "multi_client_bookkeeper":
                row["invoices_processed_90d"] = round(row["entities"] * rng.uniform(90, 200))
            elif seg == "small_owner":
                row["invoices_processed_90d"] = rng.randint(15, 120)
            else:
                row["invoices_processed_90d"] = round(row["employees"] * rng.uniform(3, 10))
        else:
            seg = next(it)
            row = gen_customer(rng, cid, seg, used_names)
        customers.append(row)
        segment_of[cid] = seg

    # ---- transactions: monthly invoices, churned customers stop -------------------------
    active_months: dict[str, list[tuple[int, int]]] = {}
    bill_day: dict[str, int] = {}
    transactions = []
    inv_no = 0
    for row in customers:
        cid = row["customer_id"]
        facts = PARTICIPANT_FACTS.get(cid, {})
        if row["churned"] == "Yes":
            last = facts.get("churn_offset", rng.randint(1, 10))
        else:
            last = 0
        first = last + row["tenure_months"] - 1  # offset of the first billed month (may precede the window)
        months = [(y, m) for (y, m) in MONTHS if last <= month_offset(y, m) <= first]
        if not months:  # make sure every customer has at least one invoice in the window
            months = [MONTHS[-1 - last]]
        active_months[cid] = months
        day = rng.randint(1, 28)
        bill_day[cid] = day
        seg = segment_of[cid]
        growth = rng.uniform(0.0, 0.02) if seg in ("scaling_finance", "multi_client_bookkeeper") else 0.0
        for (y, m) in months:
            off = month_offset(y, m) - last
            amount = row["mrr"] * (1 - growth * off)
            if row["plan"] == "Starter" and rng.random() < 0.12:
                amount += rng.choice([10, 20, 30])  # receipt-limit overage
            inv_no += 1
            transactions.append({"invoice_id": f"INV-{inv_no:06d}", "customer_id": cid,
                                  "date": date(y, m, day).isoformat(), "amount": f"{amount:.2f}"})
    # a few credit notes (service credits, refunds, downgrades)
    cn_no = 0
    for cid in sorted(rng.sample(ids, 22)):
        months = active_months[cid]
        y, m = rng.choice(months)
        mrr = next(r["mrr"] for r in customers if r["customer_id"] == cid)
        cn_no += 1
        amt = -round(mrr * rng.choice([0.1, 0.25, 0.5, 1.0]), 2)
        transactions.append({"invoice_id": f"CN-{cn_no:05d}", "customer_id": cid,
                             "date": date(y, m, min(28, bill_day[cid] + rng.randint(1, 10))).isoformat(),
                             "amount": f"{amt:.2f}"})
    transactions.sort(key=lambda t: (t["date"], t["invoice_id"]))

    # ---- tickets ----------------------------------------------------------------------
    by_segment: dict[str, list[str]] = {s: [] for s in SEGMENTS}
    weight = {}
    for row in customers:
        by_segment[segment_of[row["customer_id"]]].append(row["customer_id"])
        weight[row["customer_id"]] = 1 + row["support_tickets_90d"]

    def ticket_time(cid: str) -> datetime:
        months = [ym for ym in active_months[cid] if ym >= (2026, 1)] or active_months[cid]
        y, m = rng.choice(months)
        d = rng.randint(1, 28)
        if (y, m) == (2026, 11):
            d = min(d, 27)
        return datetime(y, m, d, rng.randint(7, 18), rng.randint(0, 59), rng.randint(0, 59))

    raw = []
    for seg in SEGMENTS + ["generic"]:
        for entry in TICKETS[seg]:
            subject, body, tags = entry[:3]
            when = None
            if len(entry) > 3 and entry[3] == "CHURNED":
                # written after cancelling: a churned customer, dated after its last invoice
                cid = rng.choice([c for c in by_segment[seg] if next(
                    r for r in customers if r["customer_id"] == c)["churned"] == "Yes"
                    and active_months[c][-1] <= (2026, 9)])
                y, m = active_months[cid][-1]
                y, m = (y + 1, 1) if m == 12 else (y, m + 1)
                when = datetime(y, m, rng.randint(5, 25), rng.randint(8, 17), rng.randint(0, 59), 0)
            elif len(entry) > 3:
                cid = entry[3]
                if len(entry) > 4:
                    when = datetime.fromisoformat(entry[4])
            elif seg == "generic":
                cid = rng.choice(ids)
            else:
                cands = by_segment[seg]
                cid = rng.choices(cands, weights=[weight[c] for c in cands])[0]
            cseg = segment_of[cid]
            channel = pick_weighted(rng, CHANNEL_WEIGHTS[cseg])
            first_tag = tags.split(";")[0]
            if rng.random() < 0.14:
                reply = ""
            elif subject in SPECIFIC_REPLIES:
                reply = SPECIFIC_REPLIES[subject]
            else:
                reply = rng.choice(REPLIES.get(first_tag, REPLIES["default"]))
            raw.append({"customer_id": cid, "created_at": when or ticket_time(cid), "subject": subject, "body": body,
                        "agent_reply": reply, "tags": tags, "channel": channel})
    raw.sort(key=lambda t: (t["created_at"], t["subject"]))
    tickets = []
    for i, t in enumerate(raw, 1):
        t = dict(t)
        t["created_at"] = t["created_at"].isoformat()
        tickets.append({"ticket_id": f"T{i:04d}", **t})

    # ---- write --------------------------------------------------------------------------
    def write(rel: str, rows: list[dict], fields: list[str]) -> None:
        path = ROOT / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
            w.writeheader()
            w.writerows(rows)

    write("tables/customers.csv", customers,
          ["customer_id", "company", "industry", "employees", "region", "plan", "seats", "entities", "mrr",
           "tenure_months", "weekly_active_users", "feature_adoption_pct", "invoices_processed_90d",
           "support_tickets_90d", "nps", "onboarding", "churned"])
    write("tables/transactions.csv", transactions, ["invoice_id", "customer_id", "date", "amount"])
    write("tickets/tickets.csv", tickets,
          ["ticket_id", "customer_id", "created_at", "subject", "body", "agent_reply", "tags", "channel"])
    write("participants.csv",
          [{"participant_id": p[0], "file": p[1], "participant": p[2], "customer_id": p[4], "job_title": p[5],
            "company_size": p[6], "industry": p[7], "plan": p[8], "interviewer": p[3]} for p in PARTICIPANTS],
          ["participant_id", "file", "participant", "customer_id", "job_title", "company_size", "industry",
           "plan", "interviewer"])
    write("gold/customers.csv", [{"customer_id": c, "segment": segment_of[c]} for c in ids],
          ["customer_id", "segment"])
    write("gold/documents.csv",
          [{"file": p[1], "participant_id": p[0], "customer_id": p[4], "segment": p[9]} for p in PARTICIPANTS],
          ["file", "participant_id", "customer_id", "segment"])
    print(f"customers={len(customers)} transactions={len(transactions)} (credit notes={cn_no}) "
          f"tickets={len(tickets)}")


if __name__ == "__main__":
    main()
