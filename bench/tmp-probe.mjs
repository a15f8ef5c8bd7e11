import { presign } from './dist/sign.js';
import { readFileSync } from 'node:fs';
const net = JSON.parse(readFileSync('/tmp/gcnet/network.json','utf8'));
const urls = net.nodes.map(n => `http://127.0.0.1:${n.httpPort}`);
const envs = await presign('govchain', 200, 8);
let i=0; const t0=Date.now();
const res = await Promise.all(envs.map(async (e, k) => { const r = await fetch(urls[k % 5] + '/v1/txs?wait=commit', {method:'POST', headers:{'content-type':'application/json'}, body:e}); return r.status; }));
console.log('statuses', res.reduce((a,s)=>(a[s]=(a[s]??0)+1,a),{}), Date.now()-t0, 'ms');
await new Promise(r=>setTimeout(r,1500));
for (const u of urls) { const s = await (await fetch(u+'/v1/status')).json(); const rz = await fetch(u+'/readyz'); console.log(u, s.height, s.logSize, s.certifiedSize, s.logRoot?.slice(0,12), s.stateRoot.slice(0,12), rz.status); }
console.log(await (await fetch(urls[4]+'/v1/checkpoint')).text());
