import { mount } from '@vue/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { waitFor } from '../../../tests/support/waitFor';
import LongNumber from './LongNumber.vue';

const LONG = `123${'4'.repeat(500)}789`;

function mountNumber(value = LONG) {
  return mount(LongNumber, {
    props: { value, fileName: 'factorial-200.txt', label: '200!' },
    attachTo: document.body,
  });
}

afterEach(() => vi.restoreAllMocks());

describe('LongNumber', () => {
  it('shows a short number whole, with nothing to expand', () => {
    const wrapper = mountNumber('3628800');
    expect(wrapper.get('pre').text()).toBe('3628800');
    expect(wrapper.findAll('button').map((button) => button.text())).toEqual([
      'Copy',
      'Download .txt',
    ]);
    expect(wrapper.find('.magnitude').exists()).toBe(false);
  });

  it('shows the magnitude and where the decimal point falls beside a long number', () => {
    const wrapper = mountNumber(`${LONG}.25`);
    expect(wrapper.get('.magnitude').text()).toContain('≈ 1.23 × 10505');
    expect(wrapper.get('.anatomy').text()).toBe(
      'Integer part 506 digits; decimal point after digit 506, then 2 decimals',
    );
  });

  it('calls a long number without a point a whole number only when it is not a rounding', () => {
    const value = `5485936945637486217337364549840425273520181809359${'0'.repeat(45)}`;
    expect(mountNumber(value).get('.anatomy').text()).toBe('Whole number of 94 digits');
    const rounded = mount(LongNumber, {
      props: { value, fileName: 'power.txt', label: '(…/7)³', rounded: true },
    });
    expect(rounded.get('.anatomy').text()).toBe(
      'Integer part 94 digits; rounded, no decimals shown',
    );
    expect(rounded.text()).not.toContain('Whole number');
  });

  it('shows no magnitude beside a long number near 1, whose point is in plain view', () => {
    const wrapper = mountNumber('1.8371173070873835736479630560294185439744606104925');
    expect(wrapper.find('.magnitude').exists()).toBe(false);
  });

  it('shows the magnitude of a tiny number, whose zeros are hard to count', () => {
    expect(mountNumber('0.000000000123').get('.magnitude').text()).toContain('≈ 1.23 × 10−10');
    expect(mountNumber('0.00125').find('.magnitude').exists()).toBe(false);
  });

  it('groups digits in threes from the decimal point when asked', async () => {
    const wrapper = mountNumber('1234567.5');
    await wrapper.get('input[type="checkbox"]').setValue(true);
    expect(wrapper.get('pre').text().replaceAll('\u202f', ' ')).toBe('1 234 567.5');
  });

  it.each([
    ['a root’s decimals', `1.${'7320508075'.repeat(100)}`],
    ['a whole number of 1,000 digits', `1${'0'.repeat(999)}`],
    ['a negative one of 1,001', `-12${'3'.repeat(999)}`],
  ])('groups %s on whole-group lines when expanded', async (_, value) => {
    const wrapper = mountNumber(value);
    await wrapper.get('button[aria-expanded]').trigger('click');
    await wrapper.get('input[type="checkbox"]').setValue(true);
    const lines = wrapper.get('pre').text().split('\n');
    expect(lines.length).toBeGreaterThan(2);
    // Every group is three digits but the first of the integer part and the last of the decimals.
    const groups = lines.flatMap((line) => line.split('\u202f'));
    const inner = groups.slice(1, -1).filter((group) => !group.includes('.'));
    expect(inner.filter((group) => !/^\d{3}$/.test(group))).toEqual([]);
    // And the lines together are the grouped number.
    expect(lines.join('\u202f').replaceAll('\u202f', '')).toBe(value);
  });

  it('renders only the lines in view of an expanded million-digit number', async () => {
    const wrapper = mountNumber('7'.repeat(1_000_000));
    await wrapper.get('button[aria-expanded]').trigger('click');
    expect(wrapper.get('pre').text().length).toBeLessThan(10_000);
  });

  it('shows a long number folded, with the count of hidden digits', () => {
    const wrapper = mountNumber();
    expect(wrapper.find('pre').exists()).toBe(false);
    expect(wrapper.text()).toContain('… 426 digits not shown …');
    expect(wrapper.text()).not.toContain(LONG);
    expect(wrapper.get('button[aria-expanded]').attributes('aria-expanded')).toBe('false');
  });

  it('shows every digit on Expand and folds again', async () => {
    const wrapper = mountNumber();
    const toggle = wrapper.get('button[aria-expanded]');
    await toggle.trigger('click');
    expect(wrapper.get('pre').text().replaceAll('\n', '')).toBe(LONG);
    expect(toggle.attributes('aria-expanded')).toBe('true');
    expect(toggle.text()).toBe('Fold');

    await toggle.trigger('click');
    expect(wrapper.find('pre').exists()).toBe(false);
  });

  it('copies the whole number, not the folded text', async () => {
    const writeText = vi.spyOn(navigator.clipboard, 'writeText').mockResolvedValue(undefined);
    const wrapper = mountNumber();
    await wrapper
      .findAll('button')
      .find((button) => button.text() === 'Copy')
      ?.trigger('click');
    await waitFor(() => expect(wrapper.get('[role="status"]').text()).toBe('Copied.'));
    expect(writeText).toHaveBeenCalledWith(LONG);
  });

  it('says so when the browser refuses the clipboard', async () => {
    vi.spyOn(navigator.clipboard, 'writeText').mockRejectedValue(new Error('denied'));
    const wrapper = mountNumber();
    await wrapper
      .findAll('button')
      .find((button) => button.text() === 'Copy')
      ?.trigger('click');
    await waitFor(() =>
      expect(wrapper.get('[role="status"]').text()).toMatch(/use Download instead/),
    );
  });

  it('downloads the whole number as a text file named for the calculation', async () => {
    const createObjectURL = vi.spyOn(URL, 'createObjectURL').mockReturnValue('blob:result');
    const clicked: HTMLAnchorElement[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (
      this: HTMLAnchorElement,
    ) {
      clicked.push(this);
    });
    const wrapper = mountNumber();
    await wrapper
      .findAll('button')
      .find((button) => button.text() === 'Download .txt')
      ?.trigger('click');

    const blob = createObjectURL.mock.calls[0]?.[0] as Blob;
    expect(await blob.text()).toBe(LONG);
    expect(blob.type).toMatch(/^text\/plain/);
    expect(clicked[0]?.download).toBe('factorial-200.txt');
    expect(clicked[0]?.href).toBe('blob:result');
  });
});
