"""Listening in the demo workspace: Acme Bank's queries, a source per network, and a replay.

The replay source streams a few thousand posts written for the demo (complaints, praise,
questions, leads, ideas and chatter about Acme Bank and its competitors, in several languages),
each in its network's real payload format and parsed by that network's connector where one
exists. `load` stores the first posts at once, back-dated over the last two weeks so the charts
have history, then `replay_demo_posts` receives the rest a small batch at a time, stamped with
the current time, so the Listening page comes alive in the first minutes after `make run`.
A few ideas customers posted on Mastodon (`IDEA_POSTS`) are stored with the first posts, for the
ideas demo.

Its progress lives in the replay source's cursor, so loading the demo again duplicates nothing
and never restarts a replay that is running or finished.
"""

import logging
import random
import uuid
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.html import escape
from django_tasks import task

from rapport.connectors.base import Author, Batch, NormalisedPost, Reject
from rapport.connectors.registry import connector_class
from rapport.core.models import Membership, Workspace
from rapport.listening import actions
from rapport.listening.ingest import receive
from rapport.listening.models import ListeningQuery, Source

logger = logging.getLogger(__name__)

TOTAL_POSTS = 3_000
BACKLOG = 300  # stored at once, over the past BACKLOG_DAYS
BACKLOG_DAYS = 14
REPLAY_BATCH = 20
REPLAY_EVERY = timedelta(seconds=3)
STALLED_AFTER = timedelta(minutes=2)  # no step for this long: the next `rapport demo` resumes
REPLAY_SOURCE = "Demo replay"
SEED = 20260101

QUERIES = [
    ("Acme Bank", "brand", '"acme bank" OR @acmebank OR #acmebank'),
    (
        "Acme mortgages",
        "product",
        "(acme OR @acmebank OR #acmebank) (mortgage OR mortgages OR remortgage OR hypothèque)",
    ),
    (
        "Acme mobile app",
        "product",
        '(acme OR @acmebank OR #acmebank) (app OR "mobile app" OR login OR banking-app)',
    ),
    ("Acme savings", "product", "(acme OR @acmebank OR #acmebank) (savings OR isa OR interest)"),
    ("Globex Bank", "competitor", '"globex bank" OR @globexbank OR #globexbank'),
    ("Initech Credit Union", "competitor", '"initech credit union" OR @initechcu OR initech'),
    ("CEO Dana Whitfield", "person", '"dana whitfield" OR @danawhitfield'),
    ("Home Start campaign", "campaign", '#acmehomestart OR "home start"'),
]

SOURCES: list[dict[str, Any]] = [
    {
        "name": "Mastodon #acmebank",
        "connector": "mastodon",
        "config": {"instance_url": "https://mastodon.social", "hashtags": ["acmebank"]},
        "status": "paused",
    },
    {
        "name": "Bluesky search",
        "connector": "bluesky",
        "config": {"queries": ["acme bank"]},
        "status": "paused",
    },
    {
        "name": "Reddit r/personalfinance",
        "connector": "reddit",
        "config": {"subreddits": ["personalfinance"], "queries": ["acme bank"]},
        "status": "paused",
        "last_error": "Reddit refused the credentials: 401 Unauthorized (invalid client id). "
        "Paused after 5 failed polls; an admin must update the credentials.",
        "failures": 5,
    },
    {
        "name": "X search",
        "connector": "x",
        "config": {"query": '"acme bank" OR @acmebank'},
        "status": "paused",
    },
    {
        "name": "Hacker News",
        "connector": "hackernews",
        "config": {"query": "acme bank"},
        "status": "paused",
    },
    {
        "name": "Acme blog comments",
        "connector": "rss",
        "config": {"url": "https://blog.acme.example/comments/feed/"},
        "status": "paused",
    },
]

# ---- what people say -------------------------------------------------------------------------

BRAND = ["Acme Bank", "@acmebank", "#AcmeBank", "acme bank", "Acme Bank", "@acmebank"]
COMPETITOR = ["Globex Bank", "@globexbank", "Initech Credit Union", "@initechcu", "#GlobexBank"]
PRODUCT = {
    "mortgage": ["mortgage", "remortgage", "mortgage offer", "mortgage payment"],
    "app": ["app", "mobile app", "banking app", "app login"],
    "savings": ["savings account", "savings rate", "ISA", "interest rate"],
    "card": ["debit card", "credit card", "contactless card"],
    "transfer": ["international transfer", "wire transfer", "standing order"],
}
CITIES = ["Leeds", "Bristol", "Manchester", "Glasgow", "Cardiff", "Norwich", "York", "Brighton"]
DAYS = ["two days", "a week", "three weeks", "since Monday", "48 hours", "ten days"]
AMOUNTS = ["£35", "£120", "£1,400", "£60", "€250", "£9.99", "£2,000"]

