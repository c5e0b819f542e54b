"""Synthetic but realistic listening traffic for `rapport bench ingest|match`: payloads, queries.

Posts come as the networks send them (Mastodon statuses, Bluesky post views, X v2 tweets with
`includes.users`, Reddit listing children, Hacker News Algolia hits), about a bank called Acme
Bank, its products, people, campaigns and competitors: complaints, praise, questions, leads,
ideas and chatter, mostly in English, with the language given by the payload where the network
gives one, and about 5% reposts and copies. Everything is drawn from one seeded generator, so a
seed gives the same traffic every time.
"""

import html
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from rapport.connectors.base import Author, Batch, NormalisedPost
from rapport.connectors.registry import connector_class

BRAND = ["Acme Bank", "@acmebank", "#AcmeBank", "acme bank", "ACME", "AcmeBank"]
PRODUCTS = [
    "Acme Rewards card",
    "AcmePay",
    "Acme Saver",
    "Acme mortgage",
    "Acme Business account",
    "Acme Travel card",
    "Acme app",
    "Acme Invest",
    "Acme Junior",
    "Acme Platinum",
    "Acme Green loan",
    "Acme Flex overdraft",
]
COMPETITORS = [
    "Globex",
    "Initech Bank",
    "Umbrella Credit",
    "Contoso Bank",
    "Stark Savings",
    "Wayne Financial",
    "Monzo",
    "Revolut",
    "Hooli Pay",
    "Soylent Credit Union",
]
EXECUTIVES = [
    "Maria Okafor",
    "Tom Lindqvist",
    "Priya Raman",
    "Jonas Weber",
    "Aiko Tanaka",
    "Luis Ortega",
]
CAMPAIGNS = ["#AcmeSpring", "#BankBetter", "#AcmeGivesBack", "#SaveWithAcme", "#AcmeMarathon"]

_SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "ra",
    "ven",
    "tor",
    "sel",
    "bri",
    "qua",
    "nex",
    "dor",
    "pha",
    "zen",
    "tu",
    "vo",
    "lis",
    "mar",
    "cor",
    "fin",
    "den",
]
_FIRST = [
    "Anna",
    "Ben",
    "Chloe",
    "David",
    "Emma",
    "Felix",
    "Grace",
    "Hugo",
    "Iris",
    "Jack",
    "Kira",
    "Leo",
    "Mia",
    "Noah",
    "Omar",
]
_LAST = [
    "Adams",
    "Brooks",
    "Chen",
    "Diaz",
    "Evans",
    "Fischer",
    "Garcia",
    "Hughes",
    "Ivanova",
    "Jensen",
    "Kowalski",
    "Larsen",
]

