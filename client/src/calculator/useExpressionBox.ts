/**
 * The expression box, kept in step with the form: what is typed in it fills the form as soon as
 * it reads as a calculation (expression.ts), and the form is written into it, unless the box is
 * what is being typed in.
 */
import { ref, watch } from 'vue';
import { expressionOf, parseExpression, type ParsedExpression } from './expression';
import type { CalculationForm } from './useCalculationForm';

export function useExpressionBox(form: Pick<CalculationForm, 'operation' | 'values' | 'apply'>) {
  const { operation, values } = form;
  const expression = ref('');
  const error = ref<string | null>(null);
  const focused = ref(false);

  /** The box rewritten from the form, without an error: what it held was for another. */
  function writeFromForm(): void {
    expression.value = expressionOf(operation.value, values);
    error.value = null;
  }

  // The form written into the box, unless the box is what is being typed in.
  watch([operation, values], () => {
    if (!focused.value) writeFromForm();
  });

  /**
   * The box fills the form as soon as it reads as a calculation. Its error waits until the box
   * is submitted or left (`2^` on the way to `2^10` is no mistake), and once shown it follows
   * what is typed until the box reads right again.
   */
  function onInput(): void {
    if (expression.value.trim() === '') {
      error.value = null;
      return;
    }
    const parsed = parseExpression(expression.value);
    if (!parsed.ok) {
      if (error.value !== null) error.value = parsed.error;
      return;
    }
    error.value = null;
    form.apply(parsed, 'keep');
  }

  function onFocus(): void {
    focused.value = true;
  }

  function onBlur(): void {
    focused.value = false;
    if (expression.value.trim() !== '') read();
  }

  /** What the box holds, read as a calculation; what is wrong with it is shown under it. */
  function read(): ParsedExpression {
    const parsed = parseExpression(expression.value);
    if (!parsed.ok) error.value = parsed.error;
    return parsed;
  }

  function clear(): void {
    expression.value = '';
    error.value = null;
  }

  return { expression, error, writeFromForm, onInput, onFocus, onBlur, read, clear };
}
