"""The admin's part in personal data: export and erase a person from the lists of sign-ins and
of peers, and the records of exports, erasures and retention runs (the last run first)."""

import json

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone

from peers.admin import PeerAdmin
from peers.models import Peer
from privacy.erasure import person_erase
from privacy.export import person_data, person_export
from privacy.models import DataRequest, RetentionRun
from privacy.people import person_find
from privacy.retention import retention_last_run, retention_policy


def _addresses(queryset) -> list[str]:
    return sorted({obj.email.strip().lower() for obj in queryset if obj.email})


@admin.action(description="Export the selected people's personal data", permissions=["view"])
def export_personal_data(modeladmin, request, queryset):
    addresses = _addresses(queryset)
    if request.POST.get("format") == "json" and len(addresses) == 1:
        document = json.dumps(person_export(email=addresses[0], by=request.user), indent=2)
        response = HttpResponse(document, content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="personal-data.json"'
        return response
    people = [{"email": a, "data": person_export(email=a, by=request.user)} for a in addresses]
    for person in people:
        person["json"] = json.dumps(person["data"], indent=2, ensure_ascii=False)
    return TemplateResponse(
        request,
        "privacy/person_data.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": "Personal data",
            "people": people,
            "queryset": queryset,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "opts": modeladmin.model._meta,
        },
    )


@admin.action(description="Erase the selected people's personal data", permissions=["delete"])
def erase_personal_data(modeladmin, request, queryset):
    addresses = _addresses(queryset)
    if request.POST.get("post") == "yes":
        for address in addresses:
            outcome = person_erase(email=address, by=request.user)
            modeladmin.message_user(
                request,
                f"Erased: now {outcome['pseudonym']}. "
                + ", ".join(f"{k}: {v}" for k, v in sorted(outcome["counts"].items()) if v),
                messages.SUCCESS,
            )
        return None
    people = []
    for address in addresses:
        data = person_data(address)
        seats = (data["peer"] or {}).get("seats", [])
        people.append(
            {
                "email": address,
                "found": person_find(address).found,
                "seats": len(seats),
                "registrations": len(data["webinar_registrations"]),
                "accounts": len(data["accounts"]),
            }
        )
    return TemplateResponse(
        request,
        "privacy/erase_confirm.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": "Erase personal data: are you sure?",
            "people": people,
            "queryset": queryset,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "opts": modeladmin.model._meta,
        },
    )


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class PersonUserAdmin(UserAdmin):
    actions = [export_personal_data, erase_personal_data]


admin.site.unregister(Peer)


@admin.register(Peer)
class PersonPeerAdmin(PeerAdmin):
    actions = [export_personal_data, erase_personal_data]


class RecordAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DataRequest)
class DataRequestAdmin(RecordAdmin):
    list_display = ["done_at", "kind", "subject", "done_by"]
    list_filter = ["kind"]
    search_fields = ["subject"]


@admin.register(RetentionRun)
class RetentionRunAdmin(RecordAdmin):
    list_display = ["started_at", "finished_at", "total"]
    readonly_fields = ["started_at", "finished_at", "counts"]

    @admin.display(description="Records deleted")
    def total(self, run: RetentionRun) -> int:
        return sum(run.counts.values())

    def changelist_view(self, request, extra_context=None):
        last = retention_last_run()
        extra_context = {
            **(extra_context or {}),
            "title": (
                f"Retention runs: last ran {timezone.localtime(last.finished_at):%d %B %Y at %H:%M}"
                if last
                else "Retention runs: not run yet"
            ),
            "policy": retention_policy(),
        }
        return super().changelist_view(request, extra_context)
