/**
 * The shared folder as the file service reports it (`files:changed`): name, size and state
 * (local only, shared with the tracker, stored in the ring, downloading). Keys put, share,
 * unshare, get and search through the command map, so they work as soon as those commands exist.
 */
import type { EventBus } from '../../bus/event-bus.js';
import type { FileEntry } from '../../bus/events.js';
import { escapeTags, fit, formatBytes } from '../format.js';
import type { KeyBinding } from '../keymap.js';
import { ListCursor } from '../list-cursor.js';
import { Pane, type PaneContext } from './pane.js';

export class FilesPane extends Pane {
  readonly id = 'files' as const;
  readonly title = 'Files';
  readonly keys: readonly KeyBinding[];
  private files: FileEntry[] = [];
  private readonly cursor = new ListCursor();

  constructor(ctx: PaneContext) {
    super(ctx);
    this.keys = [
      ...this.cursor.bindings(
        () => this.files.length,
        () => this.markDirty(),
        'file',
      ),
      {
        keys: ['p'],
        help: 'put the selected file in the ring (put NAME)',
        hint: 'put',
        run: () => this.onSelected('put'),
      },
      {
        keys: ['s'],
        help: 'share the selected file with the tracker (share NAME)',
        hint: 'share',
        run: () => this.onSelected('share'),
      },
      {
        keys: ['u', 'delete'],
        label: 'u',
        help: 'unshare the selected file (unshare NAME)',
        hint: 'unshare',
        run: () => this.onSelected('unshare'),
      },
      { keys: ['enter'], help: 'get a file by name (get NAME)', hint: 'get', run: () => this.askThen('get') },
      {
        keys: ['/'],
        help: 'search the tracker and the ring (search TEXT)',
        hint: 'search',
        run: () => this.askThen('search'),
      },
    ];
  }

  protected subscribe(bus: EventBus): void {
    this.on(bus, 'files:changed', (e) => {
      const name = this.files[this.cursor.selected]?.name;
      this.files = [...e.files].sort((a, b) => a.name.localeCompare(b.name));
      const i = this.files.findIndex((f) => f.name === name);
      if (i >= 0) this.cursor.selected = i;
    });
  }

  get selectedName(): string | undefined {
    return this.files[this.cursor.selected]?.name;
  }

  protected override titleExtra(): string {
    return this.files.length ? `${this.files.length}` : '';
  }

  protected draw(width: number, height: number): string[] {
    const t = this.ctx.theme();
    const dir = this.ctx.setting('dir');
    const head = dir ? [t.tag('dim', escapeTags(fit(dir, width, this.ctx.glyphs.ellipsis)))] : [];
    const empty = this.ctx.hasCommand('put') ? EMPTY : NO_SERVICE;
    if (this.files.length === 0)
      return head.concat(empty.map((s) => t.tag('dim', fit(s, width, this.ctx.glyphs.ellipsis))));
    const cols = columns(width);
    const header = `${fit('name', cols.name, '')} ${fit('size', cols.size, '', 'right')} ${fit('state', cols.state, '')}`;
    const lines = head.concat(t.tag('heading', escapeTags(fit(header, width, ''))));
    const { start, end } = this.cursor.window(this.files.length, Math.max(0, height - lines.length));
    for (let i = start; i < end; i++) lines.push(this.row(this.files[i]!, i === this.cursor.selected, cols));
    return lines;
  }

  private row(f: FileEntry, selected: boolean, cols: Columns): string {
    const t = this.ctx.theme();
    const text = escapeTags(
      `${fit(f.name, cols.name, this.ctx.glyphs.ellipsis)} ${fit(formatBytes(f.size), cols.size, '', 'right')} ${fit(this.states(f), cols.state, '')}`,
    );
    if (selected && this.focused) return t.tag('selected', text);
    return f.states.includes('downloading') ? t.tag('accent', text) : text;
  }

  private states(f: FileEntry): string {
    const names = { local: 'local', shared: 'shared', ring: 'ring', downloading: `${this.ctx.glyphs.down}dl` } as const;
    const s = f.states.filter((x) => x !== 'local' || f.states.length === 1);
    return s.map((x) => names[x]).join(',');
  }

  private onSelected(cmd: string): void {
    const name = this.selectedName;
    if (!name) return this.ctx.say(`${cmd}: no file selected`, 'error');
    this.dispatch(`${cmd} ${quote(name)}`, cmd);
  }

  private askThen(cmd: string): void {
    if (!this.ctx.hasCommand(cmd)) return this.unavailable(cmd);
    this.ctx.ask(`${cmd} `, '', (v) => v?.trim() && this.dispatch(`${cmd} ${v.trim()}`, cmd));
  }

  private dispatch(line: string, cmd: string): void {
    if (!this.ctx.hasCommand(cmd)) return this.unavailable(cmd);
    void this.ctx.runCommand(line);
  }

  private unavailable(cmd: string): void {
    this.ctx.say(`${cmd}: not available in this build (no file service yet)`, 'error');
  }
}

/** The hint while the folder is empty: what to do now, or why nothing works yet. */
const EMPTY = ['no files yet: copy some into', 'the folder above, or :share PATH,', ':get NAME (Enter)'];
const NO_SERVICE = ['no files yet', 'the file service is not running', '(see the log)'];

interface Columns {
  readonly name: number;
  readonly size: number;
  readonly state: number;
}

function columns(width: number): Columns {
  const state = Math.min(14, Math.max(6, width - 30));
  const size = 8;
  return { name: Math.max(4, width - size - state - 2), size, state };
}

function quote(name: string): string {
  return /[\s"]/.test(name) ? `"${name.replace(/"/g, '\\"')}"` : name;
}
