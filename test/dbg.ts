import { rmSync } from 'node:fs';
import { startLocalNetwork } from '@govchain/cli';
import { load, signedAnchors, getJson, sleep } from './support/network.js';
rmSync('/tmp/dbg', { recursive: true, force: true });
const CHAIN = 'govchain-net';
const net = await startLocalNetwork({ dir: '/tmp/dbg', validators: 4, observers: 1, chainId: CHAIN, blockIntervalMs: 50, logLevel: 'info' });
const urls = () => net.nodes.map((n) => n.url);
const show = async (tag: string) => console.log(tag, JSON.stringify(await Promise.all(net.nodes.map(async (n) => { const s: any = await getJson(`${n.url}/v1/status`); return s && [s.height, s.logSize, s.certifiedSize]; }))));
try {
  let r = await load(urls, signedAnchors(CHAIN, 300), { connections: 48 });
  await show('after1');
  await net.stopNode('validator-3');
  const h = ((await getJson(`${net.node('observer-1').url}/v1/status`)) as any).height;
  await net.startNode('validator-3', { GOVCHAIN_TEST_TAMPER_FROM_HEIGHT: String(h + 1) });
  r = await load(() => urls().filter((u) => u !== net.node('validator-3').url), signedAnchors(CHAIN, 300));
  await sleep(2000);
  await show('after2');
  console.log(await (await fetch(net.node('validator-3').url + '/readyz')).text());
} finally {
  await net.stop();
}
