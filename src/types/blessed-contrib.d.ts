/**
 * The small part of blessed-contrib@4.11 that p2pterm may use (there is no @types/blessed-contrib).
 * Widgets are built from the same `blessed` copy (neo-blessed) as the screen; see DESIGN.md.
 */
declare module 'blessed-contrib' {
  import type { Widgets } from 'blessed';

  namespace contrib {
    interface CanvasContext {
      strokeStyle: string | number | [number, number, number];
      fillStyle: string | number | [number, number, number];
      clearRect(x: number, y: number, w: number, h: number): void;
      fillRect(x: number, y: number, w: number, h: number): void;
      beginPath(): void;
      moveTo(x: number, y: number): void;
      lineTo(x: number, y: number): void;
      stroke(): void;
      fillText(text: string, x: number, y: number): void;
    }
    interface CanvasElement extends Widgets.BoxElement {
      ctx: CanvasContext;
      canvasSize: { width: number; height: number };
      clear(): void;
    }
    interface GaugeOptions extends Widgets.BoxOptions {
      percent?: number;
      stroke?: string;
      fill?: string;
      showLabel?: boolean;
    }
    interface GaugeElement extends CanvasElement {
      setPercent(percent: number): void;
      setData(data: number | number[]): void;
    }
    interface SparklineOptions extends Widgets.BoxOptions {
      bufferLength?: number;
      data?: { titles: string[]; data: number[][] };
    }
    interface SparklineElement extends Widgets.BoxElement {
      setData(titles: string[], datasets: number[][]): void;
    }
    interface LineSeries {
      title: string;
      x: string[];
      y: number[];
      style?: { line?: string };
    }
    interface LineOptions extends Widgets.BoxOptions {
      showLegend?: boolean;
      minY?: number;
      maxY?: number;
      wholeNumbersOnly?: boolean;
    }
    interface LineElement extends CanvasElement {
      setData(series: LineSeries[]): void;
    }
    interface TableOptions extends Widgets.BoxOptions {
      columnWidth: number[];
      columnSpacing?: number;
      interactive?: boolean;
      keys?: boolean;
    }
    interface TableElement extends Widgets.BoxElement {
      rows: Widgets.ListElement;
      setData(data: { headers: string[]; data: string[][] }): void;
    }
  }

  const contrib: {
    canvas(options?: Widgets.BoxOptions): contrib.CanvasElement;
    gauge(options?: contrib.GaugeOptions): contrib.GaugeElement;
    sparkline(options?: contrib.SparklineOptions): contrib.SparklineElement;
    line(options?: contrib.LineOptions): contrib.LineElement;
    table(options?: contrib.TableOptions): contrib.TableElement;
  };
  export = contrib;
}
