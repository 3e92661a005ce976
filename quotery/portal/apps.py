from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "quotery.portal"
    label = "portal"

    def ready(self) -> None:
        # Imported here, as Django's documentation does for signal handlers: the email
        # builders read the models, which cannot be imported before the apps are loaded.
        from quotery.notifications.rendering import email_builders_register
        from quotery.portal.emails.kinds import PORTAL_EMAIL_BUILDERS

        email_builders_register(PORTAL_EMAIL_BUILDERS)
