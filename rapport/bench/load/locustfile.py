"""The people of the load test, for Locust (`rapport bench load` runs it; LOAD_PLAN names the
plan file `rapport.bench.load.workspace` wrote: the accounts and ids to open).

Each simulated person signs in through the login page (a session cookie and CSRF, as a browser)
and also holds an API token (as an integration or a mobile client): web pages and form posts go
through the session, API calls through the token. Their mix, by role:

- agents work the inbox (the list under its views, a conversation, a reply, a note, assign to
  themselves, change the status) and cases (the list, a case, a comment, a status change);
- managers also decide the replies that wait for approval (the approvals page, approve or reject);
- employees browse what is heard, capture a post they saw, answer one (their replies wait for a
  manager's approval under the demo policy), comment on cases and finish their tasks.

Think time: a person reads the page they opened, types a reply or chooses a status before the
next click. Agents and managers, at the tool all day, act every 5 to 15 s (10 s on average: a
conversation of a minute or two over several clicks, a busy agent); employees, for whom Rapport
is one tool among others, every 10 to 30 s. 200 people so ask for about 17 requests a second,
more than a 200-seat care team makes (helpdesk agents close some tens of conversations an hour).

No Django import here: Locust runs under gevent, and the plan carries all it needs.
"""

import itertools
import json
import os
import random
from collections.abc import Iterator
from typing import Any

import gevent
from locust import HttpUser, between, events, task
from locust.clients import HttpSession
from locust.env import Environment

with open(os.environ.get("LOAD_PLAN", "load-plan.json")) as f:
    PLAN: dict[str, Any] = json.load(f)
SLUG = PLAN["slug"]
W = f"/w/{SLUG}"
_accounts: dict[str, Iterator[dict[str, Any]]] = {
    role: itertools.cycle(people) for role, people in PLAN["people"].items()
}
#: Seconds after the last person started signing in before the measuring starts: the last
#: sign-ins finish meanwhile.
SETTLE = 30


@events.spawning_complete.add_listener
def measure_from_now_on(user_count: int, **_: Any) -> None:
    """Everyone is signed in: the sign-in rush is written to LOAD_RAMP (reported on its own),
    and the figures start again for the working day."""
    gevent.spawn_later(SETTLE, _start_measuring, ENVIRONMENT[0])


ENVIRONMENT: list[Environment] = []


@events.init.add_listener
def remember(environment: Environment, **_: Any) -> None:
    ENVIRONMENT.append(environment)


def _start_measuring(environment: Environment) -> None:
    stats = environment.stats
    rush = [
        {
            "name": entry.name,
            "method": entry.method,
            "requests": entry.num_requests,
            "failures": entry.num_failures,
            "p50_ms": entry.get_response_time_percentile(0.5),
            "p95_ms": entry.get_response_time_percentile(0.95),
            "p99_ms": entry.get_response_time_percentile(0.99),
            "max_ms": round(entry.max_response_time or 0),
        }
        for entry in [*stats.entries.values(), stats.total]
        if entry.num_requests
    ]
    with open(os.environ.get("LOAD_RAMP", "load-ramp.json"), "w") as f:
        json.dump(rush, f)
    stats.reset_all()


REPLIES = [
    "Hi, I'm sorry about this. Could you send us a direct message with your details so we can "
    "look into it today? Acme Bank",
    "Thank you, that's lovely to hear! I'll pass it on to the team. Acme Bank",
    "Happy to help with that. One of our advisors will get in touch. Acme Bank",
]
NOTES = ["Customer called the branch too", "Checked the ledger, looks like a double charge"]
COMMENTS = ["Spoke to the customer, waiting for the statement", "Refund approved by credit"]
INBOX_VIEWS = ["", "?view=mine", "?view=open", "?view=leads", "?view=negative-unassigned"]
CASE_FILTERS = ["", "?status=open", "?owner=me", "?status=waiting_customer"]
#: Status changes an agent makes from a case's status (never "resolve": open tasks block it).
CASE_MOVES = {
    "new": ["open"],
    "open": ["waiting_customer", "waiting_third_party"],
    "waiting_customer": ["open"],
    "waiting_third_party": ["open"],
    "waiting_approval": ["open"],
}


