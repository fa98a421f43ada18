/** Text safe inside an XML attribute or element: the five special characters escaped, characters XML 1.0 forbids dropped. */
export function escapeXml(text: string): string {
  return (
    text
      // eslint-disable-next-line no-control-regex -- control characters are what this removes
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
      .replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`)
  );
}

const POWERS_OF_TEN = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8];

/**
 * A coordinate with at most `decimals` (≤ 8) decimals and no trailing zeros (`12.5`, not
 * `12.5000`; `0`, never `-0`). Integer arithmetic and one String(): toFixed cost twice as much, and
 * a 200,000-triangle OBJ writes over a million numbers.
 */
export function formatNumber(value: number, decimals: number): string {
  let scaled = Math.round(value * POWERS_OF_TEN[decimals]!);
  if (scaled === 0 || !Number.isFinite(scaled)) return scaled === 0 ? '0' : String(value);
  const negative = scaled < 0;
  if (negative) scaled = -scaled;
  let places = decimals;
  while (places > 0 && scaled % 10 === 0) {
    scaled /= 10;
    places--;
  }
  let digits = String(scaled);
  if (places > 0) {
    if (digits.length <= places) digits = '0'.repeat(places - digits.length + 1) + digits;
    digits = `${digits.slice(0, digits.length - places)}.${digits.slice(digits.length - places)}`;
  }
  return negative ? `-${digits}` : digits;
}
