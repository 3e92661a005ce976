from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from quotery.accounts.access import MemberRequest, member_required
from quotery.clients.selectors import client_list_for


@member_required()
def client_list(request: MemberRequest) -> HttpResponse:
    return render(
        request, "clients/client_list.html", {"clients": client_list_for(company=request.company)}
    )
