#!/usr/bin/env python3
"""Build rapport/triage/data/intents.csv, a development set of social posts labelled by intent.

Every post in the set was written for the Rapport project; nothing is copied from a
third-party corpus. Companies, handles and people are fictional.

Two sources are combined:

* HAND_WRITTEN: posts written one by one, verbatim (including the non-English ones and most
  of the hard boundary cases), at least 30 per label;
* templates per label filled from per-sector slot lists (problems, features, products,
  praise points, ...) and per-platform decorations (@handles, #hashtags, URLs, emoji, typos),
  drawn with a fixed seed, so the output is identical on every run.

Templated rows are rejected when they duplicate or nearly duplicate (word-set Jaccard >= 0.6
with a row of the same label) a row already kept.

Labels follow the definitions in ../shared/data/INTENTS.md (complaint, praise, question,
lead, idea, other). Run:

    python rapport/triage/data/make_intents.py            # writes intents.csv next to it
    python rapport/triage/data/make_intents.py --check    # rebuild in memory, compare, print stats
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

SEED = 20240611
PER_LABEL = 130  # rows per label in the output (hand-written + templated)
LABELS = ("complaint", "praise", "question", "lead", "idea", "other")
HERE = Path(__file__).resolve().parent
OUT = HERE / "intents.csv"

# ---------------------------------------------------------------------------------------
# Fictional companies by sector. Each sector has its own slot lists.
# ---------------------------------------------------------------------------------------
SECTORS: dict[str, dict[str, Any]] = {
    "bank": {
        "companies": [
            ("Northbank", "@northbank"),
            ("Fairway Bank", "@FairwayBank"),
            ("Kestrel Credit Union", "@kestrelcu"),
            ("Monzio", "@monzio_help"),
        ],
        "product": [
            "app",
            "debit card",
            "savings account",
            "online banking",
            "credit card",
            "current account",
        ],
        "problem": [
            "charged me a £25 fee for going 1p overdrawn",
            "froze my card while I was abroad and nobody answers the phone",
            "logs me out of the app every 30 seconds since the update",
            "has left my transfer 'pending' for 4 days",
            "declined my card at the supermarket for no reason",
            "closed my branch and the nearest one is 40 min away",
            "sent me the same letter three times but never fixed the address",
            "took two weeks to refund a fraudulent payment",
            "made me wait 90 minutes on hold to reset a PIN",
            "double-charged my standing order this month",
        ],
        "question": [
            "how do I change the daily limit on my card",
            "can I add a joint holder to my savings account in the app",
            "where do I find my IBAN in the app",
            "is there a way to download statements older than 12 months",
            "how long does an international transfer to Spain usually take",
            "do I need to tell you before travelling to Japan",
            "what's the cut-off time for same-day payments",
            "can I set up a standing order for the 31st of each month",
        ],
        "buy": [
            "a mortgage",
            "a business account",
            "a credit card with no FX fees",
            "a joint account",
            "a fixed-rate savings account",
            "a personal loan",
        ],
        "feature": [
            "let me freeze just online payments instead of the whole card",
            "add round-up savings to the app",
            "show pending card payments in the balance",
            "support Apple Pay on business cards",
            "let me rename my savings pots",
            "add a dark mode to online banking",
            "send a push alert before a direct debit goes out",
        ],
        "good": [
            "sorted my fraud claim in 10 minutes",
            "has the best banking app I've used",
            "waived a fee without me even asking twice",
            "gave me a human on the phone in under 2 minutes",
            "saved me from a scam with instant notifications",
        ],
        "tags": ["#banking", "#fintech", "#customerservice", "#money"],
    },
    "telco": {
        "companies": [
            ("Tellio", "@tellio"),
            ("Vantel Mobile", "@VantelMobile"),
            ("SkyLink Fibre", "@skylinkfibre"),
            ("Orbo", "@orbo_care"),
        ],
        "product": ["broadband", "5G", "fibre", "mobile plan", "router", "eSIM", "roaming"],
        "problem": [
            "has dropped my internet every evening for a week",
            "billed me for roaming while I was at home",
            "promised 500 Mbps and I get 12",
            "sent me a router that reboots itself every hour",
            "has had no signal in the whole town centre since Monday",
            "no-showed the engineer visit, third time now",
            "raised my bill mid-contract again",
            "cancelled my number port without telling me",
            "charged me an exit fee after I moved abroad",
        ],
        "question": [
            "how do I activate the eSIM on a new phone",
            "does my plan include roaming in Switzerland",
            "how do I change the wifi password on the new router",
            "can I keep my number if I switch to a SIM-only plan",
            "where can I see how much data I have left this month",
            "is there a way to block premium-rate numbers on my line",
        ],
        "buy": [
            "a SIM-only deal",
            "fibre for a new flat",
            "a family plan with 4 lines",
            "a business broadband line",
            "unlimited data",
        ],
        "feature": [
            "let me roll over unused data to next month",
            "show an outage map in the app",
            "offer a wifi-calling toggle in settings",
            "give a text warning before hitting the data cap",
            "let us pause the line while travelling",
        ],
        "good": [
            "fixed my line the same day",
            "gets signal even in the basement",
            "solved it first time on support chat",
            "delivers exactly the speeds it promised",
        ],
        "tags": ["#broadband", "#5G", "#outage", "#telco"],
    },
    "airline": {
        "companies": [
            ("AeroNord", "@aeronord"),
            ("Bluewing Air", "@BluewingAir"),
            ("Soleil Airways", "@soleilairways"),
        ],
        "product": ["flight", "app", "check-in", "lounge", "loyalty programme"],
        "problem": [
            "lost my suitcase and the tracker says it's in Oslo",
            "cancelled my flight at the gate with no rebooking",
            "charged me €60 to print a boarding pass",
            "still hasn't refunded a flight cancelled in March",
            "downgraded my seat without telling me",
            "kept us on the tarmac for 3 hours with no water",
            "has a check-in app that crashed at the airport",
        ],
        "question": [
            "can I take a guitar as cabin baggage",
            "how do I add my frequent flyer number to an existing booking",
            "what is the liquid limit on connecting flights via Frankfurt",
            "can I change the name on a ticket",
            "do infants need their own passport to fly to Lisbon",
            "when does online check-in open for long-haul flights",
        ],
        "buy": [
            "business class to Tokyo",
            "a family trip to Lisbon in August",
            "the annual lounge pass",
            "a multi-city ticket",
        ],
        "feature": [
            "let me pick seats for the whole group at once",
            "show the gate change as a push notification",
            "add a live bag tracker in the app",
            "offer vegan meals on short-haul",
        ],
        "good": [
            "had a crew that was amazing with my anxious kid",
            "landed 20 min early",
            "rebooked me before I even reached the desk",
            "finally has comfy seats",
        ],
        "tags": ["#travel", "#avgeek", "#flightdelay", "#airline"],
    },
    "retail": {
        "companies": [
            ("Basketly", "@basketly"),
            ("Marlow & Finch", "@marlowfinch"),
            ("Greenmart", "@greenmart_uk"),
            ("Kinto Home", "@kintohome"),
            ("Snapcart", "@snapcart"),
        ],
        "product": ["order", "delivery", "click and collect", "loyalty card", "website", "returns"],
        "problem": [
            "delivered an empty box and closed my ticket",
            "has had my order 'out for delivery' for 6 days",
            "sent the wrong size twice",
            "still hasn't processed my refund after 30 days",
            "sent a damaged item and wants me to pay for the return",
            "cancelled my order after taking the money",
            "let the courier leave my parcel in the rain",
        ],
        "question": [
            "can I return an online order in store",
            "does the loyalty card work in the app",
            "how do I change the delivery address on an order I already placed",
            "is the 30-day return window from delivery or from order date",
            "do gift cards expire",
        ],
        "buy": [
            "a delivery subscription",
            "their corporate gifting service",
            "a bulk order for our office",
            "gift cards for 200 staff",
        ],
        "feature": [
            "show stock levels per store on the website",
            "let me save a recurring weekly basket",
            "add a plastic-free delivery option",
            "offer a delivery slot after 9pm",
        ],
        "good": [
            "delivered in 2 hours",
            "return was processed the same day",
            "had staff at the Leeds store go above and beyond",
            "finally uses recyclable packaging",
        ],
        "tags": ["#shopping", "#delivery", "#retail", "#customerservice"],
    },
    "saas": {
        "companies": [
            ("Taskwell", "@taskwell"),
            ("Ledgerly", "@ledgerly_app"),
            ("Pipefox", "@pipefox"),
            ("Notably", "@notablyhq"),
            ("Hostrise", "@hostrise"),
        ],
        "product": [
            "API",
            "dashboard",
            "mobile app",
            "integration",
            "free plan",
            "SSO",
            "export",
            "webhooks",
        ],
        "problem": [
            "has returned 502s from the API since 9am and the status page says all green",
            "deleted my workspace after the trial without warning",
            "charged us for 40 seats when we have 12",
            "silently broke the Google Calendar sync again",
            "truncates CSV exports at 1000 rows",
            "has left my support ticket open for 3 weeks, no reply",
            "moved every button I use in the new UI",
            "fires every webhook twice",
        ],
        "question": [
            "how do I rotate an API key without downtime",
            "is there a rate limit on the search endpoint",
            "can I move a project between workspaces",
            "does SSO work with Okta on the Team plan",
            "where do I find the audit log",
            "how do I restore something I deleted myself yesterday",
        ],
        "buy": [
            "the Enterprise plan for 300 users",
            "a project tool for our 15-person team",
            "an annual licence",
            "the self-hosted edition",
        ],
        "feature": [
            "add an offline mode",
            "support Markdown tables",
            "let admins set default notification settings",
            "expose the audit log via the API",
            "add keyboard shortcuts for everything",
            "offer an EU data residency option",
            "add a Linux desktop client",
        ],
        "good": [
            "saved our team hours every week",
            "has docs that are actually good",
            "answered my ticket on a Sunday",
            "migrated us over in 10 minutes",
            "just works, no drama",
        ],
        "tags": ["#SaaS", "#devtools", "#productivity", "#nocode", "#startup"],
    },
    "utility": {
        "companies": [
            ("Brightwater Energy", "@brightwater"),
            ("CityGas", "@citygas_help"),
            ("Evergrid Power", "@evergrid"),
        ],
        "product": ["smart meter", "bill", "app", "tariff", "direct debit"],
        "problem": [
            "doubled my direct debit with no explanation",
            "hasn't taken a smart meter reading in 5 months",
            "billed me for a flat I moved out of in 2022",
            "left us without power for 14 hours with no updates",
            "sent a debt collector over a bill I already paid",
        ],
        "question": [
            "how do I submit a meter reading in the app",
            "can I change the date my direct debit comes out",
            "what happens to my tariff when I move house",
            "how do I read the two numbers on an Economy 7 meter",
        ],
        "buy": [
            "a heat pump",
            "solar panels with a battery",
            "a fixed tariff",
            "an EV charger install",
        ],
        "feature": [
            "show half-hourly usage in the app",
            "offer a cheaper overnight EV tariff",
            "let me download all my bills as one PDF",
        ],
        "good": [
            "sorted my meter the same week",
            "refunded my credit without a fight",
            "sent really clear outage texts",
        ],
        "tags": ["#energy", "#bills", "#powercut", "#utilities"],
    },
    "insurance": {
        "companies": [
            ("Harbor Insurance", "@harborins"),
            ("Shieldwise", "@shieldwise"),
            ("Covera", "@covera_ins"),
        ],
        "product": [
            "car insurance",
            "home insurance",
            "claim",
            "policy",
            "renewal",
            "travel cover",
        ],
        "problem": [
            "put my renewal up 70% with no claims",
            "rejected my claim over a typo in the form",
            "lost my documents twice and asked me to resend",
            "has kept my claim 'under review' since January",
            "cancelled my policy and kept the premium",
        ],
        "question": [
            "does my home policy cover accidental damage to a laptop",
            "how do I add a named driver for one weekend",
            "what documents do you need for a windscreen claim",
            "is my travel cover valid for skiing",
        ],
        "buy": [
            "pet insurance for two cats",
            "landlord insurance",
            "cover for a new van",
            "a cheaper car insurance quote",
        ],
        "feature": [
            "let me upload claim photos in the app",
            "offer pay-per-mile cover for people who barely drive",
            "show the claim status online",
        ],
        "good": [
            "paid my claim in 48 hours",
            "gave me the kindest claims handler",
            "actually lowered my renewal this year",
        ],
        "tags": ["#insurance", "#claims", "#insurtech"],
    },
    "fitness": {
        "companies": [("FitLoop", "@fitloop"), ("Pacely", "@pacely_app")],
        "product": ["app", "subscription", "watch app", "premium plan", "widget"],
        "problem": [
            "charged me after I cancelled the subscription",
            "lost my whole year of workout history in the update",
            "drains 30% battery in an hour on my watch",
            "stopped syncing with my watch three weeks ago",
        ],
        "question": [
            "does the watch app work without the phone nearby",
            "can I share premium with family members",
            "how do I change my heart-rate zones",
        ],
        "buy": ["the family plan", "premium for a year", "a coaching plan for marathon training"],
        "feature": [
            "let me export my data as GPX",
            "add a home-screen widget",
            "add a strength-training mode with sets and reps",
        ],
        "good": [
            "got me running again after years",
            "is the only app I actually pay for",
            "shipped a silky smooth update",
        ],
        "tags": ["#fitness", "#running", "#iOS", "#Android"],
    },
    "ride": {
        "companies": [("Rideo", "@rideo_app"), ("Zipcab", "@zipcab")],
        "product": ["app", "ride", "airport transfer", "ride pass"],
        "problem": [
            "had 4 drivers cancel and still charged me a cancellation fee",
            "charged me surge pricing at 3pm on a Tuesday",
            "crashes every time I try to add a card",
            "sent a driver who refused to take my guide dog",
        ],
        "question": [
            "how do I book a ride for someone else",
            "can I add a stop after the trip has started",
            "where do I download receipts for expenses",
        ],
        "buy": ["a business account for our team", "the monthly ride pass"],
        "feature": [
            "support split payments between riders",
            "add a quiet-ride option",
            "let me schedule rides a week ahead",
        ],
        "good": [
            "sent a driver who waited and helped with my bags",
            "refunded a wrong fare in minutes",
            "is the only app I trust at 2am",
        ],
        "tags": ["#rideshare", "#travel", "#app"],
    },
    "music": {
        "companies": [("Melodia", "@melodia_music"), ("Tunely", "@tunely")],
        "product": ["app", "subscription", "premium plan", "desktop app"],
        "problem": [
            "keeps playing ads even on premium",
            "wiped my downloaded playlists again",
            "charged me twice for the family plan",
            "crashes every time I open the lyrics view",
        ],
        "question": [
            "how do I move my playlists to a new account",
            "how do I turn off autoplay",
            "can I share premium with family members",
        ],
        "buy": ["the family plan", "premium for a year", "a student subscription"],
        "feature": [
            "add a sleep timer",
            "offer a lossless audio tier",
            "let me hide songs from my year-in-review",
        ],
        "good": [
            "knows my taste better than I do",
            "finally fixed offline mode",
            "is the only app I actually pay for",
        ],
        "tags": ["#music", "#streaming", "#app"],
    },
}
# ---------------------------------------------------------------------------------------
# Shared fillers
# ---------------------------------------------------------------------------------------
NAMES = [
    "Priya",
    "Tom",
    "Aisha",
    "Mateusz",
    "Chloe",
    "Kwame",
    "Lena",
    "Diego",
    "Sanna",
    "Ravi",
    "Hannah",
    "Olu",
    "Marta",
    "Jonas",
    "Fatima",
    "Ben",
]
CITIES = [
    "Leeds",
    "Lyon",
    "Berlin",
    "Madrid",
    "Dublin",
    "Glasgow",
    "Austin",
    "Porto",
    "Utrecht",
    "Bristol",
]
JOBS = [
    "Senior Data Engineer",
    "Customer Success Manager",
    "Store Supervisor",
    "Cabin Crew member",
    "Field Engineer",
    "Claims Handler",
    "Product Designer",
    "Graduate Analyst",
]
EVENTS = [
    "city marathon",
    "jazz festival",
    "youth football league",
    "book fair",
    "climate summit",
    "hackathon",
]
EMO_BAD = ["🙃", "😡", "🤬", "😤", "💀", "🫠", "🙄", "👏👏", ""]
EMO_GOOD = ["🙌", "❤️", "👏", "🥳", "💯", "😍", "✨", ""]
EMO_Q = ["🤔", "🙏", "❓", ""]
ANGRY = [
    "Absolutely ridiculous.",
    "Never again.",
    "Sort it out.",
    "Unreal.",
    "How is this legal?",
    "Fuming.",
    "Done with you.",
    "Cheers for nothing.",
    "Not good enough.",
    "Is anyone even working there?",
]
CONTACT_FAIL = [
    "Chat bot just sends me in circles.",
    "Phone line hangs up after 40 minutes.",
    "Email support auto-closes the ticket.",
    "Nobody replies to DMs.",
    "Branch staff told me to call the helpline, helpline told me to go to the branch.",
]
RECOMMEND = [
    "Can't recommend them enough.",
    "Would recommend.",
    "10/10 no notes.",
    "This is how it's done.",
    "Genuinely impressed.",
    "Customer for life.",
]
SELF_ERR = [
    "locked myself out after three wrong passwords",
    "typed my email address wrong when signing up",
    "deleted the confirmation email by mistake",
    "changed phone and didn't move my 2FA codes",
    "paid the wrong reference number",
]
SECTOR_WORD = {
    "bank": "bank",
    "telco": "provider",
    "airline": "airline",
    "retail": "shop",
    "saas": "tool",
    "utility": "energy supplier",
    "insurance": "insurer",
    "fitness": "app",
    "ride": "ride app",
    "music": "music app",
}
BUDGET = ["£50/month", "$2k a year", "about €30 a month", "whatever is reasonable", "under 20 quid"]

YOU_VERBS = {
    "has": "have",
    "is": "are",
    "delivers": "deliver",
    "gets": "get",
    "uses": "use",
    "works": "work",
    "crashes": "crash",
    "drains": "drain",
    "keeps": "keep",
    "truncates": "truncate",
    "fires": "fire",
    "hasn't": "haven't",
    "lowers": "lower",
}


def you_form(vp: str) -> str:
    """'has the best app' -> 'have the best app' (for 'you ...' templates)."""
    words = vp.split(" ")
    for i in range(min(2, len(words))):
        if words[i] in YOU_VERBS:
            words[i] = YOU_VERBS[words[i]]
            break
    return " ".join(words)


def slug(name: str) -> str:
    return re.sub(r"[^a-z]", "", name.lower())


# ---------------------------------------------------------------------------------------
# Templates. Each is (platform, text). Slots: {co} company, {h} handle, {comp} competitor in
# the same sector, {prod} product, {prob} problem, {you_prob}, {q} question, {buy},
# {feat} feature, {good}, {you_good}, {tag}, {url}, {name}, {city}, {job}, {event}, {n},
# {eb} {eg} {eq} emoji, {angry}, {fail}, {rec}, {self}, {sw} sector word, {budget}.
# ---------------------------------------------------------------------------------------
TEMPLATES = {
    "complaint": [
        "{h} {prob}. {angry} {eb}",
        "so {co} {prob}. great. love that for me {eb}",
        "Third time this month {co} {prob}. {angry} {tag}",
        "Genuinely asking {h}: why is it that you {you_prob}??",
        "Big shout-out to {co}, who {prob}. Truly world-class service {eb}",
        "[Rant] {co} {prob}\n\nBeen a customer for {n} years. {fail} At this point I just want "
        "someone to acknowledge it. Anyone else?",
        "Subject: Formal complaint - {prod}\n\nHello,\n\nI am writing because {co} {prob}. "
        "{fail} I expect a response within 14 days.\n\nRegards,\n{name}",
        "Anecdote: {co} {prob}. Their {prod} used to be solid; something changed in the last year.",
        "Not impressed with {co}: {prob}. {fail}",
        "{h} still waiting. You {you_prob} and {fail_lc}",
        "Reminder that {co} {prob} and then emailed me asking for a 5-star review lol",
        "Does anyone at {h} actually read DMs? {co} {prob}. {tag}",
        "Can't believe {co} {prob}. And people wonder why we hate {sw}s. {eb}",
        "day {n}: {co} {prob}. {h} {angry}",
        "Posting this here since support ignores me. {co} {prob}. {fail}",
        "{h} you {you_prob}. cool cool cool {eb}",
    ],
    "praise": [
        "Shout-out to {co}, who {good} {eg}",
        "{co} {good}. Not used to saying this about a {sw} but 10/10",
        "Honestly {co} {good}. {rec}",
        "ok {co} {good}, I take back everything I said last year {eg}",
        "If anyone's on the fence about {co}: they {good}. {rec} {tag}",
        "{h} thank you!! you {you_good} {eg}",
        "stupidly good: {co} {good}. how is this allowed",
        "Hi team,\n\nJust wanted to say thank you: you {you_good}. It made a stressful week a "
        "lot easier.\n\nBest wishes,\n{name}",
        "Moved to {co} last year and they {good}. {rec}",
        "Credit where it's due, {co} {good} {tag}",
        "{co}'s {prod} is unreasonably great. they {good}. {eg}",
        "Not sponsored, just happy: {co} {good}. {rec}",
        "Whoever at {h} made this happen, you {you_good}. thank you {eg}",
        "TIL a {sw} can be nice. {co} {good}.",
    ],
    "question": [
        "{h} {q}?",
        "Quick question for {h}: {q}? Thanks in advance {eq}",
        "Anyone here with {co}? {Q}? couldn't find it in the FAQ",
        "[Question] {co} {prod} - {q}?\n\nSearched the sub and the help centre but no luck. "
        "Any pointers appreciated!",
        "Hello,\n\nI have a question about my {prod}: {q}? My customer number is "
        "{acct}.\n\nThank you,\n{name}",
        "hey {h} {q} {eq}",
        "Probably a dumb question but {q}? {h}",
        "My own fault: I {self}. {h} what's the quickest way to sort it?",
        "{co} people of reddit, {q}?",
        "@ {co} support: {Q}? Not urgent, just planning ahead.",
        "{h} hi! {Q}? ta",
        "Before I call {co}: {q}? Would rather not sit in a queue for a simple question.",
    ],
    "lead": [
        "Looking at getting {buy} from {co}. Anyone had good experiences? {tag}",
        "{h} do you do {buy}? would like a quote",
        "Fed up with {co} after they {you_prob}. Which {sw} should I switch to?",
        "thinking of switching from {co} to {comp} for {buy}. anything I should know before I sign?",
        "Recommendations for {buy}? Currently with {co} but open to anything. Budget {budget}.",
        "{h} how much would {buy} cost for us? happy to jump on a call",
        "[Recommendation] {buy}\n\nMy contract with {co} ends next month and I want to move. "
        "Who do people actually like? Budget is {budget}.",
        "Hi,\n\nWe're interested in {buy}. Could someone from your sales team contact me this "
        "week?\n\nKind regards,\n{name}",
        "Anyone tried {comp} for {buy}? Ready to sign up this week {tag}",
        "take my money {h}, where do I sign up for {buy}",
        "What's the best option for {buy}? budget is {budget}. currently leaning {comp}",
        "Ask HN: alternatives to {co} for {buy}?",
        "{comp} or {co} for {buy}? ordering this weekend, help me pick",
        "Upgrading soon - {h} can you DM me pricing for {buy}?",
    ],
    "idea": [
        "{h} you should {feat}",
        "Would love it if {co} would {feat}. {eg}",
        "Feature request for {co}: {feat}, please!",
        "wish {co} would {feat}, would make my life so much easier",
        "Love {co} but one thing: please {feat} {eg}",
        "Idea for {h}: {feat}. I'd pay extra for it tbh",
        "[Suggestion] {co} should {feat}\n\nLong-time user. Everything else is great, this is "
        "the one thing I keep wishing for. Upvote if you agree!",
        "Hello,\n\nA small suggestion: it would be great if you could {feat}. Happy to "
        "beta test.\n\nBest,\n{name}",
        "{co} PMs if you're reading: {feat}. that's it that's the post",
        "Any chance {co} could {feat}? would be a game changer {tag}",
        "Dear {h}, {feat}. Thank you for coming to my TED talk",
        "Small ask for {co}: {feat}. would make the {prod} perfect",
        "hot take: every {sw} should {feat}. {co} could be first {eg}",
    ],
    "other": [
        "{co} reports Q{q4} results: revenue up {n}% year on year {url}",
        "We're hiring! {co} is looking for a {job} in {city}. Apply here: {url} #jobs",
        "PSA: scam texts pretending to be from {co} are going around. Don't click the link, "
        "don't share codes.",
        "🔥 Earn $500/day from home!! DM me, nothing to do with {co} lol {url}",
        "{co} is sponsoring the {city} {event} this weekend {tag}",
        "{co} {prod} is fine. Does what it says. 3/5",
        "{co} names {name} {surname} as new chief executive {url}",
        "Planned maintenance: {co} {prod} will be unavailable Sunday 02:00-04:00 UTC. {url}",
        "Writing my dissertation on {co}'s brand strategy, fascinating stuff tbh",
        "${tick} down {n2}% premarket after {co} cut guidance",
        "Saw the new {co} billboard in {city} today. big purple letters. that's it, that's "
        "the observation",
        "Interesting write-up on how {co} scaled their {prod} team: {url}",
        "{co} to open a new office in {city}, creating {n}0 jobs {url}",
        "Overheard at the {city} {event}: two people arguing about whether {co} is pronounced "
        "with a long o. riveting",
        "{co} and {comp} announce merger talks, regulator review expected {url}",
    ],
}

# ---------------------------------------------------------------------------------------
# Hand-written posts, kept verbatim. Includes most hard boundary cases and the
# French/German/Spanish posts.
# ---------------------------------------------------------------------------------------
HAND_WRITTEN = {
    "complaint": [
        "great, another @tellio outage, love it. third one this week 🙃",
        "Is it normal for @northbank to take 11 days to 'process' a £40 refund or am I just special?",
        "Why does the Taskwell desktop app need 2GB of RAM to show me a to-do list",
        "@BluewingAir thanks for losing my bag AND my connecting flight. really going for the high score",
        "Anyone else's Rideo app charging twice for the same trip? asking for me, I'm the friend",
        "Brightwater Energy: estimated my bill at £612 for a one-bed flat. I read the meter every month. Every. Month.",
        "Reached the end of my rope with Shieldwise. Claim submitted in Feb, 'assessor will contact you within 5 days'. It's June.",
        "lmao @basketly delivered someone else's groceries to me and my groceries to someone else. at least we're both confused",
        "The new Notably update removed the one feature I used daily (nested pages in sidebar) with zero warning. Rolled back to the old version, which now refuses to sync.",
        "How hard is it to answer an email, @harborins? 6 weeks.",
        "Hostrise status page: 🟢 All systems operational\nMy site: 💀\nYour support: 🦗",
        "I have been charged a 'paper statement fee' by Fairway Bank despite turning paper statements off in 2019. Screenshot attached. Please refund.",
        "Vantel Mobile sold me an 'unlimited' plan and then throttled me to 1 Mbps after 30GB. Unlimited has a meaning, guys.",
        "Kinto Home delivered a wardrobe with no screws. Support said 'screws are sold separately'. For a wardrobe.",
        "Hi,\n\nThis is my fourth email about order #KH-20931. The sofa arrived with a broken leg on 3 May. I was promised a replacement leg within 7 days. Nothing has arrived and the chat just tells me to wait.\n\nPlease escalate this.\n\nMarta",
        "is it me or did FitLoop just put the heart-rate zones behind a paywall? I paid for the 'lifetime' plan in 2021 😐",
        "Pipefox support told me the bug is 'expected behaviour'. Deleting a contact also deletes the company it belongs to. Expected. By whom?",
        "Monzio froze my account 'for a routine review' the day before rent is due. Can't get a human. This is not ok.",
        "@AeroNord your 'flexible' fare costs €80 to change. what is flexible about it",
        "Ledgerly has been rounding VAT wrong on every invoice since the update. Our accountant found it, not you. Not a great look for accounting software.",
        "So CityGas sent an engineer to fix the boiler, engineer said it's fine, boiler is still not fine, and now I'm billed £95 for the visit. Wonderful.",
        "Reddit, am I crazy? Orbo's router puts ads in the admin page. On hardware I'm renting from them.",
        "Snapcart 'guaranteed fresh' strawberries arrived as strawberry soup",
        "Melodia randomly logged me out and my downloaded playlists are gone before a 12-hour flight. Perfect timing as always.",
        "Is Evergrid ever going to reply to my complaint or should I go straight to the ombudsman?",
        "Love how @kestrelcu's 'secure message' feature has a 2000-char limit and then times out before you can hit send.",
        "Day 9 with no broadband from SkyLink Fibre. I work from home. Tethering off my phone like it's 2009.",
        "been on hold with covera for 58 minutes and the hold music is one 8-second loop. i am losing my mind",
        "Marlow & Finch charged me for the 'free returns' they advertised. £4.95 is not free, and it's not on the returns page either.",
        "can someone explain why Taskwell's 'export all' gives me a zip with 0 bytes in it? I need my data out today",
        "Honest question: does anyone at Soleil Airways check the app before release? It booked me on the wrong date twice.",
        "The Greenmart self-checkout calls security on me every time I buy bananas. Every time.",
        "Not to be dramatic but the Northbank app update has made me mildly afraid of my own money. Can't find anything.",
        "Paid for Shieldwise breakdown cover, broke down, told it would be 7 hours. Got a taxi. Expect a refund request.",
        "Excellent job @rideo_app, driver took a 'scenic route' that cost me double. 5 stars for sightseeing I guess",
        "Quite disappointed. Ordered from Basketly for my mum's birthday, flowers arrived dead and the cake arrived the next day.",
        "[Support] Ledgerly bank feed disconnected for the 5th time this quarter. Each reconnect loses the last week of transactions. Anyone found a fix? Support has been useless.",
        "Encore une coupure chez @orbo_care ce matin, troisième fois cette semaine. Je télétravaille, c'est inadmissible.",
        "Ça fait un mois que j'attends le remboursement de mon vol annulé chez Soleil Airways. Personne ne répond au téléphone.",
        "Kinto Home m'a livré une table rayée et le service client me demande de payer le retour. Non merci.",
        "@FairwayBank Seit drei Tagen funktioniert die App nicht. Ich kann keine Überweisung machen. Was ist da los?!",
        "Vantel Mobile hat mir schon wieder 15 € für Roaming berechnet, obwohl ich in Deutschland war. Absolute Frechheit.",
        "Zweimal wurde das Paket von Basketly als 'zugestellt' markiert. Angekommen ist nichts.",
        "@BluewingAir perdieron mi maleta en Madrid y nadie me dice nada desde hace cinco días. Vergonzoso.",
        "Llevo dos horas esperando al técnico de SkyLink Fibre y ni una llamada. Tercera vez que me dejan plantado.",
        "Harbor Insurance me subió la prima un 60% sin ningún siniestro. ¿En serio?",
    ],
    "praise": [
        "this app is stupidly good. FitLoop, I don't know what you did with the new coach mode but I ran 10k today 🏃",
        "@northbank sorted a fraudulent transaction in literally 4 minutes in the chat. I was ready for a fight. No fight needed.",
        "Shout-out to the Bluewing Air crew on BW214 who found my kid's stuffed giraffe under a seat and brought it to the gate ❤️",
        "Hate to admit it but Taskwell is ridiculously, annoyingly good. My whole team actually uses it.",
        "Tellio engineer turned up early, fixed the line, explained what was wrong and tidied up after himself. Is this allowed?",
        "Ledgerly made my first tax return as a freelancer almost fun. Almost.",
        "Been with Kestrel Credit Union 12 years and they still call me by my name when I walk in. Rare these days.",
        "Hostrise migrated our 40 sites over a weekend and nothing broke. Nothing. I keep refreshing in disbelief.",
        "Greenmart's new store in Headingley is lovely. Staff helped my gran with her shopping all the way to the bus stop.",
        "Can't believe I'm saying this about an energy company, but Evergrid handled our power cut brilliantly. Texts every hour with real updates.",
        "Covera paid my windscreen claim before I'd even finished the form. OK I exaggerate, but 2 days. Impressive.",
        "Notably's offline mode saved my presentation on a train with no wifi. Love you, weird little note app",
        "Melodia's year-in-review is scarily accurate and I'm not even mad",
        "@soleilairways rebooked me on an earlier flight without me asking because of the strike. Home 3 hours early. Thank you!",
        "Just wanted to say that the Pipefox support team is excellent. Sam in support stayed on a call for an hour to help us debug a webhook issue that turned out to be our fault.",
        "Rideo driver noticed I'd left my phone in the car and drove back 10 minutes to return it. 5 stars is not enough",
        "honestly monzio's spending notifications have made me better with money than any app ever did",
        "Shieldwise renewal came in cheaper than last year. I checked three times. I'm genuinely shocked.",
        "Marlow & Finch quality is insane for the price. My coat from 2017 still looks new.",
        "The AeroNord lounge in Oslo is the nicest airport space I've ever been in. Waffles. Free waffles.",
        "Orbo's 5G in the middle of nowhere in Wales: 300 Mbps. I have no idea how. Zero complaints.",
        "Have been using Snapcart for a year now and never had a substitution that made no sense. Someone over there picks with care.",
        "Fairway Bank's mortgage advisor was patient, clear and didn't make me feel stupid for asking questions. Highly recommend.",
        "CityGas engineer today was fantastic - fixed the boiler, checked the radiators, and gave me tips to cut my bill. Thank you!",
        "Kinto Home customer service replaced my broken lamp with a better model. Didn't even ask for the old one back. Customer for life.",
        "The new Taskwell timeline view is 🔥🔥🔥",
        "Basketly delivery driver carried 6 bags up 4 flights of stairs in a heatwave with a smile. Give that man a raise.",
        "Not a fan of most banking apps but Northbank's redesign is actually thoughtful. Big buttons, clear balances, no nonsense.",
        "SkyLink Fibre install: booked Monday, installed Wednesday, 900 Mbps. I have nothing to complain about and it feels weird.",
        "Vantel Mobile roaming in the US worked seamlessly. No bill shock. Nice change.",
        "Harbor Insurance's claims handler called me back on her day off to update me. People like that make companies.",
        "Hacker News loves to hate on SaaS but Ledgerly has the best API docs I've used this year. Examples actually run.",
        "Brightwater's smart tariff saved us about £30 this month. Charging the car overnight is basically free.",
        "I want to publicly thank @kintohome for the smoothest kitchen delivery ever. On time, careful, friendly. Thank you!!",
        "Pretty sure @melodia_music's algorithm knows me better than my friends do. and I mean that as a compliment",
        "Merci @soleilairways pour l'équipage adorable sur le vol Nice-Paris, ma fille a adoré visiter le cockpit ✈️",
        "Franchement Ledgerly a changé ma vie de freelance. Factures envoyées en deux minutes. Je recommande à 100 %.",
        "Le service client de Fairway Bank m'a rappelé en moins de 5 minutes. Bluffant.",
        "Großes Lob an @tellio: Techniker pünktlich, freundlich und alles funktioniert. So muss das sein!",
        "Die neue FitLoop-App ist einfach genial. Ich trainiere seit drei Monaten jeden Tag.",
        "Ich hätte nie gedacht, dass ich das über eine Versicherung sage, aber Covera war super schnell und unkompliziert.",
        "Gracias @rideo_app, el conductor me ayudó con las maletas y fue súper amable. ¡Diez de diez!",
        "Me encanta Notably, por fin una app de notas que no me complica la vida 😍",
        "El nuevo horario de Greenmart abierto hasta las 23h es lo mejor que le ha pasado a mi barrio.",
    ],
    "question": [
        "@northbank how do I add a payee in the new app? can't see the button anywhere",
        "Does anyone know if Taskwell recurring tasks can skip weekends?",
        "Hey @BluewingAir, can I bring a small drone in my hand luggage to Lisbon?",
        "Quick one for Ledgerly users: does the Starter plan support multi-currency invoices?",
        "I forgot to cancel my FitLoop trial and got charged yesterday, totally my mistake. Is there any way to get a refund?",
        "How do I switch my Tellio bill from paper to email? Want to save a tree 🌳",
        "@harborins I'm moving house next month - do I need to tell you before or after I move?",
        "What's the difference between Pipefox 'Leads' and 'Contacts'? The docs use both words",
        "Is there a way to get Melodia to stop auto-playing similar songs after an album ends?",
        "I accidentally archived a whole Notably workspace. Is it gone forever or can I bring it back?",
        "Kinto Home: I placed two orders an hour apart, will they come in the same delivery?",
        "@soleilairways what time does the bag drop open for the 6am flight from Nice?",
        "Anyone know whether the Rideo app lets you book a ride for someone else? My mum doesn't have a smartphone.",
        "Can I pay my Brightwater bill with a credit card or only by direct debit?",
        "Hostrise question: if I upgrade from Basic to Pro mid-month, is it pro-rated?",
        "@orbo_care does my contract allow me to use the SIM in a tablet?",
        "Hi Covera, I've been asked for a 'policy schedule' by my landlord. Where do I download that?",
        "Does Greenmart click and collect have lockers at the Bristol Harbourside store?",
        "Typed my own IBAN wrong on a Kestrel CU transfer (oops). Can a transfer be recalled if it hasn't gone out yet?",
        "Hello,\n\nCould you confirm whether my Shieldwise home policy covers my bike when it's locked outside at work? Policy no. SW-448120.\n\nMany thanks,\nJonas",
        "For the Vantel folks: is wifi calling supported on Pixel phones?",
        "Ask HN: How does Ledgerly handle webhooks on their free tier? Any retry policy?",
        "@AeroNord can I upgrade with points on a ticket I bought through a travel agent?",
        "Are Marlow & Finch sizes UK or EU? The jeans I ordered say 38 and I have no idea what that means.",
        "Does Snapcart deliver to PO boxes?",
        "How long does a Monzio card take to arrive? Just opened my account.",
        "Is the Evergrid app the same login as the website?",
        "SkyLink Fibre customers: what DNS servers does the router use by default?",
        "Does anyone know how to export a Taskwell board to PDF for a client?",
        "@CityGas_help my dad passed away and the account was in his name. What do I need to do to move it to mine?",
        "Basketly: can I change my delivery slot after I've checked out?",
        "I'm a new Fairway Bank customer - what's the easiest way to move my direct debits over from my old bank?",
        "Does the FitLoop watch app track swimming lengths or just open water?",
        "If I pause my Melodia Premium, do I keep my downloads?",
        "@kestrelcu is the branch on Market Street open on Saturday mornings?",
        "Rideo question: what's the max number of stops you can add to a single trip?",
        "Comment je fais pour changer l'adresse de livraison sur ma commande Kinto Home ?",
        "@BluewingAir est-ce qu'on peut emporter une poussette en cabine pour un vol vers Rome ?",
        "Bonjour, je suis client Tellio Fibre : comment on redémarre la box TV à distance ?",
        "Weiß jemand, wie man bei Ledgerly die Rechnungsnummer anpasst?",
        "@northbank Kann ich meine Karte im Ausland ohne Gebühren nutzen? Ich fliege nächste Woche nach Thailand.",
        "Kurze Frage an Hostrise: Wo finde ich die SSH-Zugangsdaten?",
        "¿Alguien sabe si Snapcart entrega los domingos en Valencia?",
        "Hola @harborins, ¿cómo añado a mi hijo como conductor ocasional en la póliza?",
        "¿Cómo se descargan las facturas antiguas en la app de Evergrid?",
    ],
    "lead": [
        "fed up with Fairway Bank's fees, which bank should I switch to?",
        "Is Northbank's business account any good for a one-person Ltd? Looking to open one this month.",
        "Thinking of moving our 25-person team off spreadsheets. Taskwell vs Pipefox, what do people actually use?",
        "@tellio do you cover postcode LS6? want fibre asap",
        "Anyone recommend a good energy supplier in the UK right now? Our fixed deal ends in March.",
        "How much is Hostrise Pro for 10 sites? Your pricing page only goes up to 5.",
        "Our agency is shopping for a CRM. Must have Gmail sync and a decent API. Pipefox on the shortlist - any horror stories?",
        "Do Shieldwise do cover for classic cars? Want a quote for a 1972 Beetle.",
        "I'm ready to leave Orbo. Vantel or SkyLink for someone who games a lot?",
        "@ledgerly_app is there a discount for charities? We'd take 8 seats.",
        "Looking for a credit card with no foreign transaction fees - is the Monzio one worth it?",
        "Ask HN: what's the best self-hosted alternative to Notably for a 40-person company?",
        "Hi Kinto Home, we're fitting out a new office (about 30 desks). Do you offer trade pricing?",
        "Would love to get a quote for solar + battery from Brightwater. 3-bed semi, south-facing roof.",
        "Need travel insurance for a 6-month trip through South America, any recommendations? Covera looks cheap but idk",
        "My Melodia free trial ends tomorrow - is the family plan worth it for 4 people or should I go with Spotify?",
        "@AeroNord do you do group bookings? We're 18 people flying to Tromsø in February.",
        "Switching from iPhone to Android and want to get FitLoop Premium at the same time. Is the annual plan cheaper?",
        "Currently with CityGas and paying way too much. Is Evergrid actually cheaper or is it all marketing?",
        "We're a 3-person startup looking for accounting software that does UK VAT. Ledgerly or something else?",
        "@marlowfinch are you doing corporate gifting this year? Need 150 hampers for December.",
        "Does Snapcart have a business account for office snacks? We'd order weekly.",
        "Any Redditors on Harbor Insurance landlord cover? Buying my first rental and need a policy by the 14th.",
        "I keep hearing good things about Kestrel CU. How do I join if I don't live in the area?",
        "Considering upgrading from Taskwell Free to Business - anyone done it? Worth the jump?",
        "Tellio vs Orbo for a family of 5 with heavy streaming? Contract up next week.",
        "@rideo_app do you have corporate accounts? Our team of 60 takes a lot of airport rides.",
        "Is there a UK bank that's actually good for freelancers? Want to move away from my high-street one.",
        "Hey @hostrise what would it cost to move our WordPress multisite (~200k visits/mo) to you?",
        "Which airline has the best business class to Singapore these days? Booking for my parents' anniversary.",
        "Hello,\n\nI run a small bakery chain (4 shops) and we're looking for business insurance. Could Shieldwise send me a quote?\n\nThanks,\nOlu",
        "Tired of Vantel's signal in my flat. Which network has the best coverage in east Glasgow?",
        "Pipefox sales folks - is there a nonprofit discount? We'd sign up for the Team plan today.",
        "Thinking about getting the Northbank premium account for the travel insurance. Anyone have it? Worth £15/month?",
        "Is Greenmart's delivery pass worth it if I order about twice a month?",
        "Cherche une banque en ligne sans frais pour mon auto-entreprise. Monzio ou Fairway, des avis ?",
        "@tellio je déménage à Lyon le mois prochain, vous pouvez m'envoyer un devis pour la fibre ?",
        "On compare des CRM pour notre PME (15 personnes). Quelqu'un utilise Pipefox ?",
        "Wir suchen eine neue Hausratversicherung. Hat jemand Erfahrungen mit Harbor Insurance?",
        "@VantelMobile Was kostet ein Vertrag mit 4 Karten für die ganze Familie?",
        "Welcher Stromanbieter ist gerade am günstigsten? Unser Vertrag bei CityGas läuft aus.",
        "¿Qué banco me recomendáis para abrir una cuenta sin comisiones? Estoy harta del mío.",
        "Hola @hostrise, ¿tenéis planes para agencias? Queremos migrar unos 30 sitios.",
        "Estoy pensando en contratar FitLoop Premium anual, ¿merece la pena?",
    ],
    "idea": [
        "@northbank you should let us name our savings pots with emoji. that's it. that's the idea",
        "Wish Taskwell had a 'snooze until Monday' button. Would use it 40 times a week.",
        "Love Ledgerly, but please add a way to attach receipts from email directly. Forwarding address maybe?",
        "Bluewing Air should offer a kids' meal you can pre-order on short flights. Would pay for it tbh.",
        "Dear Tellio: an SMS when the engineer is 30 min away would change lives.",
        "Someone at Notably please build a Kanban view. I'd pay double for it. I'm begging.",
        "Feature request: Melodia should let you hide specific songs from your year-in-review. For... reasons.",
        "If Greenmart put a map of the aisles in the app I'd never wander around looking for capers again",
        "Pipefox would be perfect if deals could have custom stages per pipeline. Currently it's one set for everything.",
        "Why doesn't Rideo have a 'quiet ride' option yet? Some of us just want silence at 6am. (Love the app otherwise!)",
        "Idea for @soleilairways: let families with small kids board first by default instead of having to ask at the gate",
        "Hostrise should offer staging environments on the Basic plan, even a single one. Would make it a no-brainer for freelancers.",
        "FitLoop is great but a 'rest day' streak that doesn't break when I'm sick would be so much kinder",
        "Small request @kintohome: show the assembled dimensions AND the box dimensions on the product page. Stairs are a thing.",
        "Would it kill Evergrid to add a widget that shows today's price per kWh? Genuinely useful for EV people",
        "Modest proposal: Snapcart lets you say 'no substitutions for this item only'.",
        "Has anyone at Fairway Bank thought about a 'round up to charity' option? I'd switch it on immediately.",
        "Please @orbo_care, a data-usage widget for iOS. The app takes 12 taps to get there.",
        "Wishlist for the next Taskwell release: dependencies between tasks, time zones per assignee, and a proper dark mode",
        "Shieldwise: a little reminder 30 days before renewal with last year's price next to the new one would build so much trust",
        "Kestrel CU should really do a youth account with a debit card for 13+. My kid would love it and I'd sign her up the same day.",
        "Marlow & Finch, please bring back the navy wool coat. Same cut. I will buy three.",
        "Hey @ledgerly_app, what about a Slack integration that posts when an invoice is paid? Team would love the dopamine.",
        "Covera could offer a 'I barely drive' discount with a mileage photo each month. Would save me a fortune.",
        "Basketly idea: a 'leave with neighbour' option with the neighbour's flat number. Would save so many failed deliveries.",
        "AeroNord app should show how full the flight is before I pay for a seat. Just a thought.",
        "Could Notably maybe, possibly, add a word count to the status bar? Writers everywhere would rejoice",
        "Dear CityGas, a chatbot that can actually read my meter photo would be amazing",
        "Vantel please let us choose our own number when we get a new SIM, other networks do it",
        "Love the new Northbank app. One idea: let me reorder the accounts on the home screen. Savings first please!",
        "It'd be great if Melodia had a 'kids mode' profile that filters explicit lyrics without a separate account",
        "Harbor Insurance should let you pause car cover when the car's off the road for a few months. Would love that for winter.",
        "Suggestion for the Greenmart loyalty scheme: let points go to the local food bank if you want",
        "Pipefox + a proper Outlook add-in = I'd move our whole company over. Build it please",
        "Ask HN: would anyone else use a Hostrise CLI? Feels like the obvious missing piece of their platform",
        "Petite suggestion pour @tellio : afficher la consommation data en temps réel dans l'appli.",
        "Ce serait génial si Notably permettait de partager un carnet en lecture seule avec un lien.",
        "Kinto Home devrait proposer le montage des meubles en option à la livraison. Je paierais volontiers.",
        "Liebe @fitloop, bitte einen Modus fürs Krafttraining mit Sätzen und Wiederholungen einbauen!",
        "Es wäre toll, wenn Northbank Push-Benachrichtigungen für jede Lastschrift anbieten würde.",
        "Vorschlag an Taskwell: wiederkehrende Aufgaben mit flexiblen Intervallen wie 'jeden zweiten Dienstag'.",
        "Sería genial que @rideo_app permitiera dividir el pago entre varias personas.",
        "Ojalá Melodia tuviera letras sincronizadas en español para todas las canciones.",
        "Propuesta para Greenmart: una sección sin plásticos en todas las tiendas.",
    ],
    "other": [
        "Northbank to close 40 branches by end of year, union says 300 jobs at risk https://news.example.com/northbank-branches",
        "Heads up: fake 'Tellio refund' emails doing the rounds. Tellio will never ask for your card number by email.",
        "We're hiring a Senior Backend Engineer at Taskwell (remote EU). Python, Postgres, lots of async. DM me or apply: https://taskwell.example/jobs",
        "Remember when we all had a Bluewing Air calendar in the office in 2004. No? just me",
        "Ledgerly raises $40M Series B led by Orchard Ventures",
        "The Kinto Home catalogue arrived. It's 300 pages. Heavier than my cat.",
        "Anyone watching the Pipefox keynote stream? Starts in 10",
        "The AeroNord plane just flew over my house really low. Kinda cool tbh ✈️",
        "My dad insists on calling every energy company 'the gas board'. Brightwater included.",
        "🚨 FREE iPhone 15 🚨 just follow + RT, not affiliated with Orbo, Vantel or anyone, trust me bro",
        "Reading the Shieldwise annual report so you don't have to: combined ratio 94%, reserves up, nothing spicy.",
        "Greenmart opened at 8 today instead of 7 because of the bank holiday",
        "Notably is basically a notes app. It has notes. You write in it. It's fine.",
        "Weather warning: Evergrid says crews are on standby for the storm tonight. Stay safe everyone.",
        "Marlow & Finch x local artist collab drops Friday, apparently",
        "In 1998 SkyLink was just a cable TV company with 12 employees. Wild.",
        "Rideo is now available in Porto and Braga",
        "Fun fact: the Hostrise logo is a rising sun because the founders started it at 5am before their day jobs.",
        "Kestrel Credit Union AGM is next Thursday at the community hall, all members welcome",
        "Melodia Wrapped is out. Mine is 90% lo-fi beats to study to. no surprises.",
        "Used Monzio for the first time today. Did a transfer. It transferred. Ok.",
        "Soleil Airways flight SL402 diverted to Lyon due to weather, all passengers safe (per airport statement)",
        "Anyone else get the Covera ad where the dog drives the car? Been stuck in my head all week",
        "FitLoop's CEO on the podcast this week talking about wearables and privacy, decent listen",
        "CityGas prices regulated from 1 April, cap set by the regulator at £1,690 for a typical household",
        "Snapcart vs Basketly - which logo is greener? Discuss. (I don't care, I'm procrastinating)",
        "Crazy how many people at this conference are wearing Taskwell hoodies",
        "Harbor Insurance sponsoring the regatta this weekend, the boats have huge anchors on the sails",
        "Job alert: Greenmart Leeds looking for night shift stockers, £12.50/hr. Link in bio",
        "Thread on the history of airline loyalty programmes, starting with AeroNord's punch cards in the 80s 🧵",
        "Northbank's HQ lit up purple for the charity night. Pretty.",
        "Did a talk on migrating from monolith to services, used Ledgerly's public engineering blog as a case study. Slides: https://slides.example/ledgerly-talk",
        "Vantel Mobile and Orbo confirm network-sharing deal in rural areas",
        "Bought stuff from Kinto Home. It arrived. It's a chair. I'm sitting on it.",
        "lol my autocorrect turns 'Pipefox' into 'pipe fix' every time",
        "Don't forget: clocks go back tonight, and apparently so does the Rideo surge pricing 🕐",
        "Northbank annonce la fermeture de 12 agences en Île-de-France d'ici juin.",
        "Attention aux faux SMS au nom de Tellio qui demandent de payer une facture en retard. Ne cliquez pas.",
        "Offre d'emploi : Kinto Home recrute des conseillers de vente à Lyon. Postulez en ligne.",
        "Achtung: Betrüger rufen im Namen von Fairway Bank an und fragen nach TANs. Einfach auflegen.",
        "Ledgerly eröffnet ein Büro in Berlin und stellt 50 Leute ein.",
        "Heute war ich bei Greenmart. Es war ein Supermarkt. Mehr gibt es nicht zu sagen.",
        "Soleil Airways anuncia nuevas rutas a Sevilla y Bilbao a partir de mayo.",
        "Cuidado con los correos falsos de Harbor Insurance que piden datos bancarios.",
        "Oferta de empleo: Rideo busca conductores en Madrid. Más información en su web.",
    ],
}

# Very short posts and long Reddit/email-style posts, also hand-written.
for _label, _posts in {
    "complaint": [
        "@tellio down AGAIN??",
        "thanks @hostrise 🙃",
        "Northbank app. Broken. Again.",
        "Long post, sorry. I've banked with Fairway for 15 years. Last month my salary didn't "
        "arrive; Fairway had returned it to my employer as 'account details not recognised' "
        "because of their own migration. It took 9 calls, 2 branch visits and a complaint to get "
        "it re-sent, and meanwhile I was charged two late fees by my landlord and one by my "
        "credit card. Fairway refunded neither and offered me £25 'as a gesture'. I'm going to "
        "the ombudsman. Has anyone done that? How long did it take?",
    ],
    "praise": [
        "Taskwell ❤️",
        "ok @evergrid, nice one 👏",
        "Kinto delivery guys = legends",
        "I don't usually write reviews but here goes. My dad was in hospital abroad and his "
        "Covera travel policy was in my name by mistake. The team sorted the paperwork in a "
        "day, paid the hospital directly, and someone called me every evening to check in. "
        "I expected a fight with an insurer at the worst possible moment and got kindness "
        "instead. Thank you, truly.",
    ],
    "question": [
        "@northbank IBAN in app?",
        "does basketly deliver sundays",
        "Pipefox: how to undo a merge?",
        "Hi there,\n\nI've just moved into a flat where the previous tenant was with "
        "Brightwater. There's a smart meter but the in-home display is missing. Do I need to "
        "open a new account before I send you a reading, or can I just give you the reading "
        "and my details by email? Also, will the meter keep working without the display?\n\n"
        "Thanks,\nSanna",
    ],
    "lead": [
        "best bank for freelancers?",
        "@orbo_care fibre in BS3?",
        "Quote pls @shieldwise 🙏",
        "[Recommendation] CRM for a 12-person recruitment agency\n\nWe're on spreadsheets "
        "and a shared inbox and it's chaos. Need: Gmail/Outlook sync, a simple pipeline, "
        "reminders, and ideally something our recruiters will actually open. Looked at "
        "Pipefox and a couple of the big ones. Budget is maybe £25/user/month. What do "
        "people use and like? We want to decide by the end of the month.",
    ],
    "idea": [
        "Taskwell dark mode when",
        "@melodia_music sleep timer pls",
        "Ledgerly + Zapier = dream",
        "Suggestion for Greenmart, from someone who shops there three times a week: "
        "the app already knows what I buy. Could it build my list for me, sorted by the "
        "aisle order of my usual store, and let me tick things off as I go? Bonus points "
        "if it warns me when something on my list is out of stock before I leave home. "
        "I'd use that every single week.",
    ],
    "other": [
        "Tellio ad again lol",
        "AeroNord #AGM today",
        "Rideo now in Porto.",
        "Ask HN: Anyone here worked at Hostrise in the early days?\n\nI'm writing a piece "
        "on small European hosting companies that survived the 2010s and I keep hearing "
        "that their first data centre was a converted dairy barn. Would love to hear how it "
        "really started and what the engineering culture was like. Not looking for gossip, "
        "just history. Email in profile.",
    ],
}.items():
    HAND_WRITTEN[_label].extend(_posts)

# Non-English templates (French, German, Spanish) with their own small slot lists.
NON_EN = {
    "complaint": [
        "{h} toujours pas de réponse après {n} jours. {fr_prob}. Franchement nul.",
        "{h} seit {n} Tagen keine Antwort. {de_prob}. Unmöglich.",
        "{h} llevo {n} días sin respuesta. {es_prob}. Fatal.",
    ],
    "praise": [
        "Merci {h}, {fr_good}. Au top 👏",
        "Danke {h}, {de_good}. Top!",
        "Gracias {h}, {es_good}. ¡Genial!",
    ],
    "question": [
        "{h} petite question : {fr_q} ?",
        "{h} kurze Frage: {de_q}?",
        "{h} una pregunta: ¿{es_q}?",
    ],
    "lead": [
        "Je cherche {fr_buy}. {co} ou {comp}, vous conseillez quoi ?",
        "Ich suche {de_buy}. Lohnt sich {co} oder eher {comp}?",
        "Busco {es_buy}. ¿{co} o {comp}? Acepto recomendaciones.",
    ],
    "idea": [
        "Suggestion pour {h} : {fr_feat}. Ce serait top.",
        "Idee für {h}: {de_feat}. Das wäre super.",
        "Idea para {h}: {es_feat}. ¡Sería genial!",
    ],
    "other": [
        "{co} recrute à {city} : plusieurs postes ouverts. {url}",
        "{co} sucht Mitarbeiter in {city}. Bewerbung unter {url}",
        "{co} abre nuevas oficinas en {city}. {url}",
    ],
}
NON_EN_SLOTS = {
    "fr_prob": [
        "mon remboursement n'est toujours pas arrivé",
        "l'appli plante à chaque connexion",
        "on m'a facturé deux fois le même mois",
        "ma commande est bloquée depuis une semaine",
    ],
    "de_prob": [
        "meine Rückerstattung ist immer noch nicht da",
        "die App stürzt bei jedem Login ab",
        "mir wurde zweimal derselbe Betrag abgebucht",
        "meine Bestellung hängt seit einer Woche fest",
    ],
    "es_prob": [
        "mi reembolso sigue sin llegar",
        "la app se cierra cada vez que entro",
        "me han cobrado dos veces el mismo mes",
        "mi pedido lleva una semana atascado",
    ],
    "fr_good": [
        "problème réglé en dix minutes",
        "service client rapide et aimable",
        "livraison en avance",
    ],
    "de_good": [
        "Problem in zehn Minuten gelöst",
        "super freundlicher Kundenservice",
        "Lieferung sogar früher als geplant",
    ],
    "es_good": [
        "problema resuelto en diez minutos",
        "atención al cliente rápida y amable",
        "el pedido llegó antes de lo previsto",
    ],
    "fr_q": [
        "comment je change mon mot de passe",
        "où je trouve mes anciennes factures",
        "est-ce que je peux modifier ma date de prélèvement",
    ],
    "de_q": [
        "wie ändere ich mein Passwort",
        "wo finde ich meine alten Rechnungen",
        "kann ich das Abbuchungsdatum ändern",
    ],
    "es_q": [
        "cómo cambio mi contraseña",
        "dónde encuentro mis facturas antiguas",
        "puedo cambiar la fecha del cargo",
    ],
    "fr_buy": [
        "un nouvel opérateur pour la fibre",
        "une assurance habitation moins chère",
        "un outil de gestion de projet pour mon équipe",
    ],
    "de_buy": [
        "einen neuen Glasfaseranbieter",
        "eine günstigere Kfz-Versicherung",
        "ein Projektmanagement-Tool für mein Team",
    ],
    "es_buy": [
        "una nueva compañía de fibra",
        "un seguro de hogar más barato",
        "una herramienta de gestión de proyectos para mi equipo",
    ],
    "fr_feat": [
        "un mode sombre dans l'appli",
        "des notifications avant chaque prélèvement",
        "un suivi de livraison en temps réel",
    ],
    "de_feat": [
        "einen Dunkelmodus in der App",
        "Benachrichtigungen vor jeder Abbuchung",
        "eine Sendungsverfolgung in Echtzeit",
    ],
    "es_feat": [
        "un modo oscuro en la app",
        "avisos antes de cada cargo",
        "seguimiento del pedido en tiempo real",
    ],
}

# ---------------------------------------------------------------------------------------
# Generation
# ---------------------------------------------------------------------------------------
SURNAMES = ["Okafor", "Lindqvist", "Moreau", "Patel", "García", "Novak", "Brennan", "Weber"]
NON_EN_TEMPLATED_PER_LABEL = 5
NEAR_DUP_JACCARD = 0.6


def words(text: str) -> frozenset:
    return frozenset(re.findall(r"\w+", text.lower()))


def jaccard(a: frozenset, b: frozenset) -> float:
    return len(a & b) / max(1, len(a | b))


def typo(rng: random.Random, text: str) -> str:
    """Swap two inner letters of one longer word, like a fast thumb would."""
    cands = list(re.finditer(r"[A-Za-z]{6,}", text))
    if not cands:
        return text
    m = rng.choice(cands)
    w = m.group(0)
    i = rng.randrange(1, len(w) - 2)
    w2 = w[:i] + w[i + 1] + w[i] + w[i + 2 :]
    return text[: m.start()] + w2 + text[m.end() :]


def slots(rng: random.Random, sector: str) -> dict:
    sec = SECTORS[sector]
    (co, h), (comp, _) = rng.sample(sec["companies"], 2)
    prob = rng.choice(sec["problem"])
    good = rng.choice(sec["good"])
    q = rng.choice(sec["question"])
    name = rng.choice(NAMES)
    s = {
        "co": co,
        "h": h,
        "comp": comp,
        "prod": rng.choice(sec["product"]),
        "prob": prob,
        "you_prob": you_form(prob),
        "good": good,
        "you_good": you_form(good),
        "q": q,
        "Q": q[0].upper() + q[1:],
        "buy": rng.choice(sec["buy"]),
        "feat": rng.choice(sec["feature"]),
        "tag": rng.choice(sec["tags"]),
        "url": f"https://{slug(co)}.example/{rng.choice(['news', 'careers', 'blog', 'p'])}/"
        f"{rng.randrange(1000, 99999)}",
        "name": name,
        "surname": rng.choice(SURNAMES),
        "city": rng.choice(CITIES),
        "job": rng.choice(JOBS),
        "event": rng.choice(EVENTS),
        "n": rng.randrange(2, 19),
        "n2": rng.randrange(2, 9),
        "q4": rng.randrange(1, 5),
        "tick": slug(co)[:4].upper(),
        "eb": rng.choice(EMO_BAD),
        "eg": rng.choice(EMO_GOOD),
        "eq": rng.choice(EMO_Q),
        "angry": rng.choice(ANGRY),
        "fail": rng.choice(CONTACT_FAIL),
        "rec": rng.choice(RECOMMEND),
        "self": rng.choice(SELF_ERR),
        "sw": SECTOR_WORD[sector],
        "budget": rng.choice(BUDGET),
        "acct": rng.randrange(10_000_000, 99_999_999),
    }
    s["fail_lc"] = s["fail"][0].lower() + s["fail"][1:]
    for k, v in NON_EN_SLOTS.items():
        s[k] = rng.choice(v)
    return s


def fill(rng: random.Random, template: str) -> str:
    text = template.format(**slots(rng, rng.choice(sorted(SECTORS))))
    text = re.sub(r"[ \t]+", " ", text).strip()
    text = re.sub(r" ([.,!?])", r"\1", text)
    return text


def build(seed: int = SEED, per_label: int = PER_LABEL) -> list[tuple[str, str, str]]:
    """Return rows (text, label, source) with source 'hand' or 'template'."""
    rng = random.Random(seed)
    rows: list[tuple[str, str, str]] = []
    seen_text: set[str] = set()
    for label in LABELS:
        kept: list[frozenset] = []

        def accept(
            text: str, source: str, kept: list[frozenset] = kept, label: str = label
        ) -> bool:
            key = text.strip().lower()
            ws = words(text)
            if key in seen_text:
                return False
            if source == "template" and any(jaccard(ws, k) >= NEAR_DUP_JACCARD for k in kept):
                return False
            seen_text.add(key)
            kept.append(ws)
            rows.append((text, label, source))
            return True

        for text in HAND_WRITTEN[label]:
            if not accept(text, "hand"):
                raise ValueError(f"duplicate hand-written post: {text!r}")
        n_label = len(HAND_WRITTEN[label])
        non_en, tries = 0, 0
        while non_en < NON_EN_TEMPLATED_PER_LABEL and tries < 2000:
            tries += 1
            if accept(fill(rng, rng.choice(NON_EN[label])), "template"):
                non_en += 1
        n_label += non_en
        templates = TEMPLATES[label]
        tries = 0
        while n_label < per_label:
            tries += 1
            if tries > 50_000:
                raise RuntimeError(f"could not fill {label}: {n_label}/{per_label}")
            # round-robin over templates so every template gets used about equally
            text = fill(rng, templates[tries % len(templates)])
            r = rng.random()
            if r < 0.12:
                text = typo(rng, text)
            elif r < 0.22 and "\n" not in text:
                text = text.lower()
            if accept(text, "template"):
                n_label += 1
    return rows


def to_csv(rows) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    w.writerow(["text", "label"])
    for text, label, _ in rows:
        w.writerow([text, label])
    return buf.getvalue()


def stats(rows) -> str:
    by = Counter((label, src) for _, label, src in rows)
    lines = [f"{'label':<10} {'hand':>5} {'templ':>6} {'total':>6}"]
    for label in LABELS:
        h, t = by[(label, "hand")], by[(label, "template")]
        lines.append(f"{label:<10} {h:>5} {t:>6} {h + t:>6}")
    h = sum(v for (_, s), v in by.items() if s == "hand")
    lines.append(f"{'all':<10} {h:>5} {len(rows) - h:>6} {len(rows):>6}")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument(
        "--check", action="store_true", help="rebuild in memory and fail if intents.csv differs"
    )
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    rows = build()
    text = to_csv(rows)
    if args.check:
        same = args.out.exists() and args.out.read_text(encoding="utf-8") == text
        print(stats(rows))
        print("intents.csv is up to date" if same else "intents.csv differs from the generator")
        return 0 if same else 1
    args.out.write_text(text, encoding="utf-8")
    print(stats(rows))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
