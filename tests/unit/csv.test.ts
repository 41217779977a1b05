import { describe, expect, it } from 'vitest';
import { csvCell, csvRow } from '../../src/server/routes/csv.js';

describe('CSV cells', () => {
  it('writes plain text, numbers and empty values as they are', () => {
    expect(csvCell('Alice')).toBe('Alice');
    expect(csvCell(42)).toBe('42');
    expect(csvCell('')).toBe('');
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
  });

  it("prefixes cells starting with = + - @ tab or carriage return with ' (no formula injection)", () => {
    expect(csvCell('=1+1')).toBe("'=1+1");
    expect(csvCell('+SUM(A1)')).toBe("'+SUM(A1)");
    expect(csvCell('-2+3')).toBe("'-2+3");
    expect(csvCell('@cmd')).toBe("'@cmd");
    expect(csvCell('\t=1')).toBe("'\t=1");
    expect(csvCell('\r=1')).toBe(`"'\r=1"`);
    expect(csvCell(-5)).toBe("'-5");
  });

  it('leaves = + - @ alone when they are not the first character', () => {
    expect(csvCell('a=b')).toBe('a=b');
    expect(csvCell('name@example.test')).toBe('name@example.test');
  });

  it('quotes cells with commas, quotes or line breaks, doubling the quotes', () => {
    expect(csvCell('Smith, Jr.')).toBe('"Smith, Jr."');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('a\r\nb')).toBe('"a\r\nb"');
  });

  it('both prefixes and quotes a formula that also needs quoting', () => {
    expect(csvCell('=HYPERLINK("http://evil.example","click")')).toBe(
      `"'=HYPERLINK(""http://evil.example"",""click"")"`,
    );
  });

  it('joins a row with commas and ends it with CRLF', () => {
    expect(csvRow(['a', 1, null, '=x', 'b,c'])).toBe(`a,1,,'=x,"b,c"\r\n`);
    expect(csvRow([])).toBe('\r\n');
  });
});
