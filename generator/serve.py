"""Live preview: MkDocs' own server, plus a watcher that regenerates content/."""

from __future__ import annotations

import threading
from typing import Callable

from watchdog.events import FileSystemEventHandler
from watchdog.observers import Observer

from .project import Project


_CHANGES = {"created", "modified", "deleted", "moved", "closed"}


class _Regenerate(FileSystemEventHandler):
    """Debounces bursts of file events into one regeneration."""

    def __init__(self, project: Project, on_change: Callable[[], None]) -> None:
        self.project, self.on_change = project, on_change
        self.timer: threading.Timer | None = None
        self.lock = threading.Lock()

    def on_any_event(self, event) -> None:
        # Reading a file raises open/close events too; regenerating on those would loop.
        if event.is_directory or event.event_type not in _CHANGES:
            return
        path = str(getattr(event, "dest_path", "") or event.src_path)
        if not (path.startswith(str(self.project.sources)) or path == str(self.project.vocabulary)):
            return
        with self.lock:
            if self.timer:
                self.timer.cancel()
            self.timer = threading.Timer(0.3, self.on_change)
            self.timer.start()


def serve(project: Project, dev_addr: str, on_change: Callable[[], None]) -> None:
    """Serve until interrupted; MkDocs reloads the browser when content/ changes."""
    from mkdocs.commands.serve import serve as mkdocs_serve

    observer = Observer()
    handler = _Regenerate(project, on_change)
    if project.sources.is_dir():
        observer.schedule(handler, str(project.sources), recursive=True)
    observer.schedule(handler, str(project.vocabulary.parent), recursive=False)
    observer.start()
    try:
        mkdocs_serve(config_file=str(project.root / "mkdocs.yml"), dev_addr=dev_addr,
                     livereload=True)
    finally:
        observer.stop()
        observer.join()
