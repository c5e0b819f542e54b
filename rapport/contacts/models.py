"""Contacts: the people and companies behind posts, and what the business knows about them.

- `Contact` and `Organization`, with consent and preferences; `Identity` rows, unique per
  (network, external id), for every account heard on a network, linked to a Contact once
  someone (or identity resolution) knows who it is.
- Business data imported from CRM/ERP: `Product`, `Order` with `OrderLine`, `Account`
  (accounts and subscriptions), each keeping its source system and external id so a re-import
  updates rather than duplicates.
- `Interaction`: a call, email, meeting or note logged by a person.
- Identity resolution: `MatchSuggestion` (a scored pair for review; rejected ones are
  remembered as "not the same person"), `MergeRecord` (what a merge moved, so it can be undone)
  and `LinkagePolicy` (whether a workspace allows automatic merges, and the thresholds).
- `ImportJob`: an import of a CRM/ERP file, with its mapping, progress and row errors.
"""

from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower

from rapport.core.models import Membership, WorkspaceOwned


class Tier(models.TextChoices):
    STANDARD = "standard", "Standard"
    SILVER = "silver", "Silver"
    GOLD = "gold", "Gold"
    PLATINUM = "platinum", "Platinum"


class LawfulBasis(models.TextChoices):
    """Why the workspace may hold the person's data (GDPR article 6)."""

    CONSENT = "consent", "Consent"
    CONTRACT = "contract", "Contract"
    LEGAL_OBLIGATION = "legal_obligation", "Legal obligation"
    LEGITIMATE_INTEREST = "legitimate_interest", "Legitimate interest"
    PUBLIC = "public", "Publicly posted"


class External(models.Model):
    """Where a row came from: the source system ("salesforce", "erp") and its id there."""

    source = models.CharField(max_length=40, blank=True)
    external_id = models.CharField(max_length=200, blank=True)

    class Meta:
        abstract = True


class Organization(WorkspaceOwned, External):
    """A company or account the contacts belong to."""

    name = models.CharField(max_length=200)
    domain = models.CharField(max_length=200, blank=True, help_text="Its web or email domain")
    industry = models.CharField(max_length=100, blank=True)
    segment = models.CharField(max_length=100, blank=True)
    tier = models.CharField(max_length=10, choices=Tier.choices, blank=True)
    owner = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    attributes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "source", "external_id"],
                condition=~Q(external_id=""),
                name="organization_one_per_external_id",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Contact(WorkspaceOwned, External):
    """A person the business knows. A merged contact stays, pointing at the one it became."""

    name = models.CharField(max_length=200)
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    email = models.EmailField(blank=True)
    email_key = models.CharField(
        max_length=254, blank=True, help_text="The email normalised for matching"
    )
    phone = models.CharField(max_length=20, blank=True, help_text="E.164, as +441632960961")
    birth_date = models.DateField(null=True, blank=True)
    city = models.CharField(max_length=100, blank=True)
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166 code")
    language = models.CharField(max_length=10, blank=True)
    segment = models.CharField(max_length=100, blank=True)
    tier = models.CharField(max_length=10, choices=Tier.choices, blank=True)
    website = models.URLField(max_length=500, blank=True)
    bio = models.TextField(blank=True)
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="contacts"
    )
    owner = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    tags = models.JSONField(default=list, blank=True)
    attributes = models.JSONField(default=dict, blank=True, help_text="Custom attributes")
    # consent and preferences
    do_not_contact = models.BooleanField(default=False)
    lawful_basis = models.CharField(max_length=20, choices=LawfulBasis.choices, blank=True)
    preferred_channel = models.CharField(max_length=30, blank=True)
    # value, recomputed from orders (contacts.value)
    lifetime_value = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_from"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "source", "external_id"],
                condition=~Q(external_id=""),
                name="contact_one_per_external_id",
            )
        ]
        indexes = [
            models.Index(fields=["workspace", "email_key"], name="contact_email_key"),
            models.Index(fields=["workspace", "phone"], name="contact_phone"),
            models.Index(fields=["workspace", "last_name"], name="contact_last_name"),
            models.Index(fields=["workspace", "name"], name="contact_name"),
            models.Index(fields=["workspace", "-updated_at"], name="contact_updated"),
            # prefix search on names, case-insensitive, through an index (selectors.search)
            models.Index(F("workspace"), Lower("name"), name="contact_name_lower"),
            models.Index(F("workspace"), Lower("last_name"), name="contact_last_name_lower"),
        ]

    def __str__(self) -> str:
        return self.name