EN: dict[str, list[str]] = {
    "complaint": [
        "{brand} your {product} has been broken for {days}. Nobody answers the phone. Fix it.",
        "Still waiting on {brand} to refund the {amount} you charged me twice. {days} now.",
        "The {product} crashed again in the middle of paying rent. Seriously {brand}?",
        "Three calls, three different answers about my {product}. {brand} get it together.",
        "{brand} closed the {city} branch and now the queue at the next one is 40 minutes.",
        "Locked out of the {product} after the update. {brand} support says 'try again later'.",
        "My {product} was declined abroad even though I told {brand} I was travelling. Stranded.",
        "Hidden fee of {amount} on my {product} statement. Nobody at {brand} can explain it.",
    ],
    "praise": [
        "Shout-out to {brand} in {city}: sorted my {product} in ten minutes. Great service!",
        "Honestly the new {product} from {brand} is brilliant. Fast and clear. Love it.",
        "{brand} waived a {amount} fee without me even asking. Thank you, that made my week.",
        "Switched to {brand} last month and the {product} just works. Best decision this year.",
        "The {brand} team stayed late to finish our {product} paperwork. Amazing people.",
        "Credit where due: {brand} fixed my {product} problem the same day. Impressed.",
    ],
    "question": [
        "Does anyone know if {brand} lets you pay off the {product} early without a fee?",
        "{brand} how long does a {product} usually take to set up?",
        "Is the {brand} {product} available for people who are self-employed?",
        "Can I change the date of my {product} in the {brand} app or do I have to call?",
        "Anyone compared the {product} at {brand} with {competitor}? Which is better?",
    ],
    "lead": [
        "Looking for a new {product}. Thinking about {brand}, can someone from sales contact me?",
        "Small business in {city} looking to move our accounts. {brand} what can you offer?",
        "First-time buyer in {city}, need a {product} in the next month. {brand} DM me?",
        "Ready to leave {competitor}. {brand} what's your best {product} for families?",
    ],
    "idea": [
        "Idea for {brand}: let us round up card payments into the {product}. Would use it daily.",
        "{brand} please add dark mode and spending categories to the {product}!",
        "Would be great if {brand} showed the {product} balance on the lock screen widget.",
        "Feature request {brand}: split bills with friends straight from the {product}.",
    ],
    "other": [
        "Walked past the new {brand} office in {city} today, looks nice.",
        "{brand} sponsoring the {city} marathon again this year.",
        "Interesting read on how {brand} and {competitor} price a {product}.",
        "Bank holiday Monday and I am finally sorting my finances. Wish me luck.",
        "Podcast today: interest rates, the housing market and what banks like {brand} do next.",
    ],
}
COMPETITOR_TEXTS = [
    "{competitor} app down again this morning. Can't see my balance at all.",
    "Really happy with my {product} at {competitor}, switched last year.",
    "{competitor} just raised the {product} by half a percent. Not impressed.",
    "Does {competitor} charge for an {product}? Their website is impossible.",
    "Queue at {competitor} in {city} is out the door. Again.",
    "{competitor} customer service was friendly and quick today, fair play.",
]
CEO_TEXTS = [
    "Great keynote from Dana Whitfield of {brand} on fair lending at the {city} fintech forum.",
    "@danawhitfield when will {brand} fix the {product}? Customers are waiting.",
    "Interview with Dana Whitfield: {brand} will open two branches in {city}.",
]
CAMPAIGN_TEXTS = [
    "Just got the keys! Thanks {brand} #AcmeHomeStart for the first-time buyer {product}.",
    "Seen the #AcmeHomeStart ads everywhere in {city}. Is the Home Start deal actually good?",
    "#AcmeHomeStart cashback on a {product}? Sounds too good, what's the catch {brand}?",
]
OTHER_LANGUAGES: dict[str, list[str]] = {
    "fr": [
        "L'appli {brand} ne marche plus depuis {days_fr}. Service client injoignable.",
        "Merci {brand}, mon dossier de prêt immobilier a été traité très vite !",
        "Quelqu'un sait si {brand} propose une hypothèque pour les indépendants ?",
    ],
    "de": [
        "Die {brand} App stürzt ständig ab. Seit Tagen kann ich keine Überweisung machen.",
        "Sehr zufrieden mit {brand}, die Beratung zur Baufinanzierung war top.",
        "Weiß jemand, ob {brand} Gebühren für Auslandsüberweisungen verlangt?",
    ],
    "es": [
        "La app de {brand} no funciona otra vez. Qué desastre de servicio.",
        "Gracias {brand}, me resolvieron el problema con la tarjeta en cinco minutos.",
        "¿Alguien sabe si {brand} tiene cuentas de ahorro para estudiantes?",
    ],
    "nl": [
        "De app van {brand} werkt al de hele dag niet. Slecht!",
        "Top service van {brand} vandaag, hypotheek binnen een week geregeld.",
    ],
}
FIRST = [
    "Alex",
    "Sam",
    "Jordan",
    "Priya",
    "Tom",
    "Chloe",
    "Ben",
    "Aisha",
    "Liam",
    "Mia",
    "Noah",
    "Zara",
    "Ollie",
    "Ruth",
    "Kwame",
    "Ines",
    "Marco",
    "Yuki",
    "Fatima",
    "Lukas",
    "Sofia",
    "Dev",
    "Hannah",
    "Omar",
    "Grace",
    "Finn",
    "Leila",
    "Rhys",
    "Emma",
    "Joe",
]
LAST = [
    "Smith",
    "Patel",
    "Jones",
    "Khan",
    "Brown",
    "Garcia",
    "Müller",
    "Dubois",
    "Rossi",
    "Okafor",
    "Nguyen",
    "Kowalski",
    "Evans",
    "Hughes",
    "Silva",
    "Ahmed",
    "Lee",
    "Walsh",
    "Moreau",
    "Berg",
]
OUTLETS = [
    ("thefinancewire", "The Finance Wire", 480_000),
    ("moneydesk_uk", "Money Desk UK", 215_000),
    ("fintechdaily", "Fintech Daily", 132_000),
    ("homebuyerhq", "Homebuyer HQ", 64_000),
]
NETWORKS = ["mastodon", "bluesky", "reddit", "x", "hackernews"]
NETWORK_WEIGHTS = [22, 22, 18, 30, 8]

