import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { requestLog } from '../testing/requestLog';
import RequestLogRow from './RequestLogRow.vue';

const log = (overrides: Record<string, unknown> = {}) =>
  requestLog({ durationMs: 0.056, ...overrides });

/** The row opened: its details below it. */
async function openRow(props: Record<string, unknown>) {
  const table = mount(
    {
      components: { RequestLogRow },
      props: ['log'],
      template: '<table><tbody><RequestLogRow :log="log" :now="new Date()" /></tbody></table>',
    },
    { props, attachTo: document.body },
  );
  await table.get('button.link').trigger('click');
  return table;
}

describe('RequestLogRow', () => {
  it("says how an answered log's answer came, and how long it took", async () => {
    const table = await openRow({ log: log() });
    const details = table.get('tr.details').text();
    expect(details).toContain('Answered');
    expect(details).toContain('computed in 0.056 ms');
    table.unmount();
  });

  it('never says a refused or cancelled log was answered or computed', async () => {
    for (const [status, said] of [
      ['RESULT_TOO_LARGE', 'Refused after 0.056 ms'],
      ['CANCELLED', 'Cancelled after 0.056 ms'],
    ] as const) {
      const table = await openRow({
        log: log({ status, resultPreview: '', digits: 0, input: '{"n":10000000}' }),
      });
      const details = table.get('tr.details').text();
      expect(details).toContain(said);
      expect(details).not.toMatch(/Answered|computed|from the cache/);
      table.unmount();
    }
  });

  it('labels a refusal in words, not by its error code', async () => {
    for (const [status, label, ended] of [
      ['COMPUTATION_TIMEOUT', 'Timed out', 'Stopped after'],
      ['RESULT_TOO_LARGE', 'Refused — result too large', 'Refused after'],
      ['RATE_LIMITED', 'Refused — too many requests', 'Refused after'],
    ] as const) {
      const table = await openRow({
        log: log({ status, resultPreview: '', digits: 0, input: '{"n":10000000}' }),
      });
      expect(table.get('.refusal').text()).toBe(label);
      expect(table.get('tr.details').text()).toContain(ended);
      expect(table.text()).not.toContain(status);
      table.unmount();
    }
  });

  it('shortens a long input in its cell, keeping the whole of it in a tooltip and the details', async () => {
    const cut = `{"base":"${'7'.repeat(1_015)}`;
    const table = await openRow({ log: log({ operation: 'POWER', input: cut }) });
    const cell = table.get('td.input');
    expect(cell.text()).toBe(`${cut.slice(0, 60)}…`);
    expect(cell.attributes('title')).toBe(cut);
    expect(table.get('tr.details').text()).toContain(cut);

    const short = await openRow({ log: log() });
    expect(short.get('td.input').text()).toBe('n = 5');
    expect(short.get('td.input').attributes('title')).toBeUndefined();
    short.unmount();
    table.unmount();
  });
});
