"""Mappings: which column of an export holds which field, and what the rows become.

Presets follow the exports as the systems write them:
- Salesforce Data Export / Data Loader CSVs name columns by API field (Id, FirstName,
  MailingCity, AccountId...); Contact.csv, Account.csv, Opportunity.csv and Case.csv.
  An Opportunity becomes an Order only when won (StageName "Closed Won" or IsWon true).
  A Salesforce Case becomes a *timeline entry* of its contact, not a Rapport case: exports
  are mostly history (closed long ago), and live cases opened here would start SLAs,
  notifications and queues for work already done elsewhere.
- HubSpot contact exports name columns by label ("Record ID", "First Name", "Country/Region").
- vCard files (one card per contact; UID is the external id, else the email).
- A generic orders/ERP CSV, one row per order line.
A custom mapping names, field by field, the column chosen on the upload page.
"""

from dataclasses import dataclass, field

from rapport.contacts import export
from rapport.contacts.imports.readers import FileProblem, Table


class Target:
    CONTACTS = "contacts"
    ORGANIZATIONS = "organizations"
    ORDERS = "orders"
    OPPORTUNITIES = "opportunities"
    CASES = "cases"


#: The fields a contacts import fills, with the words people use for them: most of a contact's own
#: (`models.CONTACT_FIELDS`), and columns that become something else (its company, its consent
#: rows, a job title among its attributes).
CONTACT_IMPORT_FIELDS = {
    "external_id": "External id",
    "name": "Full name",
    "first_name": "First name",
    "last_name": "Last name",
    "email": "Email",
    "phone": "Phone",
    "mobile": "Mobile phone",
    "birth_date": "Date of birth",
    "city": "City",
    "country": "Country",
    "language": "Language",
    "segment": "Segment",
    "tier": "Tier",
    "website": "Website",
    "bio": "Notes",
    "tags": "Tags",
    "organization_external_id": "Company id",
    "organization_name": "Company name",
    "job_title": "Job title",
    "email_opt_out": "Opted out of email",
    "do_not_call": "Do not call",
}
ORDER_FIELDS = {
    "order_id": "Order id",
    "customer_external_id": "Customer id",
    "customer_email": "Customer email",
    "ordered_at": "Order date",
    "sku": "Product SKU",
    "product_name": "Product name",
    "quantity": "Quantity",
    "unit_price": "Unit price",
    "currency": "Currency",
    "status": "Status",
}


@dataclass(frozen=True)
class Mapping:
    name: str
    label: str
    target: str
    source: str
    #: field -> the column names that may hold it, the first one present wins
    columns: dict[str, tuple[str, ...]]
    #: fields whose column must be in the file
    required_columns: tuple[str, ...] = ()
    #: groups of fields of which each row needs at least one value
    required_values: tuple[tuple[str, ...], ...] = ()
    reader: str = "csv"
    #: column -> attribute name, kept in the contact's custom attributes
    attributes: dict[str, str] = field(default_factory=dict)
    help: str = ""
    #: the file is Rapport's own export: cells carry `core.spreadsheet.guard`'s quote
    guarded_cells: bool = False

    def resolve(self, table: Table, chosen: dict[str, str] | None = None) -> dict[str, str]:
        """field -> the file's column for it; a FileProblem names the columns missing."""
        present = {c.strip().lower(): c for c in table.columns if c}
        resolved: dict[str, str] = {}
        candidates = (
            {f: (c,) for f, c in chosen.items() if c} if chosen is not None else self.columns
        )
        for name, options in candidates.items():
            for option in options:
                column = present.get(option.strip().lower())
                if column is not None:
                    resolved[name] = column
                    break
            else:
                if chosen is not None:
                    raise FileProblem(
                        f"The column {options[0]!r} chosen for {self.field_label(name)} is not"
                        " in the file."
                    )
        missing = [f for f in self.required_columns if f not in resolved]
        for group in self.required_values:
            if not any(f in resolved for f in group):
                missing.append(" or ".join(group))
        if missing:
            wanted = ", ".join(self._column_words(f) for f in missing)
            found = ", ".join(repr(c) for c in table.columns[:12])
            hint = ""
            if len(table.columns) == 1:
                other = next((d for d in ";\t|," if d in table.columns[0]), "")
                if other:
                    hint = (
                        f" The header reads as one column: is the file separated by"
                        f" {other!r} rather than {table.delimiter!r}?"
                    )
            raise FileProblem(
                f"Missing required column(s) for {self.label}: {wanted}."
                f" The file has: {found}.{hint}"
            )
        return resolved

    def field_label(self, name: str) -> str:
        return CONTACT_IMPORT_FIELDS.get(name) or ORDER_FIELDS.get(name) or name.replace("_", " ")

    def _column_words(self, wanted: str) -> str:
        names = []
        for name in wanted.split(" or "):
            options = self.columns.get(name)
            names.append(repr(options[0]) if options else self.field_label(name))
        return " or ".join(names)

    def attribute_columns(self, table: Table) -> dict[str, str]:
        present = {c.strip().lower(): c for c in table.columns}
        return {
            present[col.lower()]: attr
            for col, attr in self.attributes.items()
            if col.lower() in present
        }


