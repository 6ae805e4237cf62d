/**
 * The calculation on its way, if any: how long it has taken so far, what is said of its resends,
 * and its cancellation (Cancel, Esc, or quietly when the user leaves the step it was for). Esc
 * is heard while the component that uses it is mounted; when it goes, nothing more is waited for.
 */
import { nextTick, onBeforeUnmount, onMounted, ref, shallowRef, watch, type Ref } from 'vue';

export interface Running {
  controller: AbortController;
  /** The operation and its variables, to tell a second submit of the same calculation. */
  calculation: string;
  /** Its arguments as typed and sent, as JSON: what it is titled by, now and once answered. */
  typedInput: string;
  description: string;
  /** The description in words, for what only screen readers hear (speakCalculation). */
  spoken: string;
  startedAt: number;
  /** An attempt's connection failed: it waits to be (or is being) sent again by itself. */
  inDoubt: boolean;
}

/**
 * The form's Compute button and the Cancel button shown while a calculation is on its way, as
 * the component's template refs (useTemplateRef): focus on Cancel moves to Compute when it goes.
 */
export interface RunningButtons {
  computeButton: Readonly<Ref<HTMLButtonElement | null>>;
  cancelButton: Readonly<Ref<HTMLButtonElement | null>>;
}

export function useRunningCalculation({ computeButton, cancelButton }: RunningButtons) {
  const running = shallowRef<Running | null>(null);
  /** Said beside the progress while a calculation whose connection failed is sent again. */
  const resendNote = ref('');
  const elapsedMs = ref(0);
  let elapsedTimer: ReturnType<typeof setInterval> | undefined;

  // Cancel goes away with the request (cancelled or answered): focus on it would fall to the
  // page, so it moves to the form's Compute button. Run before the render that removes it.
  watch(
    running,
    (current) => {
      if (current || !cancelButton.value || document.activeElement !== cancelButton.value) return;
      void nextTick(() => computeButton.value?.focus());
    },
    { flush: 'pre' },
  );

  function startElapsedTimer(): void {
    clearInterval(elapsedTimer);
    elapsedMs.value = 0;
    elapsedTimer = setInterval(() => {
      if (running.value) elapsedMs.value = performance.now() - running.value.startedAt;
    }, 100);
  }

  /** `current` is on its way (whatever was before it has been cancelled). */
  function start(current: Running): void {
    running.value = current;
    resendNote.value = '';
    startElapsedTimer();
  }

  /** `current` is over (answered, failed or cancelled), unless another has replaced it. */
  function end(current: Running): void {
    if (running.value === current) {
      running.value = null;
      clearInterval(elapsedTimer);
    }
  }

  function cancel(): void {
    running.value?.controller.abort();
  }

  /**
   * Cancels what is on its way without a word: it was for a step the user has left, so no
   * "Cancelled" is said of it.
   */
  function dropQuietly(): void {
    const left = running.value;
    running.value = null;
    clearInterval(elapsedTimer);
    left?.controller.abort();
  }

  function onKeydown(event: KeyboardEvent): void {
    if (event.key === 'Escape' && running.value) {
      event.preventDefault();
      cancel();
    }
  }

  onMounted(() => document.addEventListener('keydown', onKeydown));
  onBeforeUnmount(() => {
    document.removeEventListener('keydown', onKeydown);
    running.value?.controller.abort();
    clearInterval(elapsedTimer);
  });

  return {
    running,
    resendNote,
    elapsedMs,
    start,
    end,
    cancel,
    dropQuietly,
  };
}
