from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from peers import selectors, services
from peers.forms import ApiTokenForm, CouncilSearchForm, SignInForm


class SignInView(auth_views.LoginView):
    form_class = SignInForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True


@login_required
def council_list(request):
    form = CouncilSearchForm(request.GET or None)
    councils = selectors.council_list()
    if form.is_valid():
        councils = selectors.council_list(
            search=form.cleaned_data["search"].strip(),
            region=form.cleaned_data["region"],
            council_type=form.cleaned_data["council_type"],
        )
    page = Paginator(councils, 50).get_page(request.GET.get("page"))
    return render(request, "peers/council_list.html", {"form": form, "page": page})


@login_required
def account(request):
    form = ApiTokenForm()
    issued = None
    if request.method == "POST":
        form = ApiTokenForm(request.POST)
        if form.is_valid():
            try:
                issued = services.api_token_issue(user=request.user, name=form.cleaned_data["name"])
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    for message in errors:
                        form.add_error(field if field in form.fields else None, message)
            else:
                form = ApiTokenForm()
    return render(
        request,
        "peers/account.html",
        {
            "form": form,
            "issued": issued,
            "tokens": selectors.api_token_list(user=request.user),
        },
    )


@login_required
@require_POST
def token_revoke(request, token_id: int):
    token = services.api_token_revoke(user=request.user, token_id=token_id)
    messages.success(
        request, f"The token '{token.name}' is revoked. Scripts using it will stop working."
    )
    return redirect("account")
