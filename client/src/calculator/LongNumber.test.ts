import { mount } from '@vue/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
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
    expect(wrapper.get('pre').text()).toBe(LONG);
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
    await vi.waitFor(() => expect(wrapper.get('[role="status"]').text()).toBe('Copied.'));
    expect(writeText).toHaveBeenCalledWith(LONG);
  });

  it('says so when the browser refuses the clipboard', async () => {
    vi.spyOn(navigator.clipboard, 'writeText').mockRejectedValue(new Error('denied'));
    const wrapper = mountNumber();
    await wrapper
      .findAll('button')
      .find((button) => button.text() === 'Copy')
      ?.trigger('click');
    await vi.waitFor(() =>
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
