/**
 * A small drawing surface for the ring map: dots and lines in braille (2x4 dots per cell) or,
 * on terminals without Unicode, ASCII line art ("-", "|", "/", "\"). Geometry is in "units":
 * one unit is a cell's width, and a cell is two units tall, so circles come out round.
 * Each cell remembers the theme role of what was drawn last on it, and text overlays dots: a dot
 * drawn on a cell holding text leaves the text and its colour alone.
 */
import { escapeTags } from './format.js';
import type { Theme, ThemeRole } from './theme.js';

const BRAILLE_BITS = [
  [0x01, 0x08],
  [0x02, 0x10],
  [0x04, 0x20],
  [0x40, 0x80],
];

interface Cell {
  bits: number;
  ascii: string;
  text: string | null;
  role: ThemeRole | null;
}

export class DotCanvas {
  private readonly cells: Cell[];

  constructor(
    readonly cols: number,
    readonly rows: number,
    readonly unicode: boolean,
  ) {
    this.cells = Array.from({ length: Math.max(0, cols * rows) }, () => ({
      bits: 0,
      ascii: ' ',
      text: null,
      role: null,
    }));
  }

  /** Width and height in units. */
  get unitWidth(): number {
    return this.cols;
  }

  get unitHeight(): number {
    return this.rows * 2;
  }

  /** One dot at (x, y) units; `slope` (dy/dx in units) picks the ASCII character. */
  dot(x: number, y: number, role: ThemeRole, slope = 0): void {
    if (this.unicode) {
      const px = Math.floor(x * 2);
      const py = Math.floor(y * 2);
      const cell = this.cellAt(Math.floor(px / 2), Math.floor(py / 4));
      if (!cell || cell.text !== null) return;
      cell.bits |= BRAILLE_BITS[py % 4]![px % 2]!;
      cell.role = role;
    } else {
      const cell = this.cellAt(Math.floor(x), Math.floor(y / 2));
      if (!cell || cell.text !== null) return;
      cell.ascii = asciiFor(slope);
      cell.role = role;
    }
  }

  line(x0: number, y0: number, x1: number, y1: number, role: ThemeRole): void {
    const dx = x1 - x0;
    const dy = y1 - y0;
    const steps = Math.max(1, Math.ceil(Math.max(Math.abs(dx), Math.abs(dy)) * (this.unicode ? 2 : 1)));
    const slope = dx === 0 ? Infinity : dy / dx;
    for (let i = 0; i <= steps; i++) this.dot(x0 + (dx * i) / steps, y0 + (dy * i) / steps, role, slope);
  }

  circle(cx: number, cy: number, r: number, role: ThemeRole): void {
    const n = Math.max(16, Math.ceil(2 * Math.PI * r * (this.unicode ? 4 : 2)));
    for (let i = 0; i < n; i++) {
      const a = (2 * Math.PI * i) / n;
      const slope = Math.abs(Math.sin(a)) < 1e-9 ? Infinity : -Math.cos(a) / Math.sin(a);
      this.dot(cx + r * Math.cos(a), cy + r * Math.sin(a), role, slope);
    }
  }

  /** Text at a cell position (col, row), clipped to the canvas. */
  text(col: number, row: number, text: string, role: ThemeRole): void {
    [...text].forEach((ch, i) => {
      const cell = this.cellAt(col + i, row);
      if (cell) (cell.text = ch), (cell.role = role);
    });
  }

  /** Rows as blessed-tagged strings, runs of one role sharing one tag. */
  toLines(theme: Theme): string[] {
    const out: string[] = [];
    for (let r = 0; r < this.rows; r++) {
      let line = '';
      let run = '';
      let runRole: ThemeRole | null = null;
      const flush = () => {
        if (run) line += runRole ? theme.tag(runRole, escapeTags(run)) : escapeTags(run);
        run = '';
      };
      for (let c = 0; c < this.cols; c++) {
        const cell = this.cells[r * this.cols + c]!;
        const ch = this.glyph(cell);
        const role = ch === ' ' ? null : cell.role;
        if (role !== runRole) flush(), (runRole = role);
        run += ch;
      }
      flush();
      out.push(line);
    }
    return out;
  }

  /** Rows as plain text (tests). */
  toPlain(): string[] {
    const out: string[] = [];
    for (let r = 0; r < this.rows; r++)
      out.push(
        this.cells
          .slice(r * this.cols, (r + 1) * this.cols)
          .map((c) => this.glyph(c))
          .join(''),
      );
    return out;
  }

  private glyph(cell: Cell): string {
    if (cell.text !== null) return cell.text;
    if (this.unicode) return cell.bits ? String.fromCharCode(0x2800 + cell.bits) : ' ';
    return cell.ascii;
  }

  private cellAt(col: number, row: number): Cell | undefined {
    if (col < 0 || row < 0 || col >= this.cols || row >= this.rows) return undefined;
    return this.cells[row * this.cols + col];
  }
}

/** Screen y grows downwards, so a positive slope runs "\". */
function asciiFor(slope: number): string {
  const a = Math.abs(slope);
  if (a < 0.35) return '-';
  if (a > 2.8) return '|';
  return slope > 0 ? '\\' : '/';
}
