"""The admin for what the organiser's mailbox brought: every message read and what it did,
calendar replies held for staff to decide (sent by someone other than the attendee), and
addresses that bounce (two bounces flag the address)."""

from django.contrib import admin, messages

from sessions.models import BouncedAddress, HeldReply, HeldReplyStatus, MailboxMessage
from sessions.services.inbound import held_reply_decide


@admin.register(MailboxMessage)
class MailboxMessageAdmin(admin.ModelAdmin):
    list_display = ["taken_at", "kind", "sender", "subject", "outcome", "moved_at"]
    list_filter = ["kind", "taken_at"]
    search_fields = ["sender", "subject", "message_id", "outcome"]
    exclude = ["forward_raw"]
    readonly_fields = [f.name for f in MailboxMessage._meta.fields if f.name != "forward_raw"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(HeldReply)
class HeldReplyAdmin(admin.ModelAdmin):
    list_display = ["created_at", "attendee", "sender", "partstat", "status", "decided_by"]
    list_filter = ["status", "partstat"]
    search_fields = ["attendee", "sender", "uid"]
    readonly_fields = [f.name for f in HeldReply._meta.fields]
    actions = ["apply_answer", "dismiss"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def _decide(self, request, queryset, *, apply: bool):
        for held in queryset.filter(status=HeldReplyStatus.WAITING):
            outcome = held_reply_decide(
                held_id=held.pk, apply=apply, decided_by=request.user.get_username()
            )
            level = messages.SUCCESS if outcome.applied or not apply else messages.WARNING
            self.message_user(request, f"{held.attendee}: {outcome.detail}", level)

    @admin.action(description="Apply the answer (the sender speaks for the attendee)")
    def apply_answer(self, request, queryset):
        self._decide(request, queryset, apply=True)

    @admin.action(description="Dismiss (change nothing)")
    def dismiss(self, request, queryset):
        self._decide(request, queryset, apply=False)


class FlaggedFilter(admin.SimpleListFilter):
    title = "flagged"
    parameter_name = "flagged"

    def lookups(self, request, model_admin):
        return [("yes", f"Bounced {BouncedAddress.FLAG_AFTER} times or more")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(bounces__gte=BouncedAddress.FLAG_AFTER)
        return queryset


@admin.register(BouncedAddress)
class BouncedAddressAdmin(admin.ModelAdmin):
    list_display = ["email", "peer", "bounces", "flagged", "last_bounced_at", "last_reason"]
    list_filter = [FlaggedFilter]
    search_fields = ["email", "peer__name"]
    readonly_fields = ["email", "peer", "bounces", "last_bounced_at", "last_reason"]

    @admin.display(boolean=True, description="Flagged")
    def flagged(self, obj):
        return obj.flagged

    def has_add_permission(self, request):
        return False
