from django.apps import AppConfig
from django.db.models.signals import post_migrate


class SecurityConfig(AppConfig):
    name = "custcare.security"
    label = "security"
    verbose_name = "Security (roles, API tokens)"

    def ready(self) -> None:
        from custcare.security.roles import roles_sync_after_migrate

        # Role groups need the permissions Django creates after migrating, so they are kept in
        # step at the same moment.
        post_migrate.connect(roles_sync_after_migrate, sender=self)
