"""The admin's history pages in words: who made each change and what it changed.

Every model whose history the admin shows uses `HistoryInWordsAdmin`: "Changed by" names the
actor as the booking page does (`selectors.history.history_who`: the signed-in user, the peer
an e-mailed link or a calendar reply spoke for, the registrant, or the service itself), and
each change is said in words (statuses by their labels, times in UK time, people by name)
by the one function behind the booking page's history (`selectors.history.record_history`).
The table has three columns that wrap, so it reads on a phone without sideways scrolling.
"""

from simple_history.admin import SimpleHistoryAdmin

from sessions.selectors.history import record_history


class HistoryInWordsAdmin(SimpleHistoryAdmin):
    object_history_list_template = "admin/history_in_words.html"

    def __init__(self, model, admin_site):
        concrete = model._meta.concrete_model
        if model._meta.proxy and not hasattr(model._meta, "simple_history_manager_attribute"):
            # A proxy (e.g. booked sessions) reads the history its concrete model records.
            model._meta.simple_history_manager_attribute = (
                concrete._meta.simple_history_manager_attribute
            )
        super().__init__(model, admin_site)

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        page = list(historical_records)
        if not page:
            return
        every = type(page[0]).objects.filter(id=page[0].id).select_related("history_user")
        words = record_history(list(every))
        for record in page:
            record.in_words = words.get(record.history_id)
