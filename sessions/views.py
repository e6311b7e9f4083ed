from django.shortcuts import render

from sessions import selectors
from sessions.forms import CatalogueFilterForm
from sessions.models import Delivery


def offer_list(request):
    form = CatalogueFilterForm(request.GET or None)
    programme = form.cleaned_data["programme"] if form.is_valid() else ""
    offers = list(selectors.offer_list(programme=programme))
    return render(
        request,
        "sessions/offer_list.html",
        {
            "form": form,
            "support_offers": [o for o in offers if o.delivery != Delivery.WEBINAR],
            "webinar_offers": [o for o in offers if o.delivery == Delivery.WEBINAR],
        },
    )


def offer_detail(request, slug: str):
    offer = selectors.offer_get(slug=slug)
    return render(request, "sessions/offer_detail.html", {"offer": offer})
