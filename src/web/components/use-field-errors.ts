import { useCallback, useState } from 'react';
import { ApiError, messageOf } from '../api/client.js';

/**
 * Error messages of a form: one per field (shown next to it) and one for the whole form (shown
 * above the buttons) for anything that belongs to no field shown.
 */
export function useFieldErrors<Field extends string>(fieldNames: readonly Field[]) {
  const [fields, setFields] = useState<Partial<Record<Field, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);

  const clear = useCallback(() => {
    setFields({});
    setFormError(null);
  }, []);

  const clearField = useCallback((field: Field) => {
    setFields((current) => (current[field] === undefined ? current : { ...current, [field]: undefined }));
  }, []);

  /** Shows a failed request: per-field messages next to their fields, anything else above the buttons. */
  const showError = useCallback(
    (error: unknown) => {
      const next: Partial<Record<Field, string>> = {};
      const leftOver: string[] = [];
      if (error instanceof ApiError) {
        for (const [name, message] of Object.entries(error.fields)) {
          if ((fieldNames as readonly string[]).includes(name)) next[name as Field] = message;
          else leftOver.push(message);
        }
      }
      setFields(next);
      const hasFieldMessages = Object.keys(next).length > 0;
      setFormError(leftOver.length > 0 ? leftOver.join(' ') : hasFieldMessages ? null : messageOf(error));
    },
    [fieldNames],
  );

  return { fields, setFields, formError, setFormError, clear, clearField, showError };
}
