from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "scheduling"
    verbose_name = "Scheduling"

    def ready(self):
        # The request id reaches tasks and outbox entries (scheduling/request_log.py).
        from scheduling.request_log import request_log_connect
        from sessions.models import Invite

        request_log_connect(Invite)
