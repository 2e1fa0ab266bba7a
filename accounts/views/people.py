"""Account team and contact views, including personal data and erasure."""


from django.contrib import messages
from django.core.serializers.json import DjangoJSONEncoder
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kam import versioning
from kam.access import role_required, signed_in
from kam.errors import Conflict
from kam.idempotency import once_per_submit
from kam.people import person_label
from kam.roles import LEAD

from .. import selectors, services
from ..forms import (
    ContactEraseForm,
    ContactForm,
    ContactGoneForm,
    TeamMemberEditForm,
    TeamMemberForm,
)
from ..models import AccountTeamMember, Contact
from .accounts import _account_with_perm


@signed_in
@once_per_submit
def account_team(request, pk):
    account = _account_with_perm(request, pk, "accounts.manage_team")
    form = TeamMemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and versioning.form_write(form, lambda: services.team_member_add(
            actor=request.user, account=account, **form.cleaned_data))[0]:
        messages.success(request, _("Team updated."))
        return redirect("accounts:team", pk=account.pk)
    return render(request, "accounts/team.html", {"account": account, "form": form,
                                                  "team": selectors.account_team(account)})


def _member(request, pk, member_pk):
    account = _account_with_perm(request, pk, "accounts.manage_team")
    member = get_object_or_404(AccountTeamMember.objects.select_related("user", "account", "department"),
                               pk=member_pk, account=account)
    return account, member


@signed_in
def team_member_edit(request, pk, member_pk):
    account, member = _member(request, pk, member_pk)
    form = TeamMemberEditForm(request.POST or None, instance=member)
    conflict = None
    if request.method == "POST" and form.is_valid():
        done, conflict = versioning.form_write(form, lambda: services.team_member_update(
            actor=request.user, member=member, expected_version=form.cleaned_data.get("version"),
            department=form.cleaned_data["department"], role=form.cleaned_data["role"]))
        if done:
            messages.success(request, _("Team updated."))
            return redirect("accounts:team", pk=account.pk)
    return render(request, "accounts/team_member_form.html", {"account": account, "member": member, "form": form,
                                                              "conflict": conflict})


@signed_in
@require_POST
def team_member_remove(request, pk, member_pk):
    account, member = _member(request, pk, member_pk)
    try:
        services.team_member_remove(actor=request.user, member=member, expected_version=request.POST.get("version"))
    except Conflict:
        messages.warning(request, _("%(person)s's place on the team was changed meanwhile; nothing was removed. "
                                    "Check the team as it is now.") % {
            "person": person_label(member.user)})
    else:
        messages.success(request, _("%(person)s removed from the team.") % {
            "person": person_label(member.user)})
    return redirect("accounts:team", pk=account.pk)


# --- Relationship map ------------------------------------------------------------------------------
@signed_in
def account_contacts(request, pk):
    account = selectors.account_get_for_user(request.user, pk)
    return render(request, "accounts/contacts.html", {
        "account": account, "map": selectors.relationship_map(account),
        "can_edit": request.user.has_perm("accounts.change_account", account),
        "personal_data": request.user.has_perm("accounts.handle_personal_data", account)})


@signed_in
@once_per_submit
def contact_new(request, pk):
    account = _account_with_perm(request, pk, "accounts.change_account")
    form = ContactForm(request.POST or None, account=account)
    if request.method == "POST" and form.is_valid() and versioning.form_write(form, lambda: services.contact_save(
            actor=request.user, account=account, data=_contact_data(form)))[0]:
        messages.success(request, _("Contact added."))
        return redirect("accounts:contacts", pk=account.pk)
    return render(request, "accounts/contact_form.html", {"form": form, "account": account, "contact": None})


def _contact_data(form) -> dict:
    return {k: v for k, v in form.cleaned_data.items() if k != "version"}


def _contact_with_perm(request, contact_pk):
    contact = get_object_or_404(Contact.objects.select_related("account"), pk=contact_pk)
    account = _account_with_perm(request, contact.account_id, "accounts.change_account")
    return contact, account


@signed_in
def contact_edit(request, contact_pk):
    contact, account = _contact_with_perm(request, contact_pk)
    form = ContactForm(request.POST or None, instance=contact, account=account)
    conflict = None
    if request.method == "POST" and form.is_valid():
        done, conflict = versioning.form_write(form, lambda: services.contact_save(
            actor=request.user, account=account, contact=contact, data=_contact_data(form),
            expected_version=form.cleaned_data.get("version")))
        if done:
            messages.success(request, _("Contact saved."))
            return redirect("accounts:contacts", pk=account.pk)
    return render(request, "accounts/contact_form.html", {
        "form": form, "account": account, "contact": contact, "conflict": conflict,
        "personal_data": request.user.has_perm("accounts.handle_personal_data", account)})


@signed_in
def contact_gone(request, contact_pk):
    contact, account = _contact_with_perm(request, contact_pk)
    if contact.is_gone:
        messages.info(request, _("%(name)s is already marked as gone.") % {"name": contact.name})
        return redirect("accounts:contacts", pk=account.pk)
    form = ContactGoneForm(request.POST or None, contact=contact)
    if request.method == "POST" and form.is_valid() and versioning.form_write(form, lambda: services.contact_mark_gone(
            actor=request.user, contact=contact, left_at=form.cleaned_data["left_at"],
            successor=form.cleaned_data["successor"], successor_name=form.cleaned_data["successor_name"]))[0]:
        messages.success(request, _("%(name)s marked as gone; the position and its history stay.") % {
            "name": contact.name})
        return redirect("accounts:contacts", pk=account.pk)
    return render(request, "accounts/contact_gone.html", {"form": form, "account": account, "contact": contact})


# --- Personal data: export and erasure (the programme lead) -----------------------------------------
def _contact_for_personal_data(request, contact_pk):
    contact = get_object_or_404(Contact.objects.select_related("account"), pk=contact_pk)
    account = _account_with_perm(request, contact.account_id, "accounts.handle_personal_data")
    return contact, account


@role_required(LEAD)
def contact_personal_data(request, contact_pk):
    contact, account = _contact_for_personal_data(request, contact_pk)
    return render(request, "accounts/contact_personal_data.html", {
        "contact": contact, "account": account, "data": selectors.contact_personal_data(contact)})


@role_required(LEAD)
def contact_personal_data_json(request, contact_pk):
    contact, _account = _contact_for_personal_data(request, contact_pk)
    response = JsonResponse(selectors.contact_personal_data(contact), encoder=DjangoJSONEncoder,
                            json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = f'attachment; filename="contact-{contact.pk}-personal-data.json"'
    return response


@role_required(LEAD)
def contact_erase(request, contact_pk):
    contact, account = _contact_for_personal_data(request, contact_pk)
    form = ContactEraseForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and versioning.form_write(form, lambda: services.contact_erase(
            actor=request.user, contact=contact, reason=form.cleaned_data["reason"]))[0]:
        messages.success(request, _("The contact's personal data was erased; the erasure is logged."))
        return redirect("accounts:contacts", pk=account.pk)
    return render(request, "accounts/contact_erase.html", {
        "form": form, "account": account, "contact": contact, "terms": selectors.contact_mention_terms(contact)})


# --- Financials ------------------------------------------------------------------------------------
