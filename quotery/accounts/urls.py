from django.contrib.auth import views as auth_views
from django.urls import path

from quotery.accounts import views
from quotery.accounts.forms import EmailLoginForm

app_name = "accounts"

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="accounts/login.html",
            authentication_form=EmailLoginForm,
            redirect_authenticated_user=True,
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.password_change, name="password_change"),
    path("settings/", views.company_settings, name="settings"),
    path("users/", views.member_list, name="members"),
    path("users/new/", views.member_new, name="member_new"),
    path("users/<int:pk>/", views.member_detail, name="member_detail"),
    path("users/<int:pk>/deactivate/", views.member_deactivate, name="member_deactivate"),
    path("users/<int:pk>/reactivate/", views.member_reactivate, name="member_reactivate"),
    path("logo/<int:company_id>/", views.company_logo, name="logo"),
]
