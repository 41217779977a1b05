/** The records.properties column: a JSON object of string values, read and written only here. */

/**
 * A record's properties from their JSON column. Parsed defensively (a hand-edited row must not
 * break the list) and returned as a Map, so a key such as "__proto__" stays an ordinary key.
 */
export function parseProperties(json: string): Map<string, string> {
  const properties = new Map<string, string>();
  try {
    const parsed: unknown = JSON.parse(json);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      for (const [key, value] of Object.entries(parsed)) if (typeof value === 'string') properties.set(key, value);
    }
  } catch {
    // An unreadable value shows as no properties rather than failing the page.
  }
  return properties;
}

export function serializeProperties(properties: Map<string, string>): string {
  return JSON.stringify(Object.fromEntries(properties));
}
