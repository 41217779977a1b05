/** The Latchkey mark (decorative: the product name is always written next to it). */
export function LatchkeyLogo({ size = 28 }: { size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 32 32" aria-hidden="true" focusable="false">
      <rect width="32" height="32" rx="7" fill="var(--mantine-color-blue-filled)" />
      <circle cx="16" cy="13" r="5.5" fill="none" stroke="#fff" strokeWidth="2.5" />
      <path d="M16 18.5V26m0-3.5h3.5M16 25h2.5" stroke="#fff" strokeWidth="2.5" strokeLinecap="round" />
    </svg>
  );
}
