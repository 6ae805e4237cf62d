import { nextTick, type Ref } from 'vue';

/**
 * Rewrites the form and the box (`rewrite`) without moving the caret of the field being typed
 * in: a field given another value keeps its caret and selection where they were (within a
 * shorter value; a caret at the end stays at the end), where the browser would put the caret at
 * the end; a field that goes with its operation (the exponent, on Back to a factorial) hands
 * focus to the box (`box`), which holds the calculation now shown, rather than dropping it to the
 * page. Only a field in `panel` counts.
 */
export function keepingCaret(
  panel: Readonly<Ref<HTMLElement | null>>,
  box: Readonly<Ref<HTMLInputElement | null>>,
  rewrite: () => void,
): void {
  const typing = document.activeElement;
  if (
    !(typing instanceof HTMLInputElement) ||
    typing.type !== 'text' ||
    !panel.value?.contains(typing)
  ) {
    rewrite();
    return;
  }
  const { name, selectionStart, selectionEnd, selectionDirection } = typing;
  // A caret at the end of what was there (where typing goes on) stays at the end of what is.
  const atEnd = selectionStart === typing.value.length && selectionEnd === typing.value.length;
  rewrite();
  void nextTick(() => {
    const field =
      panel.value?.querySelector<HTMLInputElement>(`input[type="text"][name="${name}"]`) ??
      box.value;
    const now = document.activeElement;
    // Not if the user has gone on to something else meanwhile.
    if (!field || (now !== field && now !== null && now !== document.body)) return;
    field.focus();
    const end = field.value.length;
    const kept = field.name === name && !atEnd;
    field.setSelectionRange(
      kept ? Math.min(selectionStart ?? end, end) : end,
      kept ? Math.min(selectionEnd ?? end, end) : end,
      selectionDirection ?? undefined,
    );
  });
}
