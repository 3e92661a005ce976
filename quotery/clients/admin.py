from django.contrib import admin

from quotery.clients.models import Client, Contact


class ContactInline(admin.TabularInline[Contact, Client]):
    model = Contact
    extra = 0
    fields = ["name", "email", "phone"]


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin[Client]):
    list_display = ["name", "company"]
    list_filter = ["company"]
    search_fields = ["name"]
    inlines = [ContactInline]

    def save_formset(self, request, form, formset, change):  # type: ignore[no-untyped-def]
        for contact in formset.save(commit=False):
            contact.company_id = form.instance.company_id
            contact.save()
        formset.save_m2m()
