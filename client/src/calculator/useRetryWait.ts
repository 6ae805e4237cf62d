/**
 * The wait a refusal that says when to come back (RATE_LIMITED, SERVICE_UNAVAILABLE with
 * `retryAfterSeconds`) asks for before the next calculation. Until then Compute and Enter only
 * say how long is left; the wait counts down beside the refusal, outside its alert, so a screen
 * reader hears the refusal and the wait once, not every second (as ConnectionBanner's countdown).
 */
import { computed, ref, shallowRef, watch } from 'vue';
import { formatWait } from '../format/format';
import { useSecondsUntil } from '../graphql/countdown';

/**
 * What a wait ends: the status line that set it (it goes with the wait, unless something else
 * has replaced it since), and for a service away (`resend`) the calculation to send again by
 * itself then, if the form and the box still hold it (`inputs`).
 */
export interface WaitEnds<Status> {
  status: Status;
  inputs: string;
  resend: boolean;
}

/**
 * A calculation whose service is still away after each automatic resend waits twice as long
 * each time (the server says 1 s while it polls its instances), up to this: a long outage costs
 * a request now and then, not one a second of the user's request limit. The live feed does the
 * same (RecentLogs); a calculation has a user waiting on it, hence a shorter cap.
 */
export const UNAVAILABLE_RESEND_MAX_SECONDS = 30;

/**
 * `inputsNow`: what the form and the box hold, to tell whether the user changed them since.
 * `onOver`: called once a wait has run out, with what it ended (null if it ended no status
 * line); not when a calculation sent meanwhile drops it.
 */
export function useRetryWait<Status>({
  inputsNow,
  onOver,
}: {
  inputsNow: () => string;
  onOver: (ended: WaitEnds<Status> | null) => void;
}) {
  /** When the next calculation is allowed (Date.now()), or null without a wait. */
  const retryAt = ref<number | null>(null);
  const secondsLeft = useSecondsUntil(retryAt);
  const waiting = computed(() => (secondsLeft.value ?? 0) > 0);
  const ends = shallowRef<WaitEnds<Status> | null>(null);
  let lastUnavailableWait = 0;
  /** The line below the status while waiting: what happens when the wait is over. */
  const note = computed(() => {
    const left = formatWait(secondsLeft.value ?? 0);
    // Sent again only if the form and the box still hold it (the caller's onOver).
    const resends = ends.value?.resend && ends.value.inputs === inputsNow();
    return resends ? `Sending it again in ${left}.` : `Try again in ${left}.`;
  });
  /**
   * A refusal's wait is the server's: a calculation sent now would only be refused again. A
   * service's absence is not a refusal: the user may ask again at once (it may be back).
   */
  const refuses = computed(() => waiting.value && !ends.value?.resend);

  // Over by running out (not dropped by `sending`, which clears retryAt first: the calculation
  // then on its way is what the live region speaks of, not that one may compute again).
  watch(waiting, (now, before) => {
    if (now || !before || retryAt.value === null) return;
    retryAt.value = null;
    const ended = ends.value;
    ends.value = null;
    onOver(ended);
  });

  /**
   * A calculation is sent: a service's wait is dropped (the user asks again, or its automatic
   * resend has come). Only resends in a row (`afterWait`: the automatic resend once a service's
   * wait is over) back off: the user asking again starts from the server's wait.
   */
  function sending({ afterWait }: { afterWait: boolean }): void {
    if (waiting.value) {
      retryAt.value = null;
      ends.value = null;
    }
    if (!afterWait) lastUnavailableWait = 0;
  }

  /**
   * Starts the wait the server asked for (`seconds`); one for a service away (`unavailable`)
   * backs off from the last one.
   */
  function start(
    seconds: number,
    ending: WaitEnds<Status> | null,
    { unavailable }: { unavailable: boolean },
  ): void {
    const wait = unavailable
      ? Math.min(UNAVAILABLE_RESEND_MAX_SECONDS, Math.max(seconds, lastUnavailableWait * 2))
      : seconds;
    if (unavailable) lastUnavailableWait = wait;
    ends.value = ending;
    retryAt.value = Date.now() + wait * 1000;
  }

  return { waiting, note, refuses, sending, start };
}
