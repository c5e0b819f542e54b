"""What happens to SLA timers that other domains may react to (see `rapport.core.events`).

Each event names the timer (`object_id`), its case and its metric (first_response,
next_response, resolution). Insights count targets met and breached on them; the case's stream
shows warnings and breaches through `rapport.cases.activity.log`, in the sweep's transaction.
"""

from rapport.core.events import declare

SLA_WARNED = declare(
    "sla.warned",
    "An SLA timer passed its warning point (its policy's share of the target) while running; "
    "`escalations`: how many of its rules acted.",
    about="sla.slatimer",
    data={"case": int, "metric": str, "escalations": int},
)
SLA_BREACHED = declare(
    "sla.breached",
    "An SLA timer passed its due time unmet; `escalations`: how many of its rules acted.",
    about="sla.slatimer",
    data={"case": int, "metric": str, "escalations": int},
)
SLA_MET = declare(
    "sla.met",
    "An SLA target was met: a public update or a published reply (responses), resolving the "
    "case (resolution); `late`: after its due time (the target was breached).",
    about="sla.slatimer",
    data={"case": int, "metric": str, "late": bool},
)
