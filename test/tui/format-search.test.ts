/** The `search` reply reads as one line per file and one per source, not as a field dump. */
import test from 'ava';
import type { SearchMatch } from '../../src/tracker/native-protocol.js';
import { searchMatchSchema } from '../../src/tracker/native-protocol.js';
import { formatReply } from '../../src/tui/format-reply.js';

const sha = 'ab12cd34ef56' + '0'.repeat(52);
const matches: SearchMatch[] = [
  {
    name: 'notes.txt',
    rfc: null,
    title: 'notes.txt',
    size: 3 * 1024 * 1024 + 512 * 1024,
    sha256: sha,
    sources: [
      { host: '127.0.0.1', port: 5601, online: true, kind: 'p2pterm' },
      { host: '10.0.0.22', port: 61000, online: false, kind: 'p2pterm' },
    ],
  },
  {
    name: 'rfc791.txt',
    rfc: 791,
    title: 'Internet Protocol',
    size: null,
    sha256: null,
    sources: [{ host: 'peer.example', port: 7000, online: true, kind: 'p2pci' }],
  },
];

test('search matches: name, human size, short sha256, and each source with its online state', (t) => {
  for (const m of matches) searchMatchSchema.parse(m);
  t.deepEqual(formatReply({ matches }), [
    'matches:',
    '  notes.txt  3.5 MiB  sha256 ab12cd34ef56  2 sources, 1 online',
    '    127.0.0.1:5601   online   p2pterm',
    '    10.0.0.22:61000  offline  p2pterm',
    '  rfc791.txt  RFC 791 "Internet Protocol"  size unknown  1 source, 1 online',
    '    peer.example:7000  online   p2pci',
  ]);
});

test('no matches read as (none); other lists of objects keep the generic layout', (t) => {
  t.deepEqual(formatReply({ matches: [] }), ['matches: (none)']);
  t.deepEqual(formatReply({ items: [{ name: 'a', sources: [] }] }), ['items:', '  0. name a  sources (none)']);
});
