from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from guanai.ops.worker import Worker


class Command(DbWorkerCommand):
    help = ("Run the background-task worker: jobs claimed once, bounded in time and memory, "
            "orphans of dead workers retried or failed, database outages waited out.")

    def handle(self, *, verbosity, queue_name, interval, batch, backend_name, startup_delay, reload,
               max_tasks, worker_id, exclude_queues, **options):
        self.configure_logging(verbosity)
        worker = Worker(
            queue_names=queue_name.split(","), interval=interval, batch=batch, backend_name=backend_name,
            startup_delay=startup_delay, max_tasks=max_tasks, worker_id=worker_id,
            excluded_queue_names=exclude_queues.split(",") if exclude_queues else [],
        )
        worker.configure_signals()
        worker.run()
