"""Work that runs outside a request: the queue, the tasks workers run, the scheduler, batch harvests.

``queue`` enqueues tasks by name and knows no services; ``tasks`` is what a worker runs (it
builds its app once); ``scheduler`` queues the sources that are due; ``batch`` harvests many
sources in this process with harvester processes beside it; ``commands`` are the CLI's
`worker` and `scheduler`.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the queue's commands."""
    from .commands import scheduler_command, worker_command

    app.cli.add_command(worker_command)
    app.cli.add_command(scheduler_command)
