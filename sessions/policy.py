"""The policy tables of the panel plan: how senior a peer counts in a seat's fit, and how far
one slot search may reach. The engine weighs these numbers; here they are set."""

from datetime import timedelta

# The seniority (0..3) an officer peer's profession brings to a seat's fit; a profession not
# listed counts 1. The matcher's lead points need at least 2 (`LEAD_MIN_SENIORITY`).
SENIORITY = {
    "chief-executive": 3,
    "s151-finance": 2,
    "childrens-services": 2,
    "adult-social-services": 2,
    "public-health": 2,
    "monitoring-officer": 1,
    "communications": 1,
    "planning": 1,
}
# Every member peer (an experienced councillor) counts as this senior.
MEMBER_SENIORITY = 2
# The longest range of starts one slot search may cover.
MAX_SLOT_RANGE = timedelta(weeks=26)
