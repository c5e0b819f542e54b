"""Next-best-action: what a customer might need next.

Cross-sell comes from association rules over what similar customers hold. A customer "holds" a
product when it is on a paid or open order of theirs, or is the product of an account they have
not closed. Similar customers are those of the same segment (the tier when the segment has too
few customers, everyone when the tier has too few too). For each group we count how many
customers hold each product, each pair and each triple (`Rules`); a rule "holding A (and B)
→ adds C" has

    confidence = customers holding A, B and C / customers holding A and B
    lift       = confidence / (customers holding C / customers in the group)

and is suggested when at least `MIN_SUPPORT` customers hold the antecedent, confidence is at
least `MIN_CONFIDENCE` and lift at least `MIN_LIFT` (C is bought more by them than by anyone).

Counting reads at most `SAMPLE_LINES` of the newest order lines and as many accounts, so it is
bounded at any size; the result is cached per workspace for `CACHE_SECONDS` (`rules_for`), and
a profile only looks its customer's holdings up in it.
"""

import itertools
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.cache import cache

from rapport.contacts.models import Account, Contact, OrderLine, Product
from rapport.profile.value import HOLDING_ORDERS

SAMPLE_LINES = 200_000
CACHE_SECONDS = 6 * 3600
MIN_GROUP = 50
MIN_SUPPORT = 20
MIN_CONFIDENCE = 0.15
MIN_LIFT = 1.2
MAX_ITEMS = 12  # triples are counted for customers holding at most this many products

Itemset = tuple[int, ...]


@dataclass
class Group:
    """Counts for one group of similar customers."""

    customers: int = 0
    counts: Counter[Itemset] = field(default_factory=Counter)

    def add(self, items: frozenset[int]) -> None:
        ordered = sorted(items)
        self.customers += 1
        for size in (1, 2, 3):
            if size == 3 and len(ordered) > MAX_ITEMS:
                break
            self.counts.update(itertools.combinations(ordered, size))


@dataclass
class Rules:
    segments: dict[str, Group]
    tiers: dict[str, Group]
    everyone: Group
    products: dict[int, str]

    def group_for(self, segment: str, tier: str) -> tuple[str, Group]:
        group = self.segments.get(segment)
        if segment and group is not None and group.customers >= MIN_GROUP:
            return f"in the {segment} segment", group
        group = self.tiers.get(tier)
        if tier and group is not None and group.customers >= MIN_GROUP:
            return f"of the {tier} tier", group
        return "", self.everyone


@dataclass(frozen=True)
class Suggestion:
    product_id: int
    product: str
    because: tuple[str, ...]
    confidence: float
    support: int  # similar customers holding the antecedent
    lift: float
    sentence: str


def cache_key(workspace_id: int) -> str:
    return f"contacts:rules:v1:{workspace_id}"


def holdings(contact_ids: Iterable[int] | None, workspace_id: int) -> dict[int, set[int]]:
    """contact id -> product ids held, for the given contacts (or the newest sample of all)."""
    lines = OrderLine.objects.filter(workspace_id=workspace_id, order__status__in=HOLDING_ORDERS)
    accounts = Account.objects.filter(workspace_id=workspace_id, product__isnull=False).exclude(
        status=Account.State.CLOSED
    )
    if contact_ids is not None:
        ids = list(contact_ids)
        lines = lines.filter(order__contact_id__in=ids)
        accounts = accounts.filter(contact_id__in=ids)
    else:
        lines = lines.order_by("-id")[:SAMPLE_LINES]
        accounts = accounts.order_by("-id")[:SAMPLE_LINES]
    held: dict[int, set[int]] = {}
    for contact_id, product_id in lines.values_list("order__contact_id", "product_id"):
        held.setdefault(contact_id, set()).add(product_id)
    for contact_id, product_id in accounts.values_list("contact_id", "product_id"):
        held.setdefault(contact_id, set()).add(product_id)
    return held


def compute_rules(workspace_id: int) -> Rules:
    held = holdings(None, workspace_id)
    segments: dict[str, Group] = {}
    tiers: dict[str, Group] = {}
    everyone = Group()
    profile: dict[int, tuple[str, str]] = {}
    ids = list(held)
    for start in range(0, len(ids), 5000):
        for pk, segment, tier in Contact.objects.filter(
            pk__in=ids[start : start + 5000]
        ).values_list("pk", "segment", "tier"):
            profile[pk] = (segment, tier)
    for contact_id, products in held.items():
        items = frozenset(products)
        segment, tier = profile.get(contact_id, ("", ""))
        everyone.add(items)
        if segment:
            segments.setdefault(segment, Group()).add(items)
        if tier:
            tiers.setdefault(tier, Group()).add(items)
    names = dict(Product.objects.filter(workspace_id=workspace_id).values_list("pk", "name"))
    return Rules(segments=segments, tiers=tiers, everyone=everyone, products=names)


