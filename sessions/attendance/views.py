"""The page on which a session's LGA lead (or LGA staff) records who attended: a choice for
each person on it, with an error summary; reached from the booking page and the lead's My
sessions. Anyone else is refused (403) as the API refuses them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path

from peers.forms import form_write
from peers.selectors import caller_for
from sessions.attendance import selectors, services
from sessions.attendance.forms import AttendanceForm
from sessions.attendance.models import AttendanceStatus
from sessions.attendance.rules import attendance_open


@login_required
def attendance(request, session_id: int):
    caller = caller_for(request.user)
    session = selectors.attendance_session(caller=caller, session_id=session_id)
    form = AttendanceForm(
        request.POST if request.method == "POST" else None,
        rows=selectors.attendance_rows(session),
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and form_write(
            form,
            lambda: services.attendance_record(caller=caller, session=session, marks=form.marks()),
        ).done
    ):
        messages.success(request, "Attendance is recorded.")
        return redirect("attendance", session_id=session.pk)
    return render(
        request,
        "sessions/attendance/attendance.html",
        {
            "session": session,
            "booking": session.booking,
            "form": form,
            "invalid": form if form.errors else None,
            "open": attendance_open(session),
            "choices": AttendanceStatus.choices,
        },
        status=422 if form.errors else 200,
    )


urlpatterns = [
    path("sessions/<int:session_id>/attendance/", attendance, name="attendance"),
]