TEMPLATES: dict[str, dict[str, list[str]]] = {
    "en": {
        "complaint": [
            "{s} charged me twice for the same payment ({amount}) and support has been useless "
            "for {n} days. Still no refund.",
            "Card declined again at the supermarket. {s} what is going on?? This is unacceptable",
            "Locked out of the {s} app since {day}, error {code} every time I log in",
            "Waited {n} hours on the phone with {s} and nobody could fix my transfer",
            "{s} hidden fees are a ripoff, {amount} this month alone. Cancelling my account",
            "the {s} website is down AGAIN on {day}. how am I supposed to pay rent",
        ],
        "praise": [
            "Shout out to {s} support, sorted my card in {n} minutes. Brilliant service!",
            "Really impressed with the new {s} update, smooth and fast",
            "Thanks {s} for the quick refund of {amount}, appreciated",
            "Been with {s} for {n} years and honestly never had a problem. Great bank",
        ],
        "question": [
            "Does {s} charge fees for international transfers over {amount}?",
            "How do I change my address with {s}? Can't find it anywhere",
            "Anyone know if the {s} branch on {street} is open on {day}?",
            "What's the interest rate on the {s} right now?",
        ],
        "lead": [
            "Looking for a new bank for my small business, is {s} any good?",
            "Thinking of opening a savings account, {s} or {c}? Any recommendations",
            "Need a mortgage for a {amount} flat, switching to {s} maybe. Anyone done it?",
            "Which bank has the best travel card, {s} or {c}? Moving abroad in {n} weeks",
        ],
        "idea": [
            "It would be great if {s} let you split bills with friends",
            "Feature request for {s}: dark mode and round-ups into savings please",
            "I wish {s} showed pending payments in the widget, would help a lot",
        ],
        "chatter": [
            "Saw the {s} ad on the train this morning, the one with the dog",
            "{s} and {c} both raised rates on {day}, interesting week for banks",
            "Walking past the {s} branch on {street}, the new logo is everywhere",
            "Article about {s} and {c} results this quarter, worth a read",
            "my dad still calls every bank {s} lol",
        ],
    },
    "fr": {
        "complaint": [
            "{s} m'a prélevé deux fois {amount} et le service client ne répond pas depuis {n} "
            "jours. Inacceptable !",
            "Encore une carte refusée, {s} c'est quoi ce délire ?",
        ],
        "praise": ["Merci {s}, problème réglé en {n} minutes. Service génial !"],
        "question": ["Est-ce que {s} facture les virements à l'étranger ?"],
        "lead": ["Je cherche une banque pour ma société, {s} ou {c} ? Des avis ?"],
        "chatter": ["Vu la pub {s} dans le métro ce matin, très réussie"],
    },
    "es": {
        "complaint": [
            "{s} me cobró dos veces {amount} y nadie me responde desde hace {n} días",
            "La app de {s} no funciona otra vez, qué desastre",
        ],
        "praise": ["Gracias {s}, me resolvieron todo en {n} minutos. ¡Excelente atención!"],
        "question": ["¿Alguien sabe si {s} cobra comisión por transferencias?"],
        "lead": ["Busco un banco para mi negocio, ¿{s} o {c}? Recomendaciones"],
    },
    "de": {
        "complaint": [
            "{s} hat mir {amount} doppelt abgebucht und niemand antwortet seit {n} Tagen"
        ],
        "praise": ["Danke {s}, super schneller Support, in {n} Minuten erledigt"],
        "question": ["Weiß jemand, ob {s} Gebühren für Auslandsüberweisungen nimmt?"],
    },
    "pt": {
        "complaint": ["{s} cobrou {amount} duas vezes e ninguém responde há {n} dias"],
        "praise": ["Obrigado {s}, atendimento excelente!"],
    },
}
LANGUAGES = [("en", 76), ("fr", 8), ("es", 8), ("de", 5), ("pt", 3)]
INTENTS = [
    ("complaint", 22),
    ("praise", 12),
    ("question", 16),
    ("lead", 8),
    ("idea", 5),
    ("chatter", 37),
]
NETWORKS = [("x", 30), ("bluesky", 20), ("reddit", 20), ("mastodon", 20), ("hackernews", 10)]
FILLERS = [
    "",
    "",
    "",
    " honestly",
    " 🙄",
    " 😡😡",
    " 🎉",
    " #banking",
    " #fintech",
    " #personalfinance",
    " smh",
    " (again)",
    " thoughts?",
    " https://example.com/story/{n}",
]
DETAILS = [
    " ({time})",
    " at {time} today",
    " Day {n}.",
    " ref {n}",
    " — {n} people in the queue",
    " #{n}",
    " edit: {n} minutes later and still nothing",
    " posted from the {n} bus",
    " update {time}",
]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
STREETS = ["High Street", "Main St", "Baker Street", "Elm Road", "Market Square"]
T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def _weighted(rng: random.Random, choices: list[tuple[str, int]]) -> str:
    return rng.choices([c for c, _ in choices], [w for _, w in choices])[0]


def _long_tail(rng: random.Random, n: int) -> list[tuple[str, str]]:
    """Rarer topics a big workspace also tracks: more products, people and hashtags."""
    topics = []
    for i in range(n):
        kind = i % 3
        if kind == 0:
            name = "".join(rng.sample(_SYLLABLES, 2)).title() + str(rng.randint(1, 99))
            topics.append(("product", f"Acme {name}"))
        elif kind == 1:
            topics.append(("person", f"{rng.choice(_FIRST)} {rng.choice(_LAST)}{i}"))
        else:
            topics.append(("campaign", "#" + "".join(rng.sample(_SYLLABLES, 3)) + str(i)))
    return topics


def _topic_query(label: str, topic: str) -> str:
    if topic.startswith(("#", "@")):
        return topic
    return f'"{topic}"' if " " in topic else topic


