/**
 * examples/ml-inference's app.js, which has no promwire code, under `node --require` and
 * `node --import @promwire/auto/register`: the official `openai` client's traffic shows on the
 * preload's metrics port, and the client receives the same bytes as from the bare app.
 */
import { checkClientTraffic } from './scenario';
import { startAll, startPreloaded, startScript, transcript } from './support';

jest.setTimeout(180000);

test.each(['--require', '--import'] as const)('node %s @promwire/auto/register app.js: same bytes as bare, metrics equal the usage the client received', async (flag) => {
  const [target, bare] = await startAll(startPreloaded(flag), startScript('app.js'));
  try {
    // Both answer the transcript first, so the reply ids (a count per process) agree.
    const [withMetrics, without] = await Promise.all([transcript(target.appUrl), transcript(bare.appUrl)]);
    expect(withMetrics).toEqual(without);
    await checkClientTraffic(target);
  } finally {
    await Promise.all([target.stop(), bare.stop()]);
  }
});
