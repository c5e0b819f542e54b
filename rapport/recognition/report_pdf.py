"""HTML to PDF for the HR report, on every core: WeasyPrint lays out one document at a time on
one core, so each chunk of people is printed in a process of its own and the chunks' PDFs are
joined in order with pypdf.

Nothing here touches Django: the children are started fresh ("spawn", never a fork of a worker
holding database connections and threads) and get only HTML. WeasyPrint fetches nothing: no
network, no local file, whatever the text holds.
"""

import io
import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed


def processes() -> int:
    """How many to print with: RAPPORT_REPORT_PROCESSES, or the cores this process may use."""
    wanted = os.environ.get("RAPPORT_REPORT_PROCESSES", "")
    if wanted.strip().isdigit() and int(wanted) > 0:
        return int(wanted)
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def printed(html: str) -> bytes:
    """One HTML document as PDF bytes."""
    # Imported here: loading WeasyPrint (and Pango) costs a second and memory that web
    # processes, which never make a PDF, would pay at start-up.
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    class Offline(URLFetcher):
        def fetch(self, url: str, headers: object = None) -> None:
            raise ValueError(f"the HR report loads nothing from outside ({url})")

    return HTML(string=html, url_fetcher=Offline()).write_pdf()


def _quiet() -> None:
    import logging

    logging.getLogger("weasyprint").setLevel(logging.ERROR)  # a line per step otherwise


def join(
    documents: Sequence[str], done: Callable[[int], None] = lambda i: None, workers: int = 0
) -> bytes:
    """The documents printed and joined into one PDF, in order; `done(i)` as each is printed
    (in any order). One worker, or a single document, prints here without starting any."""
    from pypdf import PdfWriter

    workers = min(workers or processes(), len(documents))
    parts: list[bytes] = [b""] * len(documents)
    if workers <= 1:
        for i, html in enumerate(documents):
            parts[i] = printed(html)
            done(i)
    else:
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(workers, mp_context=context, initializer=_quiet) as pool:
            futures = {pool.submit(printed, html): i for i, html in enumerate(documents)}
            for future in as_completed(futures):
                parts[futures[future]] = future.result()
                done(futures[future])
    if len(parts) == 1:
        return parts[0]
    writer = PdfWriter()
    for part in parts:
        writer.append(io.BytesIO(part))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
