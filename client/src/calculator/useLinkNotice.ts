/**
 * The notice above the form for an address naming an operation the calculator does not know
 * (`?op=evil`) or none: what the link asked for, and the form shown instead.
 */
import { computed, ref, watch, type Ref } from 'vue';
import type { Operation } from '../gql/graphql';
import { unknownOperationIn } from './calculationUrl';
import { OPERATIONS } from './operations';

/** `operation`: the form's; `inputsNow`: what the form and the box hold. */
export function useLinkNotice(operation: Ref<Operation>, inputsNow: () => string) {
  /**
   * The operation the address named, shortened and cleaned (unknownOperationIn), said until the
   * user changes the form or another address is restored. Shown by text interpolation only: it
   * is whatever a link held.
   */
  const unknownOperation = ref<string | null>(null);
  /** What the form held when the address's notice was set: it goes once the form holds other. */
  let unknownOperationInputs = '';
  watch(inputsNow, (now) => {
    if (now !== unknownOperationInputs) unknownOperation.value = null;
  });
  const linkNotice = computed(() => {
    if (unknownOperation.value === null) return null;
    const asked = unknownOperation.value
      ? `This link asks for an operation the calculator does not know, “${unknownOperation.value}”`
      : 'This link names no operation';
    return `${asked}: here is the ${OPERATIONS[operation.value].name} form instead.`;
  });

  /** The notice for the address `search` (none if it names a known operation). */
  function readAddress(search: string): void {
    unknownOperation.value = unknownOperationIn(search);
    unknownOperationInputs = inputsNow();
  }

  return { linkNotice, readAddress };
}