#: Ideas customers posted on Mastodon in their own words, stored with the backlog. The ideas demo
#: (`rapport.demo.ideas`) turns some into ideas or votes and leaves one for a colleague to turn
#: into an idea. (handle, name, followers, days ago, text)
IDEA_POSTS = [
    (
        "hollyfinch",
        "Holly Finch",
        310,
        68,
        "@acmebank please let me freeze and unfreeze my debit card in the app instead of "
        "phoning. Lost it down the sofa twice this year and had to cancel it both times 🙃 "
        "#AcmeBank",
    ),
    (
        "tomasz_wrobel",
        "Tomasz Wróbel",
        95,
        61,
        "@acmebank please add a card freeze button to the app! Had to ring you at 2am when I "
        "thought my card was stolen. It was in my coat.",
    ),
    (
        "dev_oyelaran",
        "Dev Oyelaran",
        540,
        40,
        "Feature request for @acmebank: round up every card payment to the next pound and put "
        "the change in my savings account. Would use it every day.",
    ),
    (
        "marguerite_duval",
        "Marguerite Duval",
        180,
        20,
        "Would be great if @acmebank warned me in the app the day before a direct debit is "
        "going to bounce, not with a letter a week later. #AcmeBank",
    ),
    (
        "keziah_mensah",
        "Keziah Mensah",
        230,
        9,
        "Please @acmebank add round-ups into savings, every other banking app has them now. "
        "#AcmeBank",
    ),
    (
        "rosa_pennington",
        "Rosa Pennington",
        410,
        2,
        "Idea for @acmebank: a switch in the app that blocks gambling payments on my debit "
        "card, with a 48-hour wait before I can turn it off again. Other banks have it, "
        "please add it!",
    ),
]
IDEA_POST_INDEX = 100_000  # after the replay's posts, so their ids are their own