#: A contact's own fields: what people set (the API, the actions) and the audit trail keeps. The
#: others are the house's: the email's matching key, the value summed from orders, the merge.
CONTACT_FIELDS = (
    "name",
    "first_name",
    "last_name",
    "email",
    "phone",
    "birth_date",
    "city",
    "country",
    "language",
    "segment",
    "tier",
    "website",
    "bio",
    "organization",
    "owner",
    "tags",
    "attributes",
    "do_not_contact",
    "lawful_basis",
    "preferred_channel",
    "source",
    "external_id",
)


class Identity(WorkspaceOwned):
    """An account on one network: who wrote a post, whether or not we know the person yet."""

    network = models.CharField(max_length=30)
    external_id = models.CharField(max_length=200)
    handle = models.CharField(max_length=200)
    display_name = models.CharField(max_length=200, blank=True)
    profile_url = models.URLField(max_length=500, blank=True)
    reach = models.PositiveIntegerField(default=0, help_text="Followers or subscribers")
    verified = models.BooleanField(default=False)
    contact = models.ForeignKey(
        Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="identities"
    )
    first_seen_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "network", "external_id"], name="one_identity_per_account"
            )
        ]
        indexes = [models.Index(fields=["workspace", "handle"], name="identity_handle")]
        verbose_name_plural = "identities"

    def __str__(self) -> str:
        return f"@{self.handle} on {self.network}"


class Consent(WorkspaceOwned):
    """A person's yes or no to being contacted on a channel. Rows are appended, never changed:
    the newest per channel is in force, the older ones are the record of how it got there."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="consents")
    channel = models.CharField(max_length=30, help_text="email, phone, sms, post, or a network")
    granted = models.BooleanField()
    basis = models.CharField(max_length=20, choices=LawfulBasis.choices, blank=True)
    source = models.CharField(max_length=100, blank=True, help_text="Where it was given")
    recorded_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-recorded_at", "-id"]
        indexes = [models.Index(fields=["contact", "channel", "-recorded_at"], name="consent_now")]

    def __str__(self) -> str:
        return f"{self.channel}: {'yes' if self.granted else 'no'}"


class Product(WorkspaceOwned, External):
    sku = models.CharField(max_length=100)
    name = models.CharField(max_length=200)
    category = models.CharField(max_length=100, blank=True)
    price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "sku"], name="product_one_per_sku")
        ]

    def __str__(self) -> str:
        return self.name


class Order(WorkspaceOwned, External):
    """A purchase. Lifetime value sums the totals of a contact's orders that are not cancelled."""

    class State(models.TextChoices):
        OPEN = "open", "Open"
        PAID = "paid", "Paid"
        REFUNDED = "refunded", "Refunded"
        CANCELLED = "cancelled", "Cancelled"

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="orders")
    ordered_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=State.choices, default=State.PAID)
    total = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3, default="GBP")

    class Meta:
        ordering = ["-ordered_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "source", "external_id"],
                condition=~Q(external_id=""),
                name="order_one_per_external_id",
            )
        ]
        indexes = [models.Index(fields=["contact", "-ordered_at"], name="order_contact")]

    def __str__(self) -> str:
        return f"Order {self.external_id or self.pk}"


class OrderLine(WorkspaceOwned):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="order_lines")
    quantity = models.PositiveIntegerField(default=1)
    unit_price = models.DecimalField(max_digits=12, decimal_places=2)

    def __str__(self) -> str:
        return f"{self.quantity} x {self.product_id}"


class Account(WorkspaceOwned, External):
    """An account or subscription the contact holds (for a bank: a current account, a mortgage)."""

    class State(models.TextChoices):
        ACTIVE = "active", "Active"
        DORMANT = "dormant", "Dormant"
        IN_ARREARS = "in_arrears", "In arrears"
        CLOSED = "closed", "Closed"

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="accounts")
    product = models.ForeignKey(
        Product, null=True, blank=True, on_delete=models.SET_NULL, related_name="accounts"
    )
    kind = models.CharField(max_length=60, help_text="Current account, mortgage, subscription")
    status = models.CharField(max_length=12, choices=State.choices, default=State.ACTIVE)
    balance_band = models.CharField(max_length=40, blank=True, help_text='"£1k–£5k"')  # noqa: RUF001
    opened_at = models.DateField(null=True, blank=True)
    closed_at = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["status", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "source", "external_id"],
                condition=~Q(external_id=""),
                name="account_one_per_external_id",
            )
        ]

    def __str__(self) -> str:
        return self.kind


