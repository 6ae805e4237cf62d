/**
 * A calculation the server could not be reached for (its resends spent), kept to be sent again
 * by itself once, when the live connection is back (while the component that uses it lives).
 */
import { onScopeDispose } from 'vue';
import { useLiveConnection } from '../graphql/liveConnection';

/** The failure's status line (what the user was told) and the form and the box as they were. */
export interface LostCalculation<Status> {
  status: Status;
  inputs: string;
}

/**
 * `onBack`: called once the connection is back with the calculation lost, if one is kept: it is
 * sent again only if its failure is still what the status line says (nothing was computed or
 * refused since) and the form and the box are as they were.
 */
export function useResendOnReconnect<Status>(onBack: (lost: LostCalculation<Status>) => void) {
  let kept: LostCalculation<Status> | null = null;
  onScopeDispose(
    useLiveConnection().onReconnect(() => {
      const lost = kept;
      kept = null;
      if (lost) onBack(lost);
    }),
  );

  /** `lost` is sent again when the connection is back (in place of one kept before). */
  function keep(lost: LostCalculation<Status>): void {
    kept = lost;
  }

  /** Nothing is sent again: the user has moved on (another request, another step). */
  function forget(): void {
    kept = null;
  }

  return { keep, forget };
}