# What a connector could not read, so the source health page shows its quarantine.
QUARANTINED = [
    Reject(
        reason="status has no id",
        raw=b'{"id": null, "content": "<p>Acme <script>alert(1)</script> bank</p>"}',
    ),
    Reject(reason="Mastodon sent malformed JSON: Expecting value: line 1", raw=b"<html>502 Bad"),
]


@dataclass(frozen=True)
class Person:
    handle: str
    name: str
    reach: int
    external_id: str


@dataclass(frozen=True)
class DemoPost:
    index: int
    network: str
    text: str
    language: str
    author: Person
    created_at: datetime
    title: str = ""
    likes: int = 0


def _people(rng: random.Random) -> list[Person]:
    people = []
    for i in range(160):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        handle = f"{first.lower()}{last.lower().replace('ü', 'u')}{rng.randint(1, 99)}"
        reach = int(rng.lognormvariate(5.5, 1.6))
        people.append(Person(handle, f"{first} {last}", reach, f"demo-{i}"))
    # A few names that test how the page escapes what people write about themselves.
    people.append(Person("angle_brackets", "<b>Not bold</b> & <i>not italic</i>", 120, "demo-x1"))
    for handle, name, reach in OUTLETS:
        people.append(Person(handle, name, reach, f"demo-{handle}"))
    return people


def _fill(template: str, rng: random.Random, topic: str) -> str:
    product = rng.choice(PRODUCT[topic])
    return template.format(
        brand=rng.choice(BRAND),
        competitor=rng.choice(COMPETITOR),
        product=product,
        city=rng.choice(CITIES),
        days=rng.choice(DAYS),
        days_fr=rng.choice(["deux jours", "lundi", "une semaine"]),
        amount=rng.choice(AMOUNTS),
    )


def _text(rng: random.Random) -> tuple[str, str]:
    topic = rng.choice(list(PRODUCT))
    roll = rng.random()
    if roll < 0.08:
        lang = rng.choice(list(OTHER_LANGUAGES))
        return _fill(rng.choice(OTHER_LANGUAGES[lang]), rng, topic), lang
    if roll < 0.30:
        return _fill(rng.choice(COMPETITOR_TEXTS), rng, topic), "en"
    if roll < 0.34:
        return _fill(rng.choice(CEO_TEXTS), rng, topic), "en"
    if roll < 0.40:
        return _fill(rng.choice(CAMPAIGN_TEXTS), rng, "mortgage"), "en"
    intent = rng.choices(list(EN), weights=[30, 18, 20, 8, 8, 16])[0]
    text = _fill(rng.choice(EN[intent]), rng, topic)
    if rng.random() < 0.7:  # the little things that make posts differ from each other
        text += rng.choice(
            [
                " So frustrating.",
                " Well done!",
                " Anyone else?",
                " #money",
                " Please help.",
                " 😡",
                " 🙏",
                " #banking",
                " Thanks in advance.",
                " (third time this month)",
                " 👏",
                " Any ideas?",
                " #fintech",
                " ugh.",
                " Cheers!",
            ]
        )
    return text, "en"


def demo_posts() -> list[DemoPost]:
    """The replay's posts, the same every time (a seeded generator)."""
    rng = random.Random(SEED)  # noqa: S311 - demo text, not secrets
    people = _people(rng)
    epoch = datetime(2026, 1, 1, tzinfo=UTC)
    posts = []
    for i in range(TOTAL_POSTS):
        text, language = _text(rng)
        network = rng.choices(NETWORKS, weights=NETWORK_WEIGHTS)[0]
        author = rng.choice(people) if rng.random() > 0.05 else rng.choice(people[-len(OUTLETS) :])
        title = ""
        if network == "reddit" and rng.random() < 0.4:
            title = text.split(".")[0][:90]
        posts.append(
            DemoPost(
                index=i,
                network=network,
                text=text,
                language=language,
                author=author,
                created_at=epoch + timedelta(seconds=i),
                title=title,
                likes=int(rng.expovariate(0.2)),
            )
        )
    return posts


def idea_posts(now: datetime) -> list[tuple[DemoPost, datetime]]:
    """IDEA_POSTS as Mastodon statuses, with the time each was posted."""
    stamped = []
    for i, (handle, name, reach, days, text) in enumerate(IDEA_POSTS):
        author = Person(handle, name, reach, f"demo-idea-{i}")
        at = now - timedelta(days=days, hours=3 + i)
        stamped.append(
            (DemoPost(IDEA_POST_INDEX + i, "mastodon", text, "en", author, at, likes=4 + i), at)
        )
    return stamped