#: workspace id -> (the cached rules' token, the rules): a process keeps the rules it read
#: while the token in the shared cache is the same, instead of unpickling them per request
_read: dict[int, tuple[str, Rules]] = {}


def token_key(workspace_id: int) -> str:
    return f"contacts:rules-token:v1:{workspace_id}"


def rules_for(workspace_id: int, *, refresh: bool = False) -> Rules:
    """The workspace's counts, from the cache (computed on a miss, or when asked to refresh)."""
    token = None if refresh else cache.get(token_key(workspace_id))
    kept = _read.get(workspace_id)
    if token is not None and kept is not None and kept[0] == token:
        return kept[1]
    rules = cache.get(cache_key(workspace_id)) if token is not None else None
    if rules is None:
        rules = compute_rules(workspace_id)
        token = uuid.uuid4().hex
        cache.set_many(
            {cache_key(workspace_id): rules, token_key(workspace_id): token}, CACHE_SECONDS
        )
    _read[workspace_id] = (str(token), rules)
    return rules


def forget_rules(workspace_id: int) -> None:
    _read.pop(workspace_id, None)
    cache.delete_many([cache_key(workspace_id), token_key(workspace_id)])


def with_article(name: str) -> str:
    return f"{'an' if name[:1].lower() in 'aeiou' else 'a'} {name}"


def sentence(group_label: str, because: list[str], product: str, pct: int, n: int) -> str:
    held = " and ".join(with_article(b) for b in because)
    who = f"Customers {group_label} who hold" if group_label else "Customers who hold"
    return f"{who} {held} often add {product} ({pct}% of {n:,} similar customers)."


def cross_sell(contact: Contact, held: set[int], rules: Rules, limit: int = 3) -> list[Suggestion]:
    """The best few products `contact` does not hold, each with the rule that suggests it."""
    label, group = rules.group_for(contact.segment, contact.tier)
    if group.customers == 0 or not held:
        return []
    mine = sorted(held)
    antecedents: list[Itemset] = [(p,) for p in mine] + list(itertools.combinations(mine, 2))
    best: dict[int, tuple[float, int, float, Itemset]] = {}
    candidates = {
        item[0] for item in group.counts if len(item) == 1 and item[0] not in held
    } & rules.products.keys()
    for antecedent in antecedents:
        support = group.counts.get(antecedent, 0)
        if support < MIN_SUPPORT:
            continue
        for product in candidates:
            both = group.counts.get(tuple(sorted((*antecedent, product))), 0)
            if not both:
                continue
            confidence = both / support
            base = group.counts[(product,)] / group.customers
            lift = confidence / base if base else 0.0
            if confidence < MIN_CONFIDENCE or lift < MIN_LIFT:
                continue
            # prefer the more confident rule; on a near tie, the one that explains more
            score = confidence + 0.02 * (len(antecedent) - 1)
            if product not in best or score > best[product][0] + 1e-9:
                best[product] = (score, support, lift, antecedent)
    ranked = sorted(best.items(), key=lambda kv: (-kv[1][0], -kv[1][2], rules.products[kv[0]]))
    out = []
    for product, (_score, support, lift, antecedent) in ranked[:limit]:
        both = group.counts.get(tuple(sorted((*antecedent, product))), 0)
        confidence = both / support
        because = [rules.products.get(p, "a product") for p in antecedent]
        name = rules.products[product]
        pct = round(confidence * 100)
        out.append(
            Suggestion(
                product_id=product,
                product=name,
                because=tuple(because),
                confidence=round(confidence, 3),
                support=support,
                lift=round(lift, 2),
                sentence=sentence(label, because, name, pct, support),
            )
        )
    return out


def suggestions_for(
    contact: Contact, *, rules: Rules | None = None, accounts: list[Account] | None = None
) -> list[Suggestion]:
    """Cross-sell for `contact`; `accounts`, when the caller has read them all, saves a query."""
    if accounts is None:
        held = holdings([contact.pk], contact.workspace_id).get(contact.pk, set())
    else:
        held = {
            a.product_id
            for a in accounts
            if a.product_id is not None and a.status != Account.State.CLOSED
        }
        held |= set(
            OrderLine.objects.filter(
                order__contact_id=contact.pk, order__status__in=HOLDING_ORDERS
            ).values_list("product_id", flat=True)
        )
    return cross_sell(contact, held, rules or rules_for(contact.workspace_id))


def refresh_all() -> int:
    """Recomputes the cached rules of every workspace that sells something (the scheduled task
    `profile.suggestion_rules`), so no profile request waits for them; returns how
    many workspaces."""
    workspaces = Product.objects.order_by().values_list("workspace_id", flat=True).distinct()
    count = 0
    for workspace_id in list(workspaces):
        rules_for(workspace_id, refresh=True)
        count += 1
    return count
