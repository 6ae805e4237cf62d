/**
 * A wait shown counting down (the live connection's next attempt, a refusal's
 * `retryAfterSeconds`). Only the figure changes: where a screen reader should hear of the wait,
 * a live region says it once, and the figure is kept out of it (see ConnectionBanner).
 */
import { computed, onScopeDispose, ref, watch, type ComputedRef, type Ref } from 'vue';

/** How often the clock is read: the figure then changes within a quarter second of its time. */
const TICK_MS = 250;

/**
 * Whole seconds left until `deadline` (milliseconds since the epoch): null without one, 0 once
 * it has passed. The clock is read whenever the deadline changes, before rendering (a clock left
 * from an earlier wait would count from then: a "61 s" before "1 s"), then every TICK_MS until
 * the deadline; it stops there, and with the component or scope that called this.
 */
export function useSecondsUntil(deadline: Ref<number | null>): ComputedRef<number | null> {
  const now = ref(Date.now());
  let ticker: ReturnType<typeof setInterval> | undefined;
  const stop = () => clearInterval(ticker);
  watch(
    deadline,
    (until) => {
      stop();
      now.value = Date.now();
      if (until === null || until <= now.value) return;
      ticker = setInterval(() => {
        now.value = Date.now();
        if (now.value >= until) stop();
      }, TICK_MS);
    },
    { immediate: true, flush: 'sync' },
  );
  onScopeDispose(stop);
  return computed(() =>
    deadline.value === null ? null : Math.max(0, Math.ceil((deadline.value - now.value) / 1000)),
  );
}
