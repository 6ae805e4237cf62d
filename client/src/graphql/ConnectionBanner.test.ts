import { mount } from '@vue/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { shallowRef } from 'vue';
import ConnectionBanner from './ConnectionBanner.vue';
import { LiveConnectionKey, type LiveConnection, type LiveStatus } from './liveConnection';

function fakeLiveConnection() {
  const status = shallowRef<LiveStatus>('live');
  const nextRetryAt = shallowRef<number | null>(null);
  const live = {
    status,
    nextRetryAt,
    retryNow: () => {},
    onReconnect: () => () => {},
    reset: () => {},
  } as unknown as LiveConnection;
  return { live, status, nextRetryAt };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('ConnectionBanner', () => {
  it('stays hidden while an idle socket opens again, and shows once that fails', async () => {
    const { live, status, nextRetryAt } = fakeLiveConnection();
    const wrapper = mount(ConnectionBanner, { global: { provide: { [LiveConnectionKey]: live } } });
    for (const next of ['idle', 'connecting'] as const) {
      status.value = next;
      await vi.advanceTimersByTimeAsync(0);
      expect(wrapper.find('.connection-banner').exists()).toBe(false);
      expect(wrapper.get('[role="status"]').text()).toBe('');
    }
    status.value = 'offline';
    nextRetryAt.value = Date.now() + 2_000;
    await vi.advanceTimersByTimeAsync(0);
    expect(wrapper.text()).toContain('Reconnecting in 2 s.');
    wrapper.unmount();
  });

  it('announces the drop once: the countdown is not in the live region', async () => {
    const { live, status, nextRetryAt } = fakeLiveConnection();
    const wrapper = mount(ConnectionBanner, { global: { provide: { [LiveConnectionKey]: live } } });
    status.value = 'offline';
    nextRetryAt.value = Date.now() + 3_000;
    await vi.advanceTimersByTimeAsync(0);
    const announced = wrapper.get('[role="status"]').text();
    expect(announced).toMatch(/Live updates are disconnected/);
    expect(wrapper.text()).toContain('Reconnecting in 3 s.');

    for (const left of [2, 1]) {
      await vi.advanceTimersByTimeAsync(1_000);
      expect(wrapper.text()).toContain(`Reconnecting in ${left} s.`);
      expect(wrapper.get('[role="status"]').text()).toBe(announced);
    }
    wrapper.unmount();
  });

  it('counts from the moment it is shown, not from when it was last on screen', async () => {
    const { live, status, nextRetryAt } = fakeLiveConnection();
    const wrapper = mount(ConnectionBanner, { global: { provide: { [LiveConnectionKey]: live } } });
    // Live for a minute, then a drop with the first attempt 0.8 s away.
    await vi.advanceTimersByTimeAsync(60_000);
    status.value = 'offline';
    nextRetryAt.value = Date.now() + 800;
    await vi.advanceTimersByTimeAsync(0);
    expect(wrapper.text()).toContain('Reconnecting in 1 s.');
    wrapper.unmount();
  });
});
