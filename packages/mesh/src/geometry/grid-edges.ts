import { uninitialisedInt32 } from '../memory/scratch-memory.js';
/**
 * The edges of a marching grid of `columns` × `rows` nodes, numbered: horizontal edges (node →
 * node + 1) row by row, then vertical ones (node → node + columns), then one diagonal per cell
 * (a → c on cells with even row + column, b → d on odd ones, for corners a b / d c).
 */
export interface EdgeTable {
  /** Rim vertex per edge, −1 where the edge does not cross the silhouette. */
  vertex: Int32Array;
  verticalStart: number;
  diagonalStart: number;
}

export function createEdgeTable(columns: number, rows: number): EdgeTable {
  const verticalStart = (columns - 1) * rows;
  const diagonalStart = verticalStart + columns * (rows - 1);
  return { vertex: uninitialisedInt32(diagonalStart + (columns - 1) * (rows - 1)), verticalStart, diagonalStart };
}

/** Writes the two nodes an edge joins into `ends`. */
export function edgeEnds(edge: number, edges: EdgeTable, columns: number, ends: Int32Array): void {
  if (edge < edges.verticalStart) {
    const row = Math.floor(edge / (columns - 1));
    ends[0] = row * columns + (edge - row * (columns - 1));
    ends[1] = ends[0] + 1;
  } else if (edge < edges.diagonalStart) {
    ends[0] = edge - edges.verticalStart;
    ends[1] = ends[0] + columns;
  } else {
    const cell = edge - edges.diagonalStart;
    const row = Math.floor(cell / (columns - 1));
    const column = cell - row * (columns - 1);
    const a = row * columns + column;
    const even = ((row + column) & 1) === 0;
    ends[0] = even ? a : a + 1;
    ends[1] = even ? a + columns + 1 : a + columns;
  }
}
