"""Execute one notebook headless on a Jupyter kernel through nbclient; report one JSON line.

Used by scripts/run-notebooks.ts (`npm run notebooks`); see docs/jupyter-tooling.md.

    python run_notebook.py NOTEBOOK [--kernel ipc-course] [--timeout 120] [--save PATH]

The notebook is executed in memory and never written back. The kernel runs in the notebook's
folder. Cells run in order and the run stops at the first cell that fails, where failing means:
the kernel replied with status "error" (tslab gives no `error` output for TypeScript type
errors, so the reply status is what tells), an `error` output, or any output on the stderr
stream. A cell tagged `raises-exception` may do all of those; `allow-stderr` permits stderr only.

Prints exactly one JSON object on stdout:
  {"ok": true, "cells": <code cells run>}
  {"ok": false, "cells": n, "failure": {"cell": <1-based position in the notebook>,
   "first_line": str, "kind": "error" | "stderr" | "timeout" | "dead-kernel" | "kernel",
   "message": str}}
Exit status: 0 when the notebook passed, 1 when it failed, 2 on a usage or setup problem.
"""

import argparse
import asyncio
import json
import os
import re
import signal
import sys

try:
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
except ImportError as exc:  # the caller picks an interpreter that has nbclient; say if not
    print(f"run_notebook.py: {exc}; install nbclient (npm run jupyter:setup)", file=sys.stderr)
    sys.exit(2)

ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")

# tslab refuses execute requests for 200 ms after a cell fails (tslab issue #19): wait a little
# longer than that before the cell that follows an allowed failure.
TSLAB_ERROR_PAUSE_S = 0.3


def first_line(source):
    for line in source.splitlines():
        if line.strip():
            return line.strip()
    return ""


def cell_failure(cell, reply):
    """(kind, message) when an executed cell failed and its tags do not allow it, else None."""
    tags = cell.metadata.get("tags", [])
    if reply and reply["content"].get("status") == "abort":
        return "error", "the kernel aborted the cell without running it"
    if "raises-exception" in tags:
        return None
    outputs = cell.get("outputs", [])
    stderr = "".join(
        o.get("text", "") for o in outputs if o["output_type"] == "stream" and o["name"] == "stderr"
    )
    stderr = ANSI_ESCAPE.sub("", stderr).rstrip()
    for output in outputs:
        if output.get("output_type") == "error":
            trace = "\n".join(output.get("traceback", [])) or (
                f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"
            )
            return "error", ANSI_ESCAPE.sub("", trace)
    # tslab reports both type errors and uncaught exceptions on stderr with status "error".
    if reply and reply["content"].get("status") == "error":
        content = reply["content"]
        detail = f"{content.get('ename', '')}: {content.get('evalue', '')}".strip(": ")
        return "error", stderr or detail or "the kernel replied with status 'error', no output"
    if stderr and "allow-stderr" not in tags:
        return "stderr", stderr
    return None


def kill_process_group(pgid):
    """End whatever the kernel left in its own process group (children a cell spawned)."""
    if pgid is None or pgid == os.getpgrp():
        return
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


async def execute(nb, args):
    client = NotebookClient(
        nb,
        timeout=args.timeout,
        startup_timeout=args.startup_timeout,
        kernel_name=args.kernel,
        allow_errors=True,  # failures are judged by cell_failure(), which also checks stderr
        resources={"metadata": {"path": os.path.dirname(os.path.abspath(args.notebook))}},
    )
    last = {}
    client.on_cell_executed = lambda execute_reply, **_: last.update(reply=execute_reply)
    result = {"ok": True}
    cells_run = 0
    position = 0  # 1-based position of the cell being run, 0 before the first
    pgid = None
    try:
        async with client.async_setup_kernel():
            pgid = getattr(client.km.provisioner, "pgid", None)
            previous_status = "ok"
            for index, cell in enumerate(nb.cells):
                if cell.cell_type != "code" or not cell.source.strip():
                    continue
                position = index + 1
                if previous_status != "ok":
                    await asyncio.sleep(TSLAB_ERROR_PAUSE_S)
                last.clear()
                await client.async_execute_cell(cell, index)
                cells_run += 1
                reply = last.get("reply")
                previous_status = reply["content"].get("status") if reply else "error"
                failure = cell_failure(cell, reply)
                if failure:
                    result = fail(position, cell, *failure)
                    break
    except CellTimeoutError as exc:
        result = fail(position, nb.cells[position - 1], "timeout", f"over {args.timeout} s: {exc}")
    except DeadKernelError as exc:
        cell = nb.cells[position - 1] if position else None
        result = fail(position, cell, "dead-kernel", str(exc))
    except Exception as exc:  # the kernel did not start, or the client lost it
        cell = nb.cells[position - 1] if position else None
        result = fail(position, cell, "kernel", f"{type(exc).__name__}: {exc}")
    finally:
        kill_process_group(pgid)
    result["cells"] = cells_run
    return result


def fail(position, cell, kind, message):
    return {
        "ok": False,
        "failure": {
            "cell": position,
            "first_line": first_line(cell.source) if cell is not None else "",
            "kind": kind,
            "message": message,
        },
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook")
    parser.add_argument("--kernel", default="ipc-course")
    parser.add_argument("--timeout", type=int, default=120, help="seconds per cell")
    parser.add_argument("--startup-timeout", type=int, default=120, help="seconds")
    parser.add_argument("--save", help="write the executed copy here (never over NOTEBOOK)")
    args = parser.parse_args()

    source = os.path.realpath(args.notebook)
    if args.save and os.path.realpath(args.save) == source:
        print("run_notebook.py: --save must not be the notebook itself", file=sys.stderr)
        sys.exit(2)
    nb = nbformat.read(source, as_version=4)
    result = asyncio.run(execute(nb, args))
    if args.save:
        os.makedirs(os.path.dirname(os.path.abspath(args.save)), exist_ok=True)
        nbformat.write(nb, args.save)
    print(json.dumps(result), flush=True)
    sys.exit(0 if result["ok"] else 1)


if __name__ == "__main__":
    main()
