from django.urls import path

from quotery.portal.views import rep

app_name = "sharing"
urlpatterns = [
    path("<int:pk>/share/", rep.share, name="share"),
    path("<int:pk>/shares/<int:share_pk>/resend/", rep.resend, name="resend"),
    path("<int:pk>/shares/<int:share_pk>/revoke/", rep.revoke, name="revoke"),
    path("<int:pk>/messages/", rep.reply, name="reply"),
]