class Interaction(WorkspaceOwned):
    """A call, email, meeting or note someone logged with a contact."""

    class Kind(models.TextChoices):
        CALL = "call", "Call"
        EMAIL = "email", "Email"
        MEETING = "meeting", "Meeting"
        NOTE = "note", "Note"

    class Direction(models.TextChoices):
        INBOUND = "inbound", "Inbound"
        OUTBOUND = "outbound", "Outbound"

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="interactions")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    direction = models.CharField(max_length=10, choices=Direction.choices, blank=True)
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField(blank=True)
    occurred_at = models.DateTimeField()
    logged_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-occurred_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.subject}"


class LinkagePolicy(WorkspaceOwned):
    """How identity resolution acts in a workspace: thresholds, and whether it merges alone."""

    auto_merge = models.BooleanField(
        default=False, help_text="Merge pairs scoring above merge_threshold without review"
    )
    review_threshold = models.FloatField(default=0.5)
    merge_threshold = models.FloatField(default=0.9)

    class Meta:
        verbose_name_plural = "linkage policies"
        constraints = [
            models.UniqueConstraint(fields=["workspace"], name="one_linkage_policy_per_workspace")
        ]

    def __str__(self) -> str:
        return f"Linkage policy of {self.workspace_id}"


class MatchSuggestion(WorkspaceOwned):
    """Two contacts that may be one person, with the score and each field's part in it."""

    class State(models.TextChoices):
        PENDING = "pending", "Waiting for review"
        MERGED = "merged", "Merged"
        NOT_SAME = "not_same", "Not the same person"

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    other = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    explanation = models.JSONField(default=list, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    decided_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-score", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "contact", "other"], name="one_suggestion_per_pair"
            ),
            models.CheckConstraint(
                condition=Q(contact__lt=models.F("other")), name="suggestion_pair_ordered"
            ),
        ]
        indexes = [models.Index(fields=["workspace", "state", "-score"], name="suggestion_queue")]

    def __str__(self) -> str:
        return f"{self.contact_id} ~ {self.other_id} ({self.score:.2f})"


class MergeRecord(WorkspaceOwned):
    """One merge of `merged` into `survivor`: what moved and what changed, so it can be undone."""

    survivor = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    merged = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    automatic = models.BooleanField(default=False)
    score = models.FloatField(null=True, blank=True)
    moved = models.JSONField(default=dict, help_text="model label -> ids moved to the survivor")
    survivor_before = models.JSONField(default=dict)
    merged_before = models.JSONField(default=dict)
    merged_at = models.DateTimeField(auto_now_add=True)
    unmerged_at = models.DateTimeField(null=True, blank=True)
    unmerged_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-merged_at", "-id"]

    def __str__(self) -> str:
        return f"{self.merged_id} merged into {self.survivor_id}"


class ImportJob(WorkspaceOwned):
    """An import of a CRM/ERP file: what, with which mapping, how far, and every row error."""

    class State(models.TextChoices):
        CHECKED = "checked", "Checked (dry run)"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    filename = models.CharField(max_length=255)
    mapping = models.CharField(max_length=60)
    source = models.CharField(
        max_length=40, blank=True, help_text="The source system rows are keyed by; the mapping's"
    )
    columns = models.JSONField(default=dict, blank=True, help_text="Field -> column, if custom")
    dry_run = models.BooleanField(default=False)
    valid_rows_only = models.BooleanField(default=False)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True, help_text="[{line, column, reason}]")
    message = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Import of {self.filename}"


class DedupeRun(WorkspaceOwned):
    """A batch dedupe of a workspace (or of some of its contacts, such as an import's), run in
    the background: how far it got and what it found."""

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    contact_ids = models.JSONField(
        default=list, blank=True, help_text="Only pairs with one of these; empty: every contact"
    )
    total_pairs = models.PositiveIntegerField(default=0)
    scored_pairs = models.PositiveIntegerField(default=0)
    suggested_count = models.PositiveIntegerField(default=0)
    merged_count = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Dedupe run {self.pk} ({self.state})"