class Person(HttpUser):
    abstract = True
    role = ""
    wait_time = between(5, 15)

    def on_start(self) -> None:
        self.account = next(_accounts[self.role])
        self.api = HttpSession(
            base_url=self.host, request_event=self.environment.events.request, user=self
        )
        self.api.headers["Authorization"] = f"Bearer {self.account['token']}"
        self.client.get("/login/", name="web login page")
        response = self.client.post(
            "/login/",
            {
                "username": self.account["email"],
                "password": self.account["password"],
                "csrfmiddlewaretoken": self.client.cookies.get("csrftoken") or "",
            },
            name="web sign in",
            allow_redirects=False,
            catch_response=True,
        )
        with response:
            if response.status_code != 302:
                response.failure(f"sign in answered {response.status_code}")

    # -- helpers ----------------------------------------------------------------------------
    def page(self, path: str, name: str) -> None:
        self.client.get(W + path, name=name)

    def form(self, path: str, data: dict[str, str], name: str) -> None:
        """A form post as the browser sends it: the CSRF token, and the redirect not followed
        (its page is timed as a page of its own)."""
        data = {**data, "csrfmiddlewaretoken": self.client.cookies.get("csrftoken") or ""}
        with self.client.post(
            W + path, data, name=name, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code not in (200, 302):
                response.failure(f"{response.status_code}: {response.text[:200]}")

    def call(self, method: str, path: str, name: str, **kwargs: Any) -> Any:
        with self.api.request(
            method, "/api/v1" + path, name=name, catch_response=True, **kwargs
        ) as response:
            if response.status_code >= 400:
                response.failure(f"{response.status_code}: {response.text[:200]}")
                return None
            return response.json()

    def conversation_id(self) -> int:
        return random.choice(PLAN["conversations"])

    def case_id(self) -> int:
        return random.choice(PLAN["cases"])

    # -- what everyone does -----------------------------------------------------------------
    def open_case(self) -> None:
        self.page(f"/cases/{self.case_id()}/", "web case")

    def list_cases(self) -> None:
        self.page("/cases/" + random.choice(CASE_FILTERS), "web cases")

    def comment_on_case(self) -> None:
        body = random.choice(COMMENTS)
        self.form(f"/cases/{self.case_id()}/comments/", {"body": body}, "web case comment")


class Agent(Person):
    """Works the inbox and cases."""

    role = "agent"
    weight = 6

    @task(4)
    def inbox(self) -> None:
        self.page("/inbox/" + random.choice(INBOX_VIEWS), "web inbox")

    @task(4)
    def conversation(self) -> None:
        self.page(f"/inbox/{self.conversation_id()}/", "web conversation")

    @task(2)
    def reply(self) -> None:
        self.call(
            "POST",
            f"/conversations/{self.conversation_id()}/replies",
            "api reply in conversation",
            json={"text": random.choice(REPLIES)},
        )

    @task(1)
    def note(self) -> None:
        path = f"/inbox/{self.conversation_id()}/notes/"
        self.form(path, {"body": random.choice(NOTES)}, "web conversation note")

    @task(1)
    def assign(self) -> None:
        path = f"/inbox/{self.conversation_id()}/assign/"
        self.form(path, {"assignee": "me"}, "web conversation assign")

    @task(1)
    def status(self) -> None:
        status = random.choice(["open", "waiting", "resolved", "closed"])
        path = f"/inbox/{self.conversation_id()}/status/"
        self.form(path, {"status": status}, "web conversation status")

    @task(2)
    def api_conversations(self) -> None:
        status = random.choice(["active", "new", "open"])
        self.call("GET", f"/conversations?status={status}", "api conversations")

    @task(1)
    def api_conversation(self) -> None:
        self.call("GET", f"/conversations/{self.conversation_id()}", "api conversation")

    @task(2)
    def cases(self) -> None:
        self.list_cases()

    @task(2)
    def case(self) -> None:
        self.open_case()

    @task(1)
    def case_comment(self) -> None:
        self.comment_on_case()

    @task(1)
    def case_status(self) -> None:
        case_id = self.case_id()
        case = self.call("GET", f"/cases/{case_id}", "api case")
        moves = CASE_MOVES.get(case["status"]) if case else None
        if moves:
            to = random.choice(moves)
            self.call("PATCH", f"/cases/{case_id}", "api case status", json={"status": to})

    @task(1)
    def api_cases(self) -> None:
        self.call("GET", "/cases?status=open", "api cases")

    @task(1)
    def my_work(self) -> None:
        self.page("/my-work/", "web my work")


class Manager(Agent):
    """An agent who also decides the replies waiting for approval."""

    role = "manager"
    weight = 1

    @task(3)
    def approvals(self) -> None:
        self.page("/approvals/", "web approvals")

    @task(3)
    def decide(self) -> None:
        waiting = self.call("GET", "/approvals?state=pending", "api approvals")
        if not waiting or not waiting["items"]:
            return
        approval = random.choice(waiting["items"])
        decision = random.choice(["approve", "approve", "approve", "reject"])
        comment = "" if decision == "approve" else "Please use the canned apology"
        if random.random() < 0.5:
            self.form(
                f"/approvals/{approval['id']}/decide/",
                {"decision": decision, "comment": comment},
                "web approval decide",
            )
            return
        with self.api.post(
            f"/api/v1/approvals/{approval['id']}/decision",
            json={"decision": decision, "comment": comment},
            name="api approval decide",
            catch_response=True,
        ) as response:
            # Another manager decided it a moment ago: the answer the person sees, not a fault.
            if response.status_code == 409:
                response.request_meta["name"] = "api approval decide (decided already)"
                response.success()
            elif response.status_code >= 400:
                response.failure(f"{response.status_code}: {response.text[:200]}")


class Employee(Person):
    """Anyone in the company: browses what is heard, captures and answers posts, helps on
    cases, finishes their tasks."""

    role = "employee"
    weight = 3
    wait_time = between(10, 30)

    def on_start(self) -> None:
        super().on_start()
        self.tasks_left = list(self.account["tasks"])
        random.shuffle(self.tasks_left)
        # Each answers posts of their own: two colleagues answering one post is refused (409,
        # "already replying"), as it should be, and is not what this test measures.
        employees = PLAN["people"]["employee"]
        index = next(i for i, e in enumerate(employees) if e["email"] == self.account["email"])
        self.posts_left = PLAN["posts"][index :: len(employees)]
        random.shuffle(self.posts_left)

    @task(3)
    def my_work(self) -> None:
        self.page("/my-work/", "web my work")

    @task(2)
    def listening(self) -> None:
        self.page("/listening/", "web listening")

    @task(2)
    def posts(self) -> None:
        self.call("GET", "/posts", "api posts")

    @task(1)
    def capture(self) -> None:
        self.call(
            "POST",
            "/captures",
            "api capture",
            json={
                "text": f"Saw this on the train: acme bank app crashed again ({random.random()})",
                "author": f"commuter{random.randint(1, 10_000)}",
                "network": "mastodon",
            },
        )

    @task(1)
    def reply_to_post(self) -> None:
        if not self.posts_left:
            return
        post_id = self.posts_left.pop()
        self.call(
            "POST",
            f"/posts/{post_id}/replies",
            "api reply to post",
            json={"text": "I work at Acme Bank. " + random.choice(REPLIES)},
        )

    @task(1)
    def case(self) -> None:
        self.open_case()

    @task(1)
    def case_comment(self) -> None:
        self.comment_on_case()

    @task(1)
    def complete_task(self) -> None:
        if self.tasks_left:
            task_id = self.tasks_left.pop()
            self.form(f"/my-work/tasks/{task_id}/done/", {}, "web task done")
