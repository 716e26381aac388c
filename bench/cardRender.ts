import { performance } from 'node:perf_hooks';
import { approvalCard, approvalView } from '../src/cards/approverCards';
import { complianceCard, complianceView } from '../src/cards/complianceCards';
import { statusCard, statusView } from '../src/cards/personCards';
import { Card } from '../src/cards/render';
import { wordsFor } from '../src/i18n';
import { templatedCard } from '../test/support/templatedCard';
import { awaitingManualStep, extendedOnce, failedPartially, NOW } from '../test/unit/cardSamples';

/**
 * Building the cards the bot sends most (approvers' card, status, compliance post) N times each:
 * the typed layouts against the JSON templates expanded by adaptivecards-templating, in one run.
 * Both sides compute the same views, so the ratio is the layout's cost against the template engine's.
 */
const ROUNDS = 200;

export async function cardRenderBench(): Promise<Record<string, unknown>> {
  const words = wordsFor('en');
  const options = { erasureApprovals: 2 };
  const requests = [failedPartially, extendedOnce, awaitingManualStep];
  const typed = (): Card[] => requests.flatMap((r) => [approvalCard(words, r, options), statusCard(words, r), complianceCard(words, r, 'opened', NOW)]);
  const templated = (): Card[] =>
    requests.flatMap((r) => [
      templatedCard('approval', approvalView(words, r, options)),
      templatedCard('status', statusView(words, r)),
      templatedCard('compliance', complianceView(words, r, 'opened', NOW)),
    ]);
  const timed = (build: () => Card[]) => {
    for (let i = 0; i < 50; i++) build(); // warm up
    const start = performance.now();
    for (let i = 0; i < ROUNDS; i++) build();
    return (performance.now() - start) / (ROUNDS * 3 * requests.length);
  };
  const templatedMs = timed(templated);
  const typedMs = timed(typed);
  return {
    cards: ROUNDS * 3 * requests.length,
    templatedMsPerCard: Number(templatedMs.toFixed(4)),
    typedMsPerCard: Number(typedMs.toFixed(4)),
    speedup: Number((templatedMs / typedMs).toFixed(1)),
  };
}
