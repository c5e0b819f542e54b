"""Recognition in the demo workspace: three months of the work the contribution ledger credits,
done through the real actions, so the people pages, the team view and the HR report have a
history to show.

Every week for thirteen weeks:

- a prospect asks about the app or the savings accounts; a Social Care agent hands the lead to
  Ravi (R&D), who answers it (he is an employee: Maya approves his reply before it is posted);
- Sam answers a complaint publicly, and opens a case for another customer owed a refund: Tom
  (Credit) checks the ledger and notes what he found, Ingrid (Senior credit officers) approves
  the refund within the hour, Sam tells the customer on the case and resolves it;
- Priya answers a customer's question, and every other week Nora (Sales) a mortgage lead;
- every other week a note asks a colleague outside Social Care (@tom, @ravi) and they answer;
- some weeks customers thank the person who answered them, by answering their reply or by
  naming them in full; Tom captures an angry post he saw; colleagues thank each other with
  kudos (Sam thanks Ravi for his answers, Ingrid for her quick approvals, Tom for the ledger).

This morning's lead, from Iris Calloway (`OPEN_LEAD`), was handed to Ravi and waits for his
answer. The idea promoted from a post and shipped is the ideas demo's (`FREEZE`, by Sam).

Each step runs at its moment (`rapport.demo.clock`): its events are journalled then, so the
ledger dates each contribution when it happened, and the rows it wrote carry that time too.
The customers are made up for this story; they become contacts once it is told. Loaded once:
a workspace that has heard from the first customer gets nothing more.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import F
from django.utils import timezone

from rapport.approvals import actions as approvals
from rapport.approvals.models import Approval
from rapport.cases import actions as cases
from rapport.cases.approvals import request_case_approval
from rapport.cases.models import Case
from rapport.connectors.base import Author, Batch, NormalisedPost
from rapport.contacts.actions import create_contact
from rapport.contacts.models import Identity
from rapport.core.models import Membership, Team, Workspace
from rapport.demo.clock import Clock
from rapport.engagement import actions as engagement
from rapport.engagement import outbox
from rapport.engagement.models import Reply
from rapport.inbox import actions as inbox
from rapport.inbox.capture import capture
from rapport.inbox.models import Conversation, ConversationPost
from rapport.listening.ingest import receive
from rapport.listening.models import Post, Source
from rapport.notifications.models import Notification
from rapport.profile import timeline
from rapport.recognition.actions import give_kudos

WEEKS = 13


@dataclass(frozen=True)
class Customer:
    name: str
    handle: str
    network: str  # x, mastodon or bluesky
    reach: int


CUSTOMERS = [
    Customer("Grace Obi", "graceobi", "x", 840),
    Customer("Martin Keller", "mkeller", "mastodon", 260),
    Customer("Aisha Rahman", "aisha_builds", "bluesky", 1_900),
    Customer("Owen Price", "owenprice_cafe", "x", 430),
    Customer("Lucia Ferreira", "luciaf", "mastodon", 150),
    Customer("Daniel Brooks", "dbrooks", "bluesky", 610),
    Customer("Hannah Weiss", "hannahweiss", "x", 2_300),
    Customer("Kwame Asante", "kwame_a", "mastodon", 95),
    Customer("Ellie Novak", "ellienovak", "bluesky", 380),
    Customer("Patrick Doyle", "paddy_doyle", "x", 1_150),
    Customer("Mei Lin", "meilin_studio", "mastodon", 720),
    Customer("Rafael Ortiz", "rafaortiz", "x", 530),
    Customer("Freya Lund", "freyalund", "bluesky", 240),
    Customer("Jonas Berg", "jonasberg", "x", 310),
    Customer("Nadia Karim", "nadiakarim", "mastodon", 1_400),
    Customer("Theo Grant", "theogrant", "bluesky", 670),
]
IRIS = Customer("Iris Calloway", "iriscalloway", "mastodon", 980)

# One a week: (the prospect's post, the hand-off note, Ravi's answer). Ravi is not on the
# designated social team, so his public answers say that he works at Acme Bank.
LEADS = [
    (
        "Thinking of moving my small business to @acmebank. Can two directors approve payments "
        "in the app? Would someone from sales get in touch?",
        "@ravi a business prospect asks about dual approval in the app: can you answer?",
        "I work at Acme Bank, on the app team. Yes: add a second approver under Business > "
        "Payments and both of you get a notification before a payment goes.",
    ),
    (
        "Does the @acmebank easy saver pay interest daily or monthly? Looking to open a savings "
        "account this week.",
        "A savings prospect: Ravi, you know how the easy saver pays interest.",
        "I work at Acme Bank. The easy saver works interest out daily and pays it monthly; you "
        "can open it in the app in about five minutes.",
    ),
    (
        "Can I connect Xero to an @acmebank business account? Would switch my shop's banking "
        "this month if so.",
        "Ravi, a shop wants to know about our Xero feed before switching.",
        "I work at Acme Bank. Yes: the Xero feed is built in. In the app, Business > "
        "Connections > Xero, and transactions arrive every morning.",
    ),
    (
        "Is Apple Pay on @acmebank business cards? I need it before I move my cafe's accounts "
        "over.",
        "Prospect asking about Apple Pay on business cards: Ravi?",
        "I work at Acme Bank. Apple Pay works on every business card; add it from the card's "
        "screen in the app and it is ready at once.",
    ),
    (
        "@acmebank can your app export statements as CSV? My accountant needs them and I am "
        "comparing banks.",
        "Ravi, can you answer this one about CSV exports? A prospect.",
        "I work at Acme Bank. Statements export as CSV or PDF from Accounts > Statements, for "
        "any range of dates.",
    ),
    (
        "Looking for a new bank for our payroll. Does @acmebank have an API for business accounts?",
        "A payroll prospect asks for our business API: over to you Ravi.",
        "I work at Acme Bank, on the team that builds it. Yes: the business API does payments "
        "and balances; the developer portal has a sandbox to try it.",
    ),
    (
        "Does @acmebank offer a fixed-rate saver I can open in the app? Deciding where to put "
        "my savings this week.",
        "Ravi, savings prospect asking about the fixed-rate saver in the app.",
        "I work at Acme Bank. The one-year fixed saver opens in the app: Savings > New > Fixed "
        "rate. The rate is fixed on the day you open it.",
    ),
    (
        "My partner and I want to switch banks. Can we open a joint account with @acmebank "
        "entirely in the app?",
        "A couple wants to open a joint account in the app: Ravi?",
        "I work at Acme Bank. Yes: one of you starts it in the app, the other gets an invite "
        "and confirms their identity with a selfie. No branch visit.",
    ),
    (
        "Thinking of opening a teen account with @acmebank. Can I set spending limits on my "
        "son's card from my app?",
        "Ravi, a parent asks about limits on teen cards before opening one.",
        "I work at Acme Bank. Yes: from your app you set daily limits, block categories and "
        "freeze the card; your son sees the limits in his own app.",
    ),
    (
        "Freelancer paid in euros, looking to move banks. Does @acmebank do multi-currency "
        "accounts in the app?",
        "Freelancer prospect asking about euro accounts. Ravi, can you take it?",
        "I work at Acme Bank. You can add a euro account in the app next to your pound one and "
        "move money between them at the rate shown.",
    ),
    (
        "About to move my savings to @acmebank. Can I schedule international transfers in the app?",
        "Ravi, a prospect asks about scheduled international transfers.",
        "I work at Acme Bank. Yes: Payments > International lets you set a date or a monthly "
        "transfer, and shows the fee before you confirm.",
    ),
    (
        "Is the @acmebank savings account protected, and can I see it next to my current "
        "account in the app? Ready to open one.",
        "Savings prospect asking about protection and the app: Ravi?",
        "I work at Acme Bank. Deposits are protected up to the scheme's limit, and your savings "
        "show under your current account in the app.",
    ),
    (
        "Small charity looking for a new bank. Can @acmebank give two trustees view-only "
        "access in the app?",
        "Ravi, a charity prospect asks about view-only access for trustees.",
        "I work at Acme Bank. Yes: invite them under Business > People as viewers; they see "
        "balances and statements and cannot move money.",
    ),
]
OPEN_LEAD = (
    "Does the @acmebank business account sync with Xero and QuickBooks? We would switch our "
    "studio's banking this week."
)
OPEN_LEAD_NOTE = (
    "@ravi a studio asks about Xero and QuickBooks before switching: could you answer them today?"
)

# One a week, answered by Sam: (the complaint, his reply).
COMPLAINTS = [
    (
        "@acmebank my contactless card keeps getting declined at the supermarket. Third time "
        "this week and the queue behind me was not happy.",
        "I'm sorry, {first}. Could you send us a direct message? I'll check what is declining "
        "your card today. Sam, Acme Bank",
    ),
    (
        "Been on hold with @acmebank for forty minutes about a blocked card. Terrible.",
        "Sorry for the wait, {first}. Send us a direct message and I'll unblock it from here. "
        "Sam, Acme Bank",
    ),
    (
        "@acmebank the app will not let me add a new payee, error every single time. Rent is "
        "due tomorrow!",
        "Sorry {first}: a fix is going out today. Until then new payees work on the website. "
        "Sam, Acme Bank",
    ),
    (
        "@acmebank my replacement card never arrived. Two weeks now and nobody can tell me "
        "where it is.",
        "I'm sorry, {first}. Please DM us your postcode and I'll send a new card by tracked "
        "post. Sam, Acme Bank",
    ),
    (
        "Why does the @acmebank app log me out every time I switch apps? So annoying.",
        "Sorry {first}! Turn on 'Stay signed in' under Settings > Security and it stops. Sam, "
        "Acme Bank",
    ),
    (
        "@acmebank my standing order to my landlord did not go out this month. Not impressed.",
        "I'm sorry, {first}. DM us and I'll check why it did not go out and send it today. "
        "Sam, Acme Bank",
    ),
    (
        "@acmebank cash machine in Leeds kept my card and nobody at the branch could help.",
        "Sorry about that, {first}. Send us a DM: I'll cancel it and order a new one now. Sam, "
        "Acme Bank",
    ),
    (
        "Still no answer from @acmebank about my address change. Three emails now.",
        "I'm sorry, {first}. DM us your new address and I'll update it myself today. Sam, "
        "Acme Bank",
    ),
    (
        "@acmebank your app shows my balance wrong since this morning, panicking a bit here.",
        "Sorry {first}: your money is safe, the balance display is being fixed now. Sam, Acme Bank",
    ),
    (
        "@acmebank the chat in the app just says 'try again later'. For two days.",
        "Sorry {first}, the chat is back now. Send us a DM and I'll pick it up myself. Sam, "
        "Acme Bank",
    ),
    (
        "@acmebank I was told my mortgage statement would come last week. Nothing yet.",
        "I'm sorry, {first}. DM us and I'll email the statement to you today. Sam, Acme Bank",
    ),
    (
        "Tried to raise my card limit with @acmebank three times, the form fails every time.",
        "Sorry {first}: send us a DM and I'll raise it for you from here. Sam, Acme Bank",
    ),
    (
        "@acmebank the new app update hid my savings pots. Where did they go?",
        "Sorry {first}! They moved under Savings at the bottom of the screen. Sam, Acme Bank",
    ),
]

# One a week, answered by Priya: (the question, her answer).
QUESTIONS = [
    (
        "@acmebank how do I get a statement for my visa application? Embassy wants stamped.",
        "Hi {first}, a stamped statement can be ordered in the app under Documents; it arrives "
        "in two days. Priya, Acme Bank",
    ),
    (
        "@acmebank is there a way to change my PIN without going to a cash machine?",
        "Hi {first}! Yes: Cards > Change PIN in the app. Priya, Acme Bank",
    ),
    (
        "@acmebank how long does a cheque take to clear these days? Deposited Monday.",
        "Hi {first}, cheques clear by the end of the next working day. Priya, Acme Bank",
    ),
    (
        "Does @acmebank charge for paying in coins at the branch? Kids emptied their piggy bank.",
        "Hi {first}, no charge for coins on a personal account. Enjoy! Priya, Acme Bank",
    ),
    (
        "@acmebank lost my phone, how do I log in on the new one without my old codes?",
        "Hi {first}, choose 'New phone' on the login screen and confirm with a selfie. Priya, "
        "Acme Bank",
    ),
    (
        "@acmebank can I add my partner as a second card holder on my credit card?",
        "Hi {first}, yes: Cards > Additional card holder in the app. Priya, Acme Bank",
    ),
    (
        "@acmebank why is my card payment still 'pending' after five days?",
        "Hi {first}, the shop has not collected it yet; it drops off after seven days. Priya, "
        "Acme Bank",
    ),
    (
        "@acmebank how do I report a scam text pretending to be you?",
        "Thanks {first}: forward it to 7726 and delete it. We never text links. Priya, Acme Bank",
    ),
    (
        "@acmebank can I pay my council tax by standing order from the app?",
        "Hi {first}, yes: Payments > Standing orders > New. Priya, Acme Bank",
    ),
    (
        "@acmebank is the Leeds branch open on Saturday mornings now?",
        "Hi {first}, yes, 9 to 12 every Saturday. Priya, Acme Bank",
    ),
    (
        "@acmebank how do I turn off paper statements? Trying to cut the clutter.",
        "Hi {first}: Settings > Statements > Paperless. Priya, Acme Bank",
    ),
    (
        "@acmebank can I get notifications when my balance drops below £100?",
        "Hi {first}, yes: Settings > Alerts > Low balance. Priya, Acme Bank",
    ),
    (
        "@acmebank how do I close an old savings account I don't use?",
        "Hi {first}, open it in the app and choose 'Close account'. Priya, Acme Bank",
    ),
]

# Every other week, a mortgage lead Nora (Sales) answers: (the post, her answer).
MORTGAGE_LEADS = [
    (
        "First-time buyer in Bristol, looking for a mortgage this spring. @acmebank can you help?",
        "Hi {first}, happy to help: book a call with our mortgage team in the app. Nora, Acme Bank",
    ),
    (
        "@acmebank my fix ends in June. What remortgage rates can you offer? Switching lenders.",
        "Hi {first}, I'll send our current rates by message today. Nora, Acme Bank",
    ),
    (
        "Looking to buy a flat in York with a 10% deposit. @acmebank do you lend at 90%?",
        "Hi {first}, yes, we lend up to 90%. I'll message you the details. Nora, Acme Bank",
    ),
    (
        "@acmebank do you do mortgages for the self-employed? Thinking of applying.",
        "Hi {first}, we do: two years of accounts is enough. Nora, Acme Bank",
    ),
    (
        "Moving house in Norwich this summer. @acmebank can I port my mortgage to you?",
        "Hi {first}, we can look at that together; I'll send you a message. Nora, Acme Bank",
    ),
    (
        "@acmebank what's your best buy-to-let mortgage? Looking to buy my first rental.",
        "Hi {first}, I'll message you our buy-to-let range today. Nora, Acme Bank",
    ),
    (
        "Can @acmebank give me a mortgage in principle online? House hunting next month.",
        "Hi {first}, yes: in the app in ten minutes, no effect on your credit score. Nora, Acme "
        "Bank",
    ),
]

# One a week, a refund through a case: (the complaint, the case, the amount refunded).
REFUNDS = [
    ("@acmebank why was I charged a £12 fee for an overdraft I never used?", "Overdraft fee", 12),
    ("@acmebank you took a £25 fee because my salary was one day late. Not fair.", "Late fee", 25),
    ("@acmebank a £9.99 card fee I never agreed to, on my statement again.", "Card fee", 9.99),
    ("@acmebank I paid £35 for a transfer that never arrived. Want it back.", "Transfer fee", 35),
    ("@acmebank £18 in interest on a balance I had already cleared??", "Interest charge", 18),
    ("@acmebank my £60 deposit at the branch is not on my account.", "Branch deposit", 60),
    ("@acmebank you charged me £5 for a paper statement I opted out of.", "Statement fee", 5),
    ("@acmebank £40 cash I never got from the machine is still gone.", "Cash machine", 40),
    ("@acmebank £15 foreign fee on a card payment made at home?", "Foreign fee", 15),
    ("@acmebank £22 unpaid item fee when the money was there.", "Unpaid item fee", 22),
    ("@acmebank my £120 refund from the airline went into a closed account.", "Airline", 120),
    ("@acmebank a £30 account fee after you moved me to a new account.", "Account fee", 30),
    ("@acmebank £8 charged for a card replacement that was your fault.", "Card replacement", 8),
]

# Customers' thanks: to Ravi's published answer (weeks), and to Sam by name.
THANKS_TO_RAVI = {
    1: "Thank you, that was a brilliant answer. Opening the savings account today, great help!",
    4: "Perfect, thanks so much! Exactly what my accountant needed. Great service.",
    7: "Lovely, thank you! Opening our joint account tonight. Really helpful answer.",
    10: "Brilliant, thanks! That's exactly what I wanted to hear. Switching this week.",
}
PRAISE_FOR_SAM = {
    2: "Sam Okafor at @acmebank sorted my card in ten minutes. Brilliant service, thank you!",
    6: "Huge thanks to Sam Okafor from @acmebank, so kind and helpful. Great customer service.",
    9: "Shout-out to Sam Okafor at @acmebank: fixed my problem the same day. Amazing, thank you!",
    12: "Sam Okafor at @acmebank is a star. Quick, friendly and sorted everything. Love it!",
}
PRAISE_FOR_RAVI_BY_NAME = {
    11: "Ravi Patel from @acmebank explained the business API so clearly. Great help, thank you!",
}
# Angry posts on X that Tom saw and brought in, the listening queries having missed them:
# week -> (author, text).
CAPTURED = {
    3: ("dave_r_88", "Acme froze my account and nobody will tell me why. Worst bank ever."),
    8: ("k_mcallister", "Three weeks and Acme still ignores my complaint. Disgraceful."),
}


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


class Story:
    def __init__(self, workspace: Workspace, owner: Membership) -> None:
        self.ws, self.owner = workspace, owner
        self.clock = Clock(workspace)
        self.today = timezone.localdate()
        self.members = {
            m.user.email.split("@")[0]: m
            for m in Membership.objects.filter(workspace=workspace).select_related("user")
        }
        self.teams = {t.name: t for t in Team.objects.filter(workspace=workspace)}
        self.sources = {
            s.connector: s
            for s in Source.objects.filter(workspace=workspace).order_by("-pk")
            if s.connector in ("x", "mastodon", "bluesky")
        }
        self.posted = 0

    def m(self, name: str) -> Membership:
        return self.members.get(name, self.owner)

    def day(self, week: int, offset: int) -> dt.date:
        """Day `offset` of week `week` (0 is thirteen weeks ago)."""
        return self.today - dt.timedelta(weeks=WEEKS - week) + dt.timedelta(days=offset)

    # ---- what customers write -----------------------------------------------------------

    def post(self, who: Customer, text: str, at: dt.datetime, reply_to: str = "") -> Post:
        """A customer's post, heard as a source hears one: triaged, grouped and routed."""
        self.posted += 1
        external_id = f"acme-recognition-{self.posted:03d}"
        receive(
            self.ws,
            Batch(
                posts=[
                    NormalisedPost(
                        network=who.network,
                        external_id=external_id,
                        text=text,
                        author=Author(
                            external_id=f"{who.network}:recognition-{who.handle}",
                            handle=who.handle,
                            display_name=who.name,
                            reach=who.reach,
                        ),
                        created_at=at,
                        url=f"https://{who.network}.example/{who.handle}/{external_id}",
                        language="en",
                        reply_to_id=reply_to,
                    )
                ]
            ),
            source=self.sources.get(who.network),
        )
        return Post.objects.get(workspace=self.ws, network=who.network, external_id=external_id)

    @staticmethod
    def conversation(post: Post) -> Conversation:
        link = ConversationPost.objects.select_related("conversation").get(post=post)
        return link.conversation

    # ---- what colleagues do -------------------------------------------------------------

    def answer(self, author: Membership, post: Post, text: str) -> Reply:
        """A public reply, approved by Maya when it waits for a manager, then published (the
        demo's policy records it); it gets the id the network would have given it, so a
        customer can answer it."""
        reply = engagement.send_reply(author, post, text=text)
        if reply.status == Reply.Status.PENDING_APPROVAL:
            approval = Approval.objects.get(
                workspace=self.ws, object_id=reply.pk, content_type__model="reply"
            )
            self.clock.later(minutes=25)
            approvals.decide(self.m("maya"), approval, decision="approve")
        outbox.publish(reply.pk)
        network_id = f"{reply.network}-reply-{reply.pk}"
        Reply.objects.filter(pk=reply.pk).update(network_id=network_id)
        reply.network_id = network_id
        return reply

    def lead(self, week: int, who: Customer) -> Reply:
        text, note, answer = LEADS[week]
        asker = self.m("sam" if week % 3 else "priya")
        with self.clock.at(_at(self.day(week, 0), 9, 10)):
            post = self.post(who, text, _at(self.day(week, 0), 8, 55))
        conv = self.conversation(post)
        with self.clock.at(_at(self.day(week, 0), 9, 40)):
            inbox.hand_off(asker, conv, to=self.m("ravi"), note=note)
        with self.clock.at(_at(self.day(week, 0), 13, 5)):
            reply = self.answer(self.m("ravi"), post, answer)
        if week in THANKS_TO_RAVI:
            at = _at(self.day(week, 1), 8, 30)
            with self.clock.at(at):
                self.post(who, THANKS_TO_RAVI[week], at, reply_to=reply.network_id)
        if week % 3 == 1:
            with self.clock.at(_at(self.day(week, 1), 10, 15)):
                give_kudos(
                    asker,
                    self.m("ravi"),
                    "conversation",
                    conv.pk,
                    "Thanks for answering the prospect so quickly, they opened an account.",
                )
        with self.clock.at(_at(self.day(week, 1), 17, 0)):
            inbox.set_status(asker, Conversation.objects.get(pk=conv.pk), status="resolved")
        return reply

    def complaint(self, week: int, who: Customer) -> None:
        text, reply = COMPLAINTS[week]
        with self.clock.at(_at(self.day(week, 1), 10, 0)):
            post = self.post(who, text, _at(self.day(week, 1), 9, 48))
        conv = self.conversation(post)
        with self.clock.at(_at(self.day(week, 1), 10, 20)):
            self.answer(self.m("sam"), post, reply.format(first=who.name.split()[0]))
        if week % 2 == 0:  # a question for a colleague outside Social Care
            expert, ask, told = (
                ("tom", "@tom did we change the card fees this month? Customer asks.", "No "
                 "change since March: it is the supermarket's terminal, nothing on our side.")
                if week % 4 == 0
                else ("ravi", "@ravi is the app issue this customer reports a known one?", "Yes, "
                      "fixed in the release going out tonight.")
            )  # fmt: skip
            with self.clock.at(_at(self.day(week, 1), 10, 40)):
                inbox.add_note(self.m("sam"), conv, body=ask)
            with self.clock.at(_at(self.day(week, 1), 11, 30)):
                inbox.add_note(self.m(expert), conv, body=told)
        with self.clock.at(_at(self.day(week, 2), 9, 0)):
            inbox.set_status(self.m("sam"), Conversation.objects.get(pk=conv.pk), status="resolved")

    def answered(self, week: int, who: Customer, agent: str, text: str, reply: str) -> None:
        """A customer's post answered publicly by `agent`, who resolves it that afternoon."""
        with self.clock.at(_at(self.day(week, 3), 11, 5)):
            post = self.post(who, text, _at(self.day(week, 3), 10, 52))
        with self.clock.at(_at(self.day(week, 3), 11, 35)):
            self.answer(self.m(agent), post, reply.format(first=who.name.split()[0]))
            self.clock.later(hours=4)
            conv = self.conversation(post)
            inbox.set_status(self.m(agent), conv, status="resolved")

    def refund(self, week: int, who: Customer) -> Case:
        text, subject, amount = REFUNDS[week]
        sam, tom, ingrid = self.m("sam"), self.m("tom"), self.m("ingrid")
        with self.clock.at(_at(self.day(week, 2), 11, 0)):
            post = self.post(who, text, _at(self.day(week, 2), 10, 41))
        conv = self.conversation(post)
        with self.clock.at(_at(self.day(week, 2), 11, 20)):
            self.answer(
                sam,
                post,
                f"Sorry {who.name.split()[0]}, that should not have happened. I've opened a "
                "case and will refund it once it is checked. Sam, Acme Bank",
            )
            case = cases.open_case_from_conversation(
                sam,
                conv,
                subject=f"Refund: {subject} (£{amount:g})",
                team=self.teams.get("Social Care"),
                owner=sam,
                tags=["refund"],
            )
            check = cases.add_task(sam, case, title="Check the charge in the ledger", assignee=tom)
            tell = cases.add_task(sam, case, title="Tell the customer", assignee=sam)
        with self.clock.at(_at(self.day(week, 2), 14, 30)):
            cases.update_task(tom, check, status="done")
            cases.add_comment(
                tom, case, body=f"Checked: the £{amount:g} was charged in error; refund it."
            )
        with self.clock.at(_at(self.day(week, 2), 15, 0)):
            approval = request_case_approval(
                sam,
                case,
                approver=ingrid,
                amount=f"{amount:.2f}",
                reason=f"{subject}: charged in error, confirmed by Tom in the ledger.",
                summary=f"Refund £{amount:g} ({subject.lower()})",
            )
            self.clock.later(minutes=35 + 5 * (week % 5))
            approvals.decide(ingrid, approval, decision="approve", comment="Approved, refund it.")
        with self.clock.at(_at(self.day(week, 2), 16, 45)):
            case.refresh_from_db()
            cases.add_comment(
                sam,
                case,
                body=f"We have refunded the £{amount:g}; it shows on your account tomorrow.",
                public=True,
            )
            cases.update_task(sam, tell, status="done")
            cases.transition(sam, case, to="resolved")
            inbox.set_status(sam, Conversation.objects.get(pk=conv.pk), status="resolved")
        if week % 4 == 2:
            with self.clock.at(_at(self.day(week, 3), 9, 5)):
                give_kudos(
                    sam, ingrid, "case", case.pk, "Thank you for approving the refund so fast!"
                )
        if week % 4 == 0:
            with self.clock.at(_at(self.day(week, 3), 9, 20)):
                give_kudos(sam, tom, "case", case.pk, "Thanks for finding the charge so quickly.")
        if week % 5 == 3:
            with self.clock.at(_at(self.day(week, 3), 12, 0)):
                give_kudos(
                    self.m("maya"),
                    sam,
                    "case",
                    case.pk,
                    "Great case: the customer had the refund the same day.",
                )
        return case

    def praise(self, week: int, who: Customer, text: str, thanker: str) -> None:
        """A customer's praise, thanked and closed by a colleague the next morning."""
        at = _at(self.day(week, 3), 19, 30)
        with self.clock.at(at):
            post = self.post(who, text, at)
        with self.clock.at(_at(self.day(week, 4), 9, 10)):
            colleague = self.m(thanker)
            self.answer(
                colleague,
                post,
                f"Thank you {who.name.split()[0]}, that's lovely to hear! I'll pass it on. "
                f"{colleague.user.display_name.split()[0]}, Acme Bank",
            )
            inbox.set_status(colleague, self.conversation(post), status="resolved")

    def captured(self, week: int, author: str, text: str) -> None:
        with self.clock.at(_at(self.day(week, 4), 8, 45)):
            found = capture(self.m("tom"), text=text, author=author, network="x")
        with self.clock.at(_at(self.day(week, 4), 9, 30)):
            self.answer(
                self.m("priya"),
                found.post,
                "I'm sorry to read this. Please send us a message with your details and I "
                "will look into it today. Priya, Acme Bank",
            )
        with self.clock.at(_at(self.day(week, 5), 11, 0)):
            conv = Conversation.objects.get(pk=found.conversation.pk)
            inbox.set_status(self.m("priya"), conv, status="resolved")

    def open_lead(self) -> Conversation:
        """This morning's lead, handed to Ravi and not answered yet."""
        now = timezone.now()
        posted = min(_at(self.today, 8, 50), now - dt.timedelta(hours=3))
        with self.clock.at(posted + dt.timedelta(minutes=5)):
            post = self.post(IRIS, OPEN_LEAD, posted)
        conv = self.conversation(post)
        with self.clock.at(posted + dt.timedelta(minutes=40)):
            inbox.hand_off(self.m("sam"), conv, to=self.m("ravi"), note=OPEN_LEAD_NOTE)
        return conv

    # ---- once told ----------------------------------------------------------------------

    def customers(self) -> None:
        """The story's customers become contacts, with their timelines (as the contacts demo
        links the listening demo's authors); their cases belong to them."""
        for who in [*CUSTOMERS, IRIS]:
            contact = create_contact(self.owner, name=who.name, tags=["demo"])
            Identity.objects.filter(
                workspace=self.ws, external_id=f"{who.network}:recognition-{who.handle}"
            ).update(contact=contact)
            Case.objects.filter(
                workspace=self.ws,
                customer__isnull=True,
                conversation__identity__contact=contact,
            ).update(customer=contact)
            timeline.backfill(contact)

    def tell(self) -> None:
        for week in range(WEEKS):
            self.lead(week, CUSTOMERS[week % len(CUSTOMERS)])
            self.complaint(week, CUSTOMERS[(week + 5) % len(CUSTOMERS)])
            self.refund(week, CUSTOMERS[(week + 10) % len(CUSTOMERS)])
            self.answered(week, CUSTOMERS[(week + 13) % len(CUSTOMERS)], "priya", *QUESTIONS[week])
            if week % 2 == 1:
                lead = MORTGAGE_LEADS[week // 2]
                self.answered(week, CUSTOMERS[(week + 7) % len(CUSTOMERS)], "nora", *lead)
            if week in PRAISE_FOR_SAM:
                who = CUSTOMERS[(week + 5) % len(CUSTOMERS)]
                self.praise(week, who, PRAISE_FOR_SAM[week], "sam")
            if week in PRAISE_FOR_RAVI_BY_NAME:
                who = CUSTOMERS[week % len(CUSTOMERS)]
                self.praise(week, who, PRAISE_FOR_RAVI_BY_NAME[week], "priya")
            if week in CAPTURED:
                self.captured(week, *CAPTURED[week])
        self.open_lead()
        self.clock.settle()
        self.customers()
        # What people were told days ago they have read since.
        Notification.objects.filter(
            workspace=self.ws,
            read_at__isnull=True,
            created_at__lt=timezone.now() - dt.timedelta(days=3),
        ).update(read_at=F("created_at") + dt.timedelta(hours=2))


def first_post(workspace: Workspace) -> Post | None:
    return Post.objects.filter(workspace=workspace, external_id="acme-recognition-001").first()


def load(workspace: Workspace, owner: Membership) -> None:
    """Tells the story once (see the module's docstring)."""
    if first_post(workspace) is not None:
        return
    if not {"Social Care", "R&D", "Credit"} <= set(
        Team.objects.filter(workspace=workspace).values_list("name", flat=True)
    ):
        return  # not the demo's teams
    Story(workspace, owner).tell()
