"""HTTP for the company-wide Engagement page: parse the date range, call the selector, render.

Who sees what: managers and admins the whole company's quotes, sales reps their own quotes,
finance nothing (404, like any page their role cannot open). Starter plans get a page that
describes what the Pro plan shows, and never any figures, whatever the query string.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from quotery.accounts.access import EDITORS, MemberRequest, member_required
from quotery.accounts.models import Role
from quotery.engagement.chain import pending_opens_fold_for_company
from quotery.engagement.charts import Bar, chart_styles, daily_bar_chart
from quotery.engagement.forms import DateRangeForm
from quotery.engagement.selectors import company_engagement, decline_reasons


@member_required(EDITORS)
def dashboard(request: MemberRequest) -> HttpResponse:
    company = request.company
    if not company.has_engagement_analytics:
        return render(request, "engagement/upsell.html", {"company": company})
    now = timezone.now()
    form = DateRangeForm(request.GET, today=now.astimezone(company.zone).date(), zone=company.zone)
    if not form.is_valid():
        return render(request, "engagement/dashboard.html", {"form": form}, status=400)
    # Opens the portal recorded but has not chained yet are chained first, so the page
    # counts every one (quotery.engagement.pending_opens).
    pending_opens_fold_for_company(company.pk)
    stats = company_engagement(membership=request.membership, date_range=form.date_range, now=now)
    chart = daily_bar_chart(
        [Bar(point.day, point.count) for point in stats.views_per_day],
        title="Views per day",
        chart_id="views-per-day",
    )
    context = {
        "form": form,
        "stats": stats,
        "chart": chart,
        "chart_styles": chart_styles(),
        "whole_company": request.membership.role != Role.REP,
        "decline_reasons": decline_reasons(
            membership=request.membership, date_range=form.date_range
        ),
    }
    return render(request, "engagement/dashboard.html", context)
