"""What a person may list, as the store reads it (store.list_applications,
count_visible, position_of): `permissions.visible_filter` with the states other
units' reviewers see, one by one, and the campaign asked for when the reader
administers a unit its every application lies under.

Reviewers of other units see every state but the private ones (drafts), and of the
states a draft reaches without being submitted (withdrawing a draft) only the
applications that were submitted once. Both follow from the state machine's steps,
so a new step keeps the lists right without a change here."""
from services.applications.domain.permissions import PRIVATE_STATES, visible_filter
from services.applications.domain.state_machine import STATES, STEPS


def _reached_unsubmitted():
    """The states a private state reaches by steps other than submitting."""
    reached, todo = set(PRIVATE_STATES), list(PRIVATE_STATES)
    while todo:
        source = todo.pop()
        for step in STEPS:
            if step.source == source and step.action != "submit" and step.target not in reached:
                reached.add(step.target)
                todo.append(step.target)
    return reached - PRIVATE_STATES


UNSUBMITTED_REACH = frozenset(_reached_unsubmitted())
# [state, shown only when submitted once] for every state others see
SHOWN_STATES = tuple([name, name in UNSUBMITTED_REACH] for name in STATES if name not in PRIVATE_STATES)


def whole_campaign(visible, campaign):
    """True when one of the reader's school units is the campaign's unit or above it:
    then every application of the campaign lies under that unit (an applicant must
    lie under the campaign's unit, workflow._applicant_for; a nominee keeps its
    source's path, which lies under the lower campaign's unit, itself under this one)."""
    scope = {campaign.get("unit_id"), *(campaign.get("unit_path") or [])} - {None}
    return bool(scope & set(visible["school_units"]))


def readable(actor, campaign=None):
    """`visible_filter(actor)` with `shown_states`, and `whole_campaigns` (the
    campaign's id, when given and `whole_campaign` holds; else empty)."""
    visible = dict(visible_filter(actor), shown_states=[list(pair) for pair in SHOWN_STATES])
    visible["whole_campaigns"] = [campaign["_id"]] if campaign and whole_campaign(visible, campaign) else []
    return visible