SALESFORCE_CONTACTS = Mapping(
    name="salesforce-contacts",
    label="Salesforce Contacts (Contact.csv)",
    target=Target.CONTACTS,
    source="salesforce",
    columns={
        "external_id": ("Id", "Contact ID"),
        "first_name": ("FirstName", "First Name"),
        "last_name": ("LastName", "Last Name"),
        "name": ("Name", "Full Name"),
        "email": ("Email",),
        "phone": ("Phone", "Business Phone"),
        "mobile": ("MobilePhone", "Mobile"),
        "birth_date": ("Birthdate",),
        "city": ("MailingCity", "Mailing City"),
        "country": ("MailingCountry", "Mailing Country", "MailingCountryCode"),
        "organization_external_id": ("AccountId", "Account ID"),
        "job_title": ("Title",),
        "bio": ("Description",),
        "email_opt_out": ("HasOptedOutOfEmail", "Email Opt Out"),
        "do_not_call": ("DoNotCall", "Do Not Call"),
        "language": ("Languages__c",),
    },
    required_columns=("external_id", "last_name"),
    required_values=(("last_name", "name"),),
    attributes={
        "Department": "department",
        "LeadSource": "lead_source",
        "OwnerId": "salesforce_owner_id",
        "Salutation": "salutation",
    },
    help="A Contact.csv from Salesforce's Data Export or Data Loader (Id, FirstName, LastName, …).",
)

SALESFORCE_ACCOUNTS = Mapping(
    name="salesforce-accounts",
    label="Salesforce Accounts (Account.csv)",
    target=Target.ORGANIZATIONS,
    source="salesforce",
    columns={
        "external_id": ("Id", "Account ID"),
        "name": ("Name", "Account Name"),
        "industry": ("Industry",),
        "segment": ("Type", "Account Type"),
        "domain": ("Website",),
        "city": ("BillingCity", "Billing City"),
        "country": ("BillingCountry", "Billing Country"),
        "tier": ("CustomerPriority__c", "Rating"),
    },
    required_columns=("external_id", "name"),
    required_values=(("name",),),
    attributes={
        "AnnualRevenue": "annual_revenue",
        "NumberOfEmployees": "employees",
        "Phone": "phone",
        "OwnerId": "salesforce_owner_id",
    },
    help="An Account.csv from Salesforce: each account becomes an organization. Import it"
    " before or after the contacts: their AccountId links them either way.",
)

SALESFORCE_OPPORTUNITIES = Mapping(
    name="salesforce-opportunities",
    label="Salesforce Opportunities (Opportunity.csv)",
    target=Target.OPPORTUNITIES,
    source="salesforce",
    columns={
        "external_id": ("Id", "Opportunity ID"),
        "name": ("Name", "Opportunity Name"),
        "stage": ("StageName", "Stage"),
        "is_won": ("IsWon", "Won"),
        "amount": ("Amount",),
        "close_date": ("CloseDate", "Close Date"),
        "currency": ("CurrencyIsoCode", "Opportunity Currency"),
        "contact_external_id": ("ContactId", "Contact ID"),
        "organization_external_id": ("AccountId", "Account ID"),
    },
    required_columns=("external_id", "stage", "amount", "close_date"),
    required_values=(("contact_external_id", "organization_external_id"),),
    help="Won opportunities (Closed Won) become orders of their contact (ContactId, else the"
    " account's first contact); the others are skipped.",
)

SALESFORCE_CASES = Mapping(
    name="salesforce-cases",
    label="Salesforce Cases (Case.csv)",
    target=Target.CASES,
    source="salesforce",
    columns={
        "external_id": ("Id", "Case ID"),
        "number": ("CaseNumber", "Case Number"),
        "subject": ("Subject",),
        "description": ("Description",),
        "status": ("Status",),
        "priority": ("Priority",),
        "origin": ("Origin", "Case Origin"),
        "created_at": ("CreatedDate", "Date/Time Opened"),
        "contact_external_id": ("ContactId", "Contact ID"),
        "organization_external_id": ("AccountId", "Account ID"),
    },
    required_columns=("external_id", "created_at"),
    required_values=(("contact_external_id", "organization_external_id"),),
    help="Each case goes on its contact's timeline (history, not a live Rapport case).",
)

