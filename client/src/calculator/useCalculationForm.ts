/**
 * The calculator's form: the operation and its arguments as typed, each field's error (the rules
 * checked as typed, and what the server said of the values sent), and focus on the first field
 * in error.
 */
import { computed, nextTick, reactive, ref, shallowRef, useId, watch } from 'vue';
import type { Operation } from '../gql/graphql';
import {
  validateArgument,
  type ArgumentErrors,
  type ArgumentName,
  type ArgumentValues,
} from './calculationArguments';
import type { CalculationInUrl } from './calculationUrl';
import { ARGUMENT_NAMES, OPERATIONS } from './operations';

/** The form a page opened without a calculation in its address shows. */
const DEFAULT_OPERATION: Operation = 'FACTORIAL';

export function useCalculationForm() {
  const fieldIds: Record<ArgumentName, string> = {
    base: useId(),
    exponent: useId(),
    precision: useId(),
    n: useId(),
  };
  const operation = ref<Operation>(DEFAULT_OPERATION);
  const values = reactive<ArgumentValues>({ base: '', exponent: '', precision: '', n: '' });
  const argumentErrors = ref<ArgumentErrors>({});
  const fieldElements = ref<Partial<Record<ArgumentName, HTMLInputElement>>>({});
  /**
   * What the server said of the arguments it was sent (a BAD_USER_INPUT naming one), under their
   * fields: it was about those values, so it goes as soon as the form or the box holds something
   * else (a field edited, another operation, another expression typed in the box, even one that
   * does not read as a calculation yet; the panel, which holds both, empties it). The rules
   * checked as typed (argumentErrors) follow what each field holds by themselves.
   */
  const sentErrors = shallowRef<ArgumentErrors>({});
  /** Each field's error as shown: the server's about the values sent, else the rules' own. */
  const fieldErrors = computed<ArgumentErrors>(() => ({
    ...argumentErrors.value,
    ...sentErrors.value,
  }));
  const argumentFields = computed(() => OPERATIONS[operation.value].arguments);
  const argumentNames = computed(() => argumentFields.value.map((field) => field.name));

  /** Each of `current`'s arguments judged by its rules, as typed now. */
  const judged = (current: Operation): ArgumentErrors =>
    Object.fromEntries(
      OPERATIONS[current].arguments.map(({ name }) => [
        name,
        validateArgument(current, name, values[name]),
      ]),
    );

  /**
   * The rules follow each change at once (flush 'sync'), not before the next render: a form
   * filled and submitted in one go (an address restored, `?op=power&base=2`) keeps the submit's
   * "Enter an exponent.", which a later run of these would replace with the rules' silence on an
   * empty field.
   */
  // n is shared by factorial and Fibonacci, whose rules differ: judge what is typed by the new
  // rules.
  watch(
    operation,
    (current) => {
      argumentErrors.value = judged(current);
    },
    { flush: 'sync' },
  );

  for (const name of ARGUMENT_NAMES) {
    watch(
      () => values[name],
      (raw) => {
        argumentErrors.value = {
          ...argumentErrors.value,
          [name]: validateArgument(operation.value, name, raw),
        };
      },
      { flush: 'sync' },
    );
  }

  /**
   * Fills the form with a calculation. `unstated`: what becomes of an argument it does not give.
   * An address or a draft states the whole form, so such a field is emptied; the box's language
   * has no way to say the optional ones (power's significant digits), so typing `2^(1/2)` keeps
   * the precision chosen in the form.
   */
  function apply(
    { operation: next, values: given }: CalculationInUrl,
    unstated: 'empty' | 'keep' = 'empty',
  ): void {
    operation.value = next;
    for (const { name, missing } of OPERATIONS[next].arguments) {
      const kept = unstated === 'keep' && missing === undefined ? values[name] : '';
      values[name] = given[name] ?? kept;
    }
  }

  /** The form as a page opened without a calculation shows it: empty, with no error. */
  function empty(): void {
    sentErrors.value = {};
    operation.value = DEFAULT_OPERATION;
    for (const name of ARGUMENT_NAMES) values[name] = '';
    argumentErrors.value = {};
  }

  /**
   * Errors for what the form holds now, by the rules alone: what the server said of another
   * step's arguments does not apply to this one's.
   */
  function judgeAgain(): void {
    sentErrors.value = {};
    argumentErrors.value = judged(operation.value);
  }

  function describedBy(name: ArgumentName): string {
    return fieldErrors.value[name]
      ? `${fieldIds[name]}-hint ${fieldIds[name]}-error`
      : `${fieldIds[name]}-hint`;
  }

  /** The rules' errors of the values as a whole (prepareCalculation), shown as the form is sent. */
  function showRuleErrors(errors: ArgumentErrors): void {
    argumentErrors.value = errors;
  }

  /** What the server said of the arguments sent, under their fields until the form changes. */
  function showServerErrors(errors: ArgumentErrors): void {
    sentErrors.value = errors;
  }

  function forgetServerErrors(): void {
    sentErrors.value = {};
  }

  async function focusFirstInvalid(): Promise<void> {
    await nextTick();
    const name = argumentNames.value.find((candidate) => fieldErrors.value[candidate]);
    if (name) fieldElements.value[name]?.focus();
  }

  return {
    fieldIds,
    operation,
    values,
    fieldErrors,
    fieldElements,
    argumentFields,
    argumentNames,
    apply,
    empty,
    judgeAgain,
    showRuleErrors,
    showServerErrors,
    forgetServerErrors,
    describedBy,
    focusFirstInvalid,
  };
}

export type CalculationForm = ReturnType<typeof useCalculationForm>;
