import { transferEngineBench } from './transfer-engine-bench.js';
let phaseMax = 0;
const t = setInterval(() => { const m = process.memoryUsage(); if (m.rss > phaseMax) { phaseMax = m.rss; console.error(`rss ${(m.rss/1048576)|0} heap ${(m.heapUsed/1048576)|0} ext ${(m.external/1048576)|0} ab ${(m.arrayBuffers/1048576)|0}`); } }, 20);
const r = await transferEngineBench({ sizeMiB: 256 });
clearInterval(t);
console.log(JSON.stringify(r.peakRssByPhaseMiB));
