"""The product pages (namespace "catalog"), listed here because the quotes app is the lowest
floor that knows every one of them: a product's page and its stock adjustment read delivery
notes (quotes.product_views); the list and the product forms are the catalog's views."""

from django.urls import path

from quotery.catalog import views
from quotery.quotes import product_views

app_name = "catalog"

urlpatterns = [
    path("", views.product_list, name="list"),
    path("new/", views.product_new, name="new"),
    path("<int:pk>/", product_views.product_detail, name="detail"),
    path("<int:pk>/edit/", views.product_edit, name="edit"),
    path("<int:pk>/stock/", product_views.stock_adjust, name="adjust"),
]