HUBSPOT_CONTACTS = Mapping(
    name="hubspot-contacts",
    label="HubSpot contacts export",
    target=Target.CONTACTS,
    source="hubspot",
    columns={
        "external_id": ("Record ID", "Contact ID", "hs_object_id"),
        "first_name": ("First Name", "firstname"),
        "last_name": ("Last Name", "lastname"),
        "email": ("Email", "email"),
        "phone": ("Phone Number", "phone"),
        "mobile": ("Mobile Phone Number", "mobilephone"),
        "city": ("City", "city"),
        "country": ("Country/Region", "Country", "country"),
        "birth_date": ("Date of birth", "date_of_birth"),
        "language": ("Preferred language", "hs_language"),
        "segment": ("Lifecycle Stage", "lifecyclestage"),
        "organization_name": ("Company Name", "Associated Company", "company"),
        "job_title": ("Job Title", "jobtitle"),
        "website": ("Website URL", "website"),
    },
    required_columns=("external_id",),
    required_values=(("first_name", "last_name", "email"),),
    attributes={
        "Contact owner": "hubspot_owner",
        "Lead Status": "lead_status",
        "Marketing contact status": "marketing_status",
        "Create Date": "hubspot_created",
    },
    help="A contacts export from HubSpot (Record ID, First Name, Last Name, Email, …); the"
    " lifecycle stage becomes the segment.",
)

VCARD = Mapping(
    name="vcard",
    label="vCard file (.vcf)",
    target=Target.CONTACTS,
    source="vcard",
    reader="vcard",
    columns={
        "external_id": ("UID",),
        "name": ("FN",),
        "first_name": ("N.given",),
        "last_name": ("N.family",),
        "email": ("EMAIL",),
        "phone": ("TEL",),
        "city": ("ADR.locality",),
        "country": ("ADR.country",),
        "birth_date": ("BDAY",),
        "organization_name": ("ORG",),
        "job_title": ("TITLE",),
        "website": ("URL",),
        "bio": ("NOTE",),
        "tags": ("CATEGORIES",),
    },
    required_values=(("name", "last_name", "email"),),
    help="Address-book cards (vCard 3 or 4); a card without UID is matched by its email.",
)

ORDERS = Mapping(
    name="orders",
    label="Orders (generic ERP CSV, one row per order line)",
    target=Target.ORDERS,
    source="erp",
    columns={
        "order_id": ("order id", "order_id", "order number", "order"),
        "customer_external_id": ("customer external id", "customer id", "customer_id"),
        "customer_email": ("customer email", "email", "customer_email"),
        "ordered_at": ("date", "order date", "ordered_at", "order_date"),
        "sku": ("product sku", "sku", "product_sku"),
        "product_name": ("product name", "product", "product_name"),
        "quantity": ("quantity", "qty"),
        "unit_price": ("unit price", "price", "unit_price"),
        "currency": ("currency",),
        "status": ("status",),
    },
    required_columns=("order_id", "ordered_at", "sku", "quantity", "unit_price"),
    required_values=(("customer_external_id", "customer_email"),),
    help="order id, customer external id or email, date, product sku, product name,"
    " quantity, unit price, currency, status. Customers are found by the external id they"
    " were imported with (from the source named, e.g. salesforce), else by email.",
)

CUSTOM = Mapping(
    name="custom",
    label="Custom: choose the column for each field",
    target=Target.CONTACTS,
    source="import",
    columns={},
    required_values=(("name", "last_name", "first_name", "email"),),
    help="Any CSV of people: pick which column holds which field. Without an external id"
    " column, rows are matched to contacts by email.",
)

RAPPORT = Mapping(
    name="rapport",
    label="Rapport contacts export (CSV)",
    target=Target.CONTACTS,
    source="rapport",
    columns={column.field: (column.header,) for column in export.COLUMNS if column.field},
    required_columns=("external_id",),
    required_values=(("name", "last_name", "email"),),
    help="A contacts CSV exported from Rapport (another workspace, or a backup).",
    guarded_cells=True,
)

PRESETS: dict[str, Mapping] = {
    m.name: m
    for m in (
        SALESFORCE_CONTACTS,
        SALESFORCE_ACCOUNTS,
        SALESFORCE_OPPORTUNITIES,
        SALESFORCE_CASES,
        HUBSPOT_CONTACTS,
        VCARD,
        ORDERS,
        RAPPORT,
        CUSTOM,
    )
}


def get_mapping(name: str) -> Mapping:
    try:
        return PRESETS[name]
    except KeyError:
        raise FileProblem(f"Unknown mapping {name!r}; use one of {', '.join(PRESETS)}.") from None
