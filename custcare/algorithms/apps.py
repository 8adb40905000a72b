from django.apps import AppConfig


class AlgorithmsConfig(AppConfig):
    name = "custcare.algorithms"
    label = "algorithms"
    verbose_name = "Algorithms and installation options"

    def ready(self) -> None:
        # Importing the built-in algorithm types registers them.
        from custcare.algorithms import builtin  # noqa: F401
