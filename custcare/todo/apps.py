from django.apps import AppConfig


class ToDoConfig(AppConfig):
    name = "custcare.todo"
    label = "todo"
    verbose_name = "To Do"

    def ready(self) -> None:
        # Importing registers the To Do algorithm types and the TD-CCCB batch program.
        from custcare.todo import algorithms, batch  # noqa: F401