def idea_post_id(i: int) -> str:
    """The Mastodon id of IDEA_POSTS[i]."""
    return mastodon_status_id(IDEA_POST_INDEX + i)


# ---- each network's payload format ----------------------------------------------------------


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _html(text: str) -> str:
    return "<p>" + escape(text).replace("\n", "<br>") + "</p>"


def mastodon_status_id(index: int) -> str:
    return str(110_000_000_000_000_000 + index)


def mastodon_status(p: DemoPost, at: datetime) -> dict[str, Any]:
    sid = mastodon_status_id(p.index)
    account = f"https://mastodon.social/users/{p.author.handle}"
    return {
        "id": sid,
        "created_at": _iso(at),
        "in_reply_to_id": None,
        "in_reply_to_account_id": None,
        "sensitive": False,
        "spoiler_text": "",
        "visibility": "public",
        "language": p.language,
        "uri": f"{account}/statuses/{sid}",
        "url": f"https://mastodon.social/@{p.author.handle}/{sid}",
        "replies_count": 0,
        "reblogs_count": p.likes // 4,
        "favourites_count": p.likes,
        "edited_at": None,
        "content": _html(p.text),
        "reblog": None,
        "account": {
            "id": str(900_000 + zlib.crc32(p.author.external_id.encode()) % 100_000),
            "username": p.author.handle,
            "acct": p.author.handle,
            "display_name": p.author.name,
            "url": f"https://mastodon.social/@{p.author.handle}",
            "uri": account,
            "followers_count": p.author.reach,
            "bot": False,
        },
        "media_attachments": [],
        "mentions": [],
        "tags": [],
    }


def bluesky_post(p: DemoPost, at: datetime) -> dict[str, Any]:
    did = f"did:plc:demo{p.author.external_id.replace('-', '')}"
    rkey = f"3ldemo{p.index:07d}"
    return {
        "uri": f"at://{did}/app.bsky.feed.post/{rkey}",
        "cid": f"bafyreidemo{p.index:07d}",
        "author": {
            "did": did,
            "handle": f"{p.author.handle}.bsky.social",
            "displayName": p.author.name,
            "followersCount": p.author.reach,
        },
        "record": {
            "$type": "app.bsky.feed.post",
            "text": p.text,
            "createdAt": _iso(at),
            "langs": [p.language],
        },
        "indexedAt": _iso(at),
        "likeCount": p.likes,
        "repostCount": p.likes // 5,
        "replyCount": 0,
    }