def generate_queries(count: int, seed: int = 1) -> list[tuple[str, str, str]]:
    """(name, query, label) for `count` queries: the core topics first, then rarer ones."""
    rng = random.Random(seed)  # noqa: S311 - seeded traffic, not secrets
    core: list[tuple[str, str]] = [
        ("brand", '"acme bank" OR @acmebank OR #acmebank OR acmebank'),
        ("brand", '"acme bank" -job -jobs -hiring'),
        ("brand", '("acme bank" OR @acmebank) (refund OR fees OR charged OR declined)'),
        ("brand", '"acme bank" lang:fr'),
        ("brand", '"acme bank" lang:es'),
        ("brand", '"acme bank" network:reddit'),
        ("brand", "@acmebank -from:acmebank"),
        ("brand", '"acme bank" AND (mortgage OR loan) OR "acme mortgage"'),
    ]
    core += [("product", _topic_query("product", p)) for p in PRODUCTS]
    core += [("competitor", _topic_query("competitor", c)) for c in COMPETITORS]
    core += [("competitor", f"{_topic_query('competitor', c)} lang:en") for c in COMPETITORS[:4]]
    core += [("person", f'"{e}" OR "{e.split()[1]}" (acme OR ceo)') for e in EXECUTIVES]
    core += [("campaign", c) for c in CAMPAIGNS]
    core += [("campaign", f"{c} -giveaway network:x") for c in CAMPAIGNS[:2]]
    rows = [(f"{label.title()} {i + 1}", q, label) for i, (label, q) in enumerate(core[:count])]
    forms = [
        "{t}",
        "{t} lang:en",
        "{t} -job",
        "{t} OR {h}",
        "{t} (complaint OR refund OR broken)",
        "{t} network:bluesky",
        "NOT spam {t}",
    ]
    for i, (label, topic) in enumerate(_long_tail(rng, max(0, count - len(rows)))):
        t = _topic_query(label, topic)
        h = "#" + "".join(ch for ch in topic.lower() if ch.isalnum())
        query = rng.choice(forms).format(t=t, h=h)
        rows.append((f"{label.title()} tail {i + 1}", query, label))
    return rows


@dataclass
class _Account:
    network: str
    id: str
    handle: str
    name: str
    followers: int


