"""Who people are, asked of the applications service (it owns the directory).

``Directory(applications)`` wraps the worker's ``RpcProxy("applications")`` for one
event: it resolves user ids to contacts with ``internal_actors`` (one call for them all),
expands unit ids to their members with ``internal_people``, and finds the program of
a campaign (funding events carry none) with ``internal_campaign``. Answers are cached
for the life of the object, so planning an event asks each question once.

Contacts are ``{"name", "email", "lang"}``: ``email`` is the person's ``email`` field
(people without one get no e-mail), ``lang`` their ``lang`` field if the directory
has one. A user id the directory does not know gets no contact (the inbox still
works: it is addressed by user id).
"""
import logging
import time

from core.errors import NotFound

log = logging.getLogger(__name__)

PROGRAM_TTL_SECONDS = 300
_program_titles = {}     # name -> (title_zh, title_en, fetched at); display names change rarely


def contact_of(person):
    return {"name": person.get("name") or "", "email": person.get("email") or None,
            "lang": person.get("lang") or None}


class Directory:
    def __init__(self, applications, store=None):
        self.applications = applications
        self.store = store
        self._contacts = {}
        self._units = {}
        self._campaigns = {}

    def contacts(self, user_ids):
        """{user_id: contact} for the ids the directory knows."""
        wanted = [u for u in dict.fromkeys(user_ids) if u not in self._contacts]
        if wanted:
            found = self.applications.internal_actors(wanted)   # one call, however many recipients
            for user_id in wanted:
                self._contacts[user_id] = contact_of(found[user_id]) if user_id in found else None
        return {u: self._contacts[u] for u in user_ids if self._contacts.get(u)}

    def expand_units(self, unit_ids):
        """User ids of everyone in these units (their class, dorm, branch or college)."""
        key = tuple(sorted(unit_ids))
        if key not in self._units:
            people = self.applications.internal_people(unit_ids=list(key))
            for person in people:
                self._contacts.setdefault(person["id"], contact_of(person))
            self._units[key] = [p["id"] for p in people]
        return self._units[key]

    def campaign_program(self, campaign_id):
        if not campaign_id:
            return None
        if campaign_id not in self._campaigns:
            try:
                self._campaigns[campaign_id] = self.applications.internal_campaign(campaign_id).get("program")
            except NotFound:
                self._campaigns[campaign_id] = None
        return self._campaigns[campaign_id]

    def program_title(self, name, lang="zh"):
        """The program's display name (registered with this service, else asked of the
        applications service), or the name itself."""
        if not name:
            return None
        cached = _program_titles.get(name)
        if cached is None or time.monotonic() - cached[2] > PROGRAM_TTL_SECONDS:
            titles = None
            stored = self.store.program(name) if self.store is not None else None
            if stored:
                titles = (stored.get("title_zh"), stored.get("title_en"))
            else:
                try:
                    program = self.applications.get_program(name)
                    titles = (program.get("title_zh"), program.get("title_en"))
                except NotFound:
                    titles = (name, name)
            cached = (titles[0] or name, titles[1] or name, time.monotonic())
            _program_titles[name] = cached
        return cached[0] if lang == "zh" else cached[1]
