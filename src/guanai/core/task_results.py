"""The database task backend's app under a Chinese name in the admin (its own name is
English, "Tasks Database Backend"; its model's words are in locale/zh_Hans)."""

from django_tasks_db.apps import TasksAppConfig


class TaskResultsConfig(TasksAppConfig):
    verbose_name = "后台任务"