@dataclass
class Traffic:
    """A seeded stream of posts as payloads; `batches()` yields network pages of them."""

    seed: int = 1
    authors_per_network: int = 20_000
    tail_topics: list[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)  # noqa: S311
        self.counter = 0
        self.recent: dict[str, list[dict[str, Any]]] = {n: [] for n, _ in NETWORKS}
        if not self.tail_topics:
            self.tail_topics = _long_tail(random.Random(self.seed), 600)  # noqa: S311

    # -- text ---------------------------------------------------------------------------------
    def subject(self) -> str:
        r = self.rng.random()
        if r < 0.45:
            return self.rng.choice(BRAND)
        if r < 0.65:
            return self.rng.choice(PRODUCTS)
        if r < 0.82:
            return self.rng.choice(COMPETITORS)
        if r < 0.88:
            return self.rng.choice(EXECUTIVES)
        if r < 0.94:
            return self.rng.choice(CAMPAIGNS)
        return self.rng.choice(self.tail_topics)[1]

    def text(self, language: str) -> tuple[str, str]:
        rng = self.rng
        by_intent = TEMPLATES[language]
        intent = _weighted(rng, [(k, w) for k, w in INTENTS if k in by_intent])
        template = rng.choice(by_intent[intent])
        n = rng.randint(2, 90)
        text = template.format(
            s=self.subject(),
            c=rng.choice(COMPETITORS),
            n=n,
            amount=f"£{rng.randint(5, 4000)}",
            code=rng.randint(400, 599),
            day=rng.choice(DAYS),
            street=rng.choice(STREETS),
        )
        if rng.random() < 0.97:  # people add their own details; copies are the reposts below
            text += rng.choice(DETAILS).format(
                n=rng.randint(2, 5000), time=f"{rng.randint(6, 23)}:{rng.randint(0, 59):02d}"
            )
        for _ in range(rng.randint(0, 2)):
            text += rng.choice(FILLERS).format(n=rng.randint(1000, 99999))
        return text, intent

    def account(self, network: str) -> _Account:
        regular = self.rng.random() < 0.3  # a few accounts post much more than the rest
        i = self.rng.randrange(200 if regular else self.authors_per_network)
        # follower counts are heavy-tailed, and drift a little between two posts
        followers = int(
            (1 / ((i * 7919 % 1000 + 1) / 1000)) ** 1.3 * 30 * self.rng.uniform(1, 1.02)
        )
        return _Account(network, f"{network}-{i}", f"user{i}", f"User {i}", followers)

    def when(self) -> datetime:
        return T0 + timedelta(seconds=self.counter * 3)

    # -- payload items, one per network -------------------------------------------------------
    def item(self, network: str) -> dict[str, Any]:
        self.counter += 1
        recent = self.recent[network]
        repost = recent and self.rng.random() < 0.05
        source = self.rng.choice(recent) if repost else None
        language = _weighted(self.rng, LANGUAGES)
        text, _ = self.text(language)
        item = getattr(self, f"_{network}")(self.counter, self.account(network), text, language)
        if source is not None:
            item = getattr(self, f"_{network}_copy")(item, source)
        else:
            recent.append(item)
            if len(recent) > 50:
                recent.pop(0)
        return item

    def _mastodon(self, n: int, a: _Account, text: str, language: str) -> dict[str, Any]:
        sid = str(110_000_000_000_000_000 + n)
        body = html.escape(text).replace(
            "@acmebank",
            '<span class="h-card"><a href="https://mastodon.social/@acmebank" class="u-url '
            'mention">@<span>acmebank</span></a></span>',
        )
        return {
            "id": sid,
            "created_at": self.when().isoformat().replace("+00:00", ".000Z"),
            "in_reply_to_id": None,
            "in_reply_to_account_id": None,
            "sensitive": False,
            "spoiler_text": "",
            "visibility": "public",
            "language": language if self.rng.random() < 0.9 else None,
            "uri": f"https://mastodon.social/users/{a.handle}/statuses/{sid}",
            "url": f"https://mastodon.social/@{a.handle}/{sid}",
            "replies_count": self.rng.randint(0, 5),
            "reblogs_count": self.rng.randint(0, 10),
            "favourites_count": self.rng.randint(0, 30),
            "edited_at": None,
            "content": f"<p>{body}</p>",
            "reblog": None,
            "account": {
                "id": a.id,
                "username": a.handle,
                "acct": a.handle,
                "display_name": a.name,
                "uri": f"https://mastodon.social/users/{a.handle}",
                "url": f"https://mastodon.social/@{a.handle}",
                "followers_count": a.followers,
                "following_count": 80,
                "statuses_count": 1200,
                "bot": False,
            },
            "media_attachments": [],
            "mentions": [],
            "tags": [],
            "emojis": [],
            "card": None,
            "poll": None,
        }

    def _mastodon_copy(self, item: dict[str, Any], source: dict[str, Any]) -> dict[str, Any]:
        item["reblog"] = source  # a boost: the status wraps the original
        item["content"] = ""
        return item

    def _bluesky(self, n: int, a: _Account, text: str, language: str) -> dict[str, Any]:
        did = f"did:plc:{a.id.replace('-', '')}"
        rkey = f"3l{n:011d}"
        return {
            "uri": f"at://{did}/app.bsky.feed.post/{rkey}",
            "cid": f"bafyreig{n:052d}",
            "author": {
                "did": did,
                "handle": f"{a.handle}.bsky.social",
                "displayName": a.name,
                "labels": [],
                "createdAt": "2024-02-01T10:00:00.000Z",
            },
            "record": {
                "$type": "app.bsky.feed.post",
                "text": text,
                "createdAt": self.when().isoformat().replace("+00:00", ".000Z"),
                "langs": [language] if self.rng.random() < 0.95 else [],
            },
            "replyCount": self.rng.randint(0, 5),
            "repostCount": self.rng.randint(0, 10),
            "likeCount": self.rng.randint(0, 40),
            "quoteCount": 0,
            "indexedAt": self.when().isoformat().replace("+00:00", ".000Z"),
            "labels": [],
        }

    def _bluesky_copy(self, item: dict[str, Any], source: dict[str, Any]) -> dict[str, Any]:
        item["record"]["text"] = source["record"]["text"]  # copy-paste of another's post
        return item

    def _x(self, n: int, a: _Account, text: str, language: str) -> dict[str, Any]:
        tid = str(1_860_000_000_000_000_000 + n)
        return {
            "id": tid,
            "text": text[:280],
            "author_id": a.id,
            "created_at": self.when().isoformat().replace("+00:00", ".000Z"),
            "lang": language if self.rng.random() < 0.93 else "und",
            "conversation_id": tid,
            "edit_history_tweet_ids": [tid],
            "public_metrics": {
                "retweet_count": self.rng.randint(0, 10),
                "reply_count": self.rng.randint(0, 5),
                "like_count": self.rng.randint(0, 50),
                "quote_count": 0,
            },
            "_user": {
                "id": a.id,
                "username": a.handle,
                "name": a.name,
                "verified": a.followers > 50_000,
                "public_metrics": {"followers_count": a.followers, "following_count": 200},
            },
        }

    def _x_copy(self, item: dict[str, Any], source: dict[str, Any]) -> dict[str, Any]:
        item["text"] = f"RT @{source['_user']['username']}: {source['text']}"[:280]
        item["referenced_tweets"] = [{"type": "retweeted", "id": source["id"]}]
        return item

    def _reddit(self, n: int, a: _Account, text: str, language: str) -> dict[str, Any]:
        rid = f"{n:x}"
        comment = self.rng.random() < 0.6
        data: dict[str, Any] = {
            "id": rid,
            "name": f"{'t1' if comment else 't3'}_{rid}",
            "author": a.handle,
            "author_fullname": f"t2_{a.id.split('-')[1]}",
            "subreddit": self.rng.choice(["UKPersonalFinance", "banking", "personalfinance"]),
            "created_utc": self.when().timestamp(),
            "score": self.rng.randint(-3, 200),
            "permalink": f"/r/banking/comments/{rid}/",
        }
        if comment:
            data |= {"body": text, "link_id": "t3_1abcd", "parent_id": "t3_1abcd"}
        else:
            data |= {
                "title": text[:80],
                "selftext": text,
                "num_comments": self.rng.randint(0, 40),
                "url": f"https://www.reddit.com/r/banking/comments/{rid}/",
                "over_18": False,
            }
        return {"kind": "t1" if comment else "t3", "data": data}

    def _reddit_copy(self, item: dict[str, Any], source: dict[str, Any]) -> dict[str, Any]:
        key = "body" if "body" in item["data"] else "selftext"
        item["data"][key] = source["data"].get("body") or source["data"].get("selftext")
        return item

    def _hackernews(self, n: int, a: _Account, text: str, language: str) -> dict[str, Any]:
        return {
            "created_at": self.when().isoformat().replace("+00:00", ".000Z"),
            "title": None,
            "url": None,
            "author": a.handle,
            "points": None,
            "story_text": None,
            "comment_text": html.escape(text).replace("\n", "<p>"),
            "num_comments": None,
            "story_id": 41000000,
            "story_title": "Ask HN: Which bank has the least painful API?",
            "parent_id": 41000000,
            "created_at_i": int(self.when().timestamp()),
            "_tags": ["comment", f"author_{a.handle}", "story_41000000"],
            "objectID": str(42_000_000 + n),
        }

    def _hackernews_copy(self, item: dict[str, Any], source: dict[str, Any]) -> dict[str, Any]:
        item["comment_text"] = source["comment_text"]
        return item

    # -- pages --------------------------------------------------------------------------------
    def page(self, network: str, size: int) -> Any:
        """One page as the network's API answers it."""
        items = [self.item(network) for _ in range(size)]
        if network == "mastodon":
            return items
        if network == "bluesky":
            return {"posts": items, "cursor": str(self.counter)}
        if network == "x":
            users = {i["_user"]["id"]: i["_user"] for i in items}
            return {
                "data": [{k: v for k, v in i.items() if k != "_user"} for i in items],
                "includes": {"users": list(users.values())},
                "meta": {"result_count": len(items), "newest_id": items[-1]["id"]},
            }
        if network == "reddit":
            return {"kind": "Listing", "data": {"after": None, "children": items}}
        return {"hits": items, "nbHits": len(items), "page": 0, "hitsPerPage": len(items)}

    def pages(self, total: int, page_size: int = 100) -> Iterator[tuple[str, Any, int]]:
        """(network, payload, item count) until `total` items, networks mixed."""
        left = total
        while left > 0:
            network = _weighted(self.rng, NETWORKS)
            size = min(left, page_size)
            yield network, self.page(network, size), size
            left -= size

    def texts(self, total: int) -> list[tuple[str, str, str, str]]:
        """(text, language, author handle, network) for the matcher benchmark."""
        rows = []
        for _ in range(total):
            network = _weighted(self.rng, NETWORKS)
            language = _weighted(self.rng, LANGUAGES)
            text, _ = self.text(language)
            rows.append((text, language, self.account(network).handle, network))
        return rows