def reddit_thing(p: DemoPost, at: datetime) -> dict[str, Any]:
    pid = f"demo{p.index:05d}"
    kind = "t3" if p.title else "t1"
    data: dict[str, Any] = {
        "id": pid,
        "name": f"{kind}_{pid}",
        "author": p.author.handle,
        "author_fullname": f"t2_{p.author.external_id}",
        "created_utc": at.timestamp(),
        "subreddit": "personalfinance",
        "permalink": f"/r/personalfinance/comments/{pid}/",
        "score": p.likes,
    }
    if p.title:
        data.update(title=p.title, selftext=p.text, num_comments=p.likes // 3)
    else:
        data.update(body=p.text, link_id="t3_demothread", parent_id="t3_demothread")
    return {"kind": kind, "data": data}


def x_tweet(p: DemoPost, at: datetime) -> tuple[dict[str, Any], dict[str, Any]]:
    tweet = {
        "id": str(1_870_000_000_000_000_000 + p.index),
        "text": p.text,
        "author_id": p.author.external_id,
        "created_at": _iso(at),
        "lang": p.language,
        "public_metrics": {
            "like_count": p.likes,
            "retweet_count": p.likes // 6,
            "reply_count": 0,
            "quote_count": 0,
        },
    }
    user = {
        "id": p.author.external_id,
        "username": p.author.handle,
        "name": p.author.name,
        "verified": p.author.reach > 100_000,
        "public_metrics": {"followers_count": p.author.reach},
    }
    return tweet, user


def hackernews_hit(p: DemoPost, at: datetime) -> dict[str, Any]:
    oid = str(42_000_000 + p.index)
    return {
        "objectID": oid,
        "author": p.author.handle,
        "comment_text": _html(p.text),
        "created_at": _iso(at),
        "created_at_i": int(at.timestamp()),
        "parent_id": 41_999_999,
        "story_id": 41_999_999,
        "story_title": "Ask HN: Which UK bank has the least bad API?",
        "points": None,
        "_tags": ["comment", f"author_{p.author.handle}", "story_41999999"],
    }


def _payload(network: str, posts: list[tuple[DemoPost, datetime]]) -> Any:
    if network == "mastodon":
        return [mastodon_status(p, at) for p, at in posts]
    if network == "bluesky":
        return {"posts": [bluesky_post(p, at) for p, at in posts]}
    if network == "reddit":
        return {"kind": "Listing", "data": {"children": [reddit_thing(p, at) for p, at in posts]}}
    if network == "x":
        pairs = [x_tweet(p, at) for p, at in posts]
        users = {u["id"]: u for _, u in pairs}
        return {"data": [t for t, _ in pairs], "includes": {"users": list(users.values())}}
    return {"hits": [hackernews_hit(p, at) for p, at in posts]}


def _direct(network: str, p: DemoPost, at: datetime) -> NormalisedPost:
    """The post as the network's connector would hand it over, for networks without one yet."""
    raw: Any
    if network == "bluesky":
        raw = bluesky_post(p, at)
        rkey = raw["uri"].rsplit("/", 1)[1]
        external_id = raw["uri"]
        url = f"https://bsky.app/profile/{raw['author']['handle']}/post/{rkey}"
        handle = raw["author"]["handle"]
    elif network == "reddit":
        raw = reddit_thing(p, at)
        external_id = raw["data"]["name"]
        url = "https://www.reddit.com" + raw["data"]["permalink"]
        handle = p.author.handle
    elif network == "x":
        raw, _ = x_tweet(p, at)
        external_id, handle = raw["id"], p.author.handle
        url = f"https://x.com/{handle}/status/{external_id}"
    elif network == "mastodon":
        raw = mastodon_status(p, at)
        external_id, url, handle = raw["id"], raw["url"], f"{p.author.handle}@mastodon.social"
    else:
        raw = hackernews_hit(p, at)
        external_id, handle = raw["objectID"], p.author.handle
        url = f"https://news.ycombinator.com/item?id={external_id}"
    return NormalisedPost(
        network=network,
        external_id=external_id,
        text=p.text,
        title=p.title,
        author=Author(
            external_id=f"{network}:{p.author.external_id}",
            handle=handle,
            display_name=p.author.name,
            reach=p.author.reach if network != "hackernews" else 0,
        ),
        created_at=at,
        url=url,
        language=p.language,
        metrics={"likes": p.likes},
        raw=raw,
    )


def _parser(network: str) -> Callable[[Any], Batch] | None:
    """The connector's `parse` where the network has a connector that can parse, else None."""
    try:
        return connector_class(network)().parse
    except (ImportError, KeyError, ValueError):  # no connector for this network yet
        return None


def to_batch(posts: list[tuple[DemoPost, datetime]]) -> Batch:
    """Posts as their networks would send them, parsed by each network's connector."""
    batch = Batch()
    by_network: dict[str, list[tuple[DemoPost, datetime]]] = {}
    for p, at in posts:
        by_network.setdefault(p.network, []).append((p, at))
    for network, items in by_network.items():
        parse = _parser(network)
        parsed: Batch | None = None
        if parse is not None:
            try:
                parsed = parse(_payload(network, items))
            except Exception:  # a connector still being written must not stop the demo
                logger.warning("demo: the %s connector could not parse its demo payload", network)
        if parsed is not None and len(parsed.posts) == len(items):
            batch.posts += parsed.posts
            batch.rejects += parsed.rejects
        else:
            batch.posts += [_direct(network, p, at) for p, at in items]
    return batch


# ---- loading --------------------------------------------------------------------------------


def _queries(workspace: Workspace, owner: Membership) -> None:
    existing = set(
        ListeningQuery.objects.filter(workspace=workspace).values_list("name", flat=True)
    )
    for name, label, text in QUERIES:
        if name not in existing:
            actions.create_query(owner, name=name, label=label, query=text)


def _sources(workspace: Workspace) -> Source:
    now = timezone.now()
    for spec in SOURCES:
        if Source.objects.filter(workspace=workspace, name=spec["name"]).exists():
            continue
        failures = spec.get("failures", 0)
        Source.objects.create(
            workspace=workspace,
            name=spec["name"],
            connector=spec["connector"],
            config=spec["config"],
            status=spec["status"],
            last_polled_at=now - timedelta(hours=3) if failures else None,
            last_success_at=now - timedelta(days=2) if failures else None,
            last_error=spec.get("last_error", ""),
            last_error_at=now - timedelta(hours=3) if failures else None,
            consecutive_failures=failures,
        )
    source, _ = Source.objects.get_or_create(
        workspace=workspace,
        name=REPLAY_SOURCE,
        defaults={
            "connector": "file",
            "config": {"demo": "replay"},
            "status": Source.Status.ACTIVE,
            "poll_every_seconds": int(REPLAY_EVERY.total_seconds()),
        },
    )
    return source


def _backlog_times(count: int, now: datetime) -> list[datetime]:
    """Back-dated times over the last BACKLOG_DAYS, busier on weekdays and in the daytime."""
    rng = random.Random(SEED + 1)  # noqa: S311 - demo times
    times = []
    for _ in range(count):
        moment = now - timedelta(seconds=rng.uniform(60, BACKLOG_DAYS * 86_400))
        if moment.weekday() >= 5 and rng.random() < 0.4:
            moment -= timedelta(days=2)
        times.append(max(moment, now - timedelta(days=BACKLOG_DAYS - 1, hours=12)))
    return sorted(times)


def load(workspace: Workspace, owner: Membership) -> None:
    _queries(workspace, owner)
    source = _sources(workspace)
    cursor = dict(source.cursor or {})
    now = timezone.now()
    if "offset" not in cursor:
        posts = demo_posts()[:BACKLOG]
        stamped = list(zip(posts, _backlog_times(len(posts), now), strict=True))
        batch = to_batch(stamped + idea_posts(now))
        batch.rejects += QUARANTINED
        receive(workspace, batch, source=source)
        cursor = {"offset": BACKLOG, "total": TOTAL_POSTS}
    if cursor["offset"] >= TOTAL_POSTS:
        cursor["finished"] = True
    stalled = not cursor.get("finished") and (
        not cursor.get("next_at") or datetime.fromisoformat(cursor["next_at"]) < now - STALLED_AFTER
    )
    if stalled:
        cursor.update(chain=uuid.uuid4().hex, next_at=now.isoformat())
    Source.objects.filter(pk=source.pk).update(cursor=cursor, last_success_at=now)
    if stalled:
        _schedule(workspace.pk, cursor["chain"], delay=timedelta(seconds=2))


def _schedule(workspace_id: int, chain: str, delay: timedelta) -> None:
    """Queues the next replay step, unless this task backend cannot run a task later."""
    backend = replay_demo_posts.get_backend()
    if not backend.supports_defer:
        logger.info("demo: the %s task backend cannot defer; no replay", backend.alias)
        return
    step = replay_demo_posts.using(run_after=timezone.now() + delay)
    transaction.on_commit(lambda: step.enqueue(workspace_id, chain))


@task()
def replay_demo_posts(workspace_id: int, chain: str) -> int:
    """Receives the next few demo posts, stamped now, and queues the step after it."""
    with transaction.atomic():
        source = (
            Source.objects.select_for_update()
            .filter(workspace_id=workspace_id, name=REPLAY_SOURCE)
            .select_related("workspace")
            .first()
        )
        if source is None or source.status != Source.Status.ACTIVE:
            return 0
        cursor = dict(source.cursor or {})
        if cursor.get("chain") != chain or cursor.get("finished"):
            return 0  # a newer replay took over, or this one is done
        offset = int(cursor.get("offset", BACKLOG))
        posts = demo_posts()[offset : offset + REPLAY_BATCH]
        now = timezone.now()
        spread = REPLAY_EVERY.total_seconds()
        stamped = [
            (p, now - timedelta(seconds=spread * (len(posts) - i) / len(posts)))
            for i, p in enumerate(posts)
        ]
        result = receive(source.workspace, to_batch(stamped), source=source)
        cursor["offset"] = offset + len(posts)
        cursor["next_at"] = (now + REPLAY_EVERY).isoformat()
        cursor["finished"] = cursor["offset"] >= TOTAL_POSTS
        Source.objects.filter(pk=source.pk).update(
            cursor=cursor, last_polled_at=now, last_success_at=now
        )
        if not cursor["finished"]:
            _schedule(workspace_id, chain, REPLAY_EVERY)
    return len(result.created)
