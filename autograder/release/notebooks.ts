/**
 * Notebooks go to learners without outputs: an output shows the answer a cell is meant to let
 * the learner discover, and a stale one shows a wrong answer.
 */

interface Cell {
  cell_type?: string;
  outputs?: unknown[];
  execution_count?: number | null;
  metadata?: Record<string, unknown>;
}

/** A notebook with its code cells' outputs cleared, and how many cells had something. */
export interface ClearedNotebook {
  text: string;
  clearedCells: number;
}

/**
 * Clears outputs, execution counts and JupyterLab's execution timings from every code cell of
 * the notebook `text` (nbformat 4 JSON). Returns `text` unchanged when there was nothing to
 * clear, else the notebook re-serialised as Jupyter writes it (one-space indent).
 */
export function clearNotebookOutputs(text: string): ClearedNotebook {
  const notebook = JSON.parse(text) as { cells?: Cell[] };
  let clearedCells = 0;
  for (const cell of notebook.cells ?? []) {
    if (cell.cell_type !== "code") continue;
    const hasOutputs = (cell.outputs?.length ?? 0) > 0;
    const hasCount = cell.execution_count !== null && cell.execution_count !== undefined;
    const hasTiming = cell.metadata !== undefined && "execution" in cell.metadata;
    if (!hasOutputs && !hasCount && !hasTiming) continue;
    clearedCells++;
    cell.outputs = [];
    cell.execution_count = null;
    if (cell.metadata) delete cell.metadata.execution;
  }
  if (clearedCells === 0) return { text, clearedCells };
  return { text: JSON.stringify(notebook, null, 1) + "\n", clearedCells };
}

/** Code cells of the notebook `text` that still hold an output or an execution count. */
export function cellsWithOutputs(text: string): number {
  const notebook = JSON.parse(text) as { cells?: Cell[] };
  return (notebook.cells ?? []).filter(
    (c) =>
      c.cell_type === "code" &&
      ((c.outputs?.length ?? 0) > 0 || (c.execution_count ?? null) !== null),
  ).length;
}