# -- parsing: the real connectors when they exist, else the payloads read here ----------------


_TAG = re.compile(r"<[^>]+>")


def _when(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _fallback(network: str, payload: Any) -> Batch:
    """Reads the generated payloads directly, for networks whose connector is not written yet."""
    batch = Batch()
    if network == "mastodon":
        for s in payload:
            shown, a = s["reblog"] or s, s["account"]
            batch.posts.append(
                NormalisedPost(
                    network=network,
                    external_id=s["id"],
                    text=html.unescape(_TAG.sub("", shown["content"])),
                    author=Author(
                        a["uri"], a["acct"], a["display_name"], reach=a["followers_count"]
                    ),
                    created_at=_when(s["created_at"]),
                    url=s["url"],
                    language=shown["language"] or "",
                    repost_of_id=s["reblog"]["id"] if s["reblog"] else "",
                    raw=s,
                )
            )
    elif network == "hackernews":
        for h in payload["hits"]:
            batch.posts.append(
                NormalisedPost(
                    network=network,
                    external_id=h["objectID"],
                    text=html.unescape(_TAG.sub(" ", h["comment_text"])),
                    author=Author(h["author"], h["author"]),
                    created_at=_when(h["created_at"]),
                    reply_to_id=str(h["parent_id"]),
                    raw=h,
                )
            )
    elif network == "bluesky":
        for p in payload["posts"]:
            record = p["record"]
            batch.posts.append(
                NormalisedPost(
                    network=network,
                    external_id=p["uri"],
                    text=record["text"],
                    author=Author(
                        p["author"]["did"], p["author"]["handle"], p["author"]["displayName"]
                    ),
                    created_at=_when(record["createdAt"]),
                    language=(record.get("langs") or [""])[0],
                    metrics={"likes": p["likeCount"], "reposts": p["repostCount"]},
                    raw=p,
                )
            )
    elif network == "x":
        users = {u["id"]: u for u in payload["includes"]["users"]}
        for t in payload["data"]:
            u = users[t["author_id"]]
            refs = {r["type"]: r["id"] for r in t.get("referenced_tweets", [])}
            batch.posts.append(
                NormalisedPost(
                    network=network,
                    external_id=t["id"],
                    text=t["text"],
                    author=Author(
                        u["id"],
                        u["username"],
                        u["name"],
                        reach=u["public_metrics"]["followers_count"],
                        verified=u["verified"],
                    ),
                    created_at=_when(t["created_at"]),
                    url=f"https://x.com/{u['username']}/status/{t['id']}",
                    language="" if t["lang"] == "und" else t["lang"],
                    thread_id=t["conversation_id"],
                    repost_of_id=refs.get("retweeted", ""),
                    metrics={"likes": t["public_metrics"]["like_count"]},
                    raw=t,
                )
            )
    elif network == "reddit":
        for child in payload["data"]["children"]:
            d = child["data"]
            batch.posts.append(
                NormalisedPost(
                    network=network,
                    external_id=d["name"],
                    text=d.get("body") or d.get("selftext") or "",
                    title=d.get("title") or "",
                    author=Author(d["author_fullname"], d["author"]),
                    created_at=datetime.fromtimestamp(d["created_utc"], UTC),
                    url="https://www.reddit.com" + d["permalink"],
                    reply_to_id=d.get("parent_id", ""),
                    metrics={"score": d["score"]},
                    raw=d,
                )
            )
    return batch


class Parsers:
    """Parses pages with each network's connector when it can be imported, else `_fallback`."""

    def __init__(self) -> None:
        self.connectors: dict[str, Any] = {}
        self.fallback: set[str] = set()

    def parse(self, network: str, payload: Any) -> Batch:
        if network not in self.connectors and network not in self.fallback:
            try:
                cls = connector_class(network)
            except ImportError:
                self.fallback.add(network)
            else:
                # Parsing needs no settings; required ones (the terms to follow) get a stand-in.
                config = {
                    name: "acme bank"
                    for name, f in cls.Config.model_fields.items()
                    if f.is_required()
                }
                self.connectors[network] = cls(config=config)
        connector = self.connectors.get(network)
        if connector is None:
            return _fallback(network, payload)
        return connector.parse(payload)
