/**
 * Text setting for the report without pdfkit's text pipeline. pdfkit shapes every new
 * word with fontkit (OpenType lookups), wraps each call with a Unicode line breaker and
 * measures each string again before drawing it. On a report with thousands of evidence
 * tables, that took most of the render time. Here each font caches glyph ids and advance
 * widths per code point, lines wrap greedily at spaces and separators, and each text block
 * goes to the page content as one string of PDF operators.
 *
 * What this gives up: no kerning, ligatures or mark positioning. The report's fonts
 * (DejaVu Sans and Noto Sans JP) need none of them to be legible in Latin, Greek,
 * Cyrillic and Japanese text.
 *
 * NOTE: the glyphs are added to pdfkit's own font subsets through fields of pdfkit's
 * EmbeddedFont (`font`, `subset`, `widths`, `unicode`), as pdfkit 0.20 names them, so
 * pdfkit still embeds the subset, the widths and the ToUnicode map that text extraction
 * needs. A pdfkit upgrade must keep `checkEmbeddedFont` passing.
 */

/** The fontkit font behind a pdfkit EmbeddedFont, as far as this module uses it. */
interface FontkitFont {
  unitsPerEm: number;
  glyphForCodePoint(codePoint: number): { id: number; advanceWidth: number };
}

/** The fields of pdfkit's EmbeddedFont that this module reads or fills. */
interface EmbeddedFont {
  id: string;
  font: FontkitFont;
  subset: { includeGlyph(glyphId: number): number };
  widths: number[];
  unicode: number[][];
  ascender: number;
  descender: number;
  lineGap: number;
  ref(): unknown;
}

interface Glyph {
  /** Glyph id in the embedded subset, as four hex digits. */
  hex: string;
  /** Advance width in thousandths of the font size. */
  advance: number;
}

/** Throws unless `value` has the EmbeddedFont fields this module relies on. */
function checkEmbeddedFont(value: unknown, name: string): EmbeddedFont {
  const font = value as Partial<EmbeddedFont> | null;
  const valid =
    font !== null &&
    typeof font === 'object' &&
    typeof font.id === 'string' &&
    typeof font.font?.glyphForCodePoint === 'function' &&
    typeof font.subset?.includeGlyph === 'function' &&
    Array.isArray(font.widths) &&
    Array.isArray(font.unicode) &&
    typeof font.ref === 'function';
  if (!valid) {
    throw new Error(`The pdfkit font "${name}" is not an embedded TrueType font with the fields this renderer uses; check the pdfkit version.`);
  }
  return font as EmbeddedFont;
}

const TAB_SPACES = '    ';
/** Wrapped texts kept per face; reports repeat column headers and common evidence values. */
const WRAP_CACHE_ENTRIES = 20_000;
const WRAP_CACHE_MAX_CHARS = 300;

/** One embedded font with cached glyphs, measuring and encoding text without shaping. */
export class FontFace {
  private readonly embedded: EmbeddedFont;
  private readonly glyphs = new Map<number, Glyph>();
  private readonly wrapped = new Map<string, string[]>();
  private readonly scale: number;

  constructor(
    readonly name: string,
    embedded: unknown,
  ) {
    this.embedded = checkEmbeddedFont(embedded, name);
    this.scale = 1000 / this.embedded.font.unitsPerEm;
  }

  /** Resource name of the font in page resources (pdfkit's font id, e.g. `F2`). */
  get id(): string {
    return this.embedded.id;
  }

  /** Returns the font's indirect object, for a resource dictionary. */
  ref(): unknown {
    return this.embedded.ref();
  }

  /** Line height in points at `size`, with the font's line gap, as pdfkit computes it. */
  lineHeight(size: number): number {
    return ((this.embedded.ascender + this.embedded.lineGap - this.embedded.descender) / 1000) * size;
  }

  /** Distance from the top of a line to its baseline, in points. */
  ascent(size: number): number {
    return (this.embedded.ascender / 1000) * size;
  }

  private glyph(codePoint: number): Glyph {
    let glyph = this.glyphs.get(codePoint);
    if (glyph) return glyph;

    const source = this.embedded.font.glyphForCodePoint(codePoint);
    const subsetId = this.embedded.subset.includeGlyph(source.id);
    const advance = source.advanceWidth * this.scale;
    this.embedded.widths[subsetId] ??= advance;
    // One code point per glyph, so text extraction returns what was drawn.
    this.embedded.unicode[subsetId] ??= [codePoint];
    glyph = { hex: subsetId.toString(16).padStart(4, '0'), advance };
    this.glyphs.set(codePoint, glyph);
    return glyph;
  }

  /** Width of `text` in points at `size`. */
  width(text: string, size: number): number {
    let total = 0;
    for (const character of text) total += this.glyph(character.codePointAt(0)!).advance;
    return (total / 1000) * size;
  }

  /** Hex string of the glyph ids of `text`, for a `Tj` operator. */
  encode(text: string): string {
    let hex = '';
    for (const character of text) hex += this.glyph(character.codePointAt(0)!).hex;
    return hex;
  }

  /**
   * Splits `text` into lines no wider than `width` points at `size`. Lines break at
   * line feeds, after spaces, and after the separators of host names and paths (see
   * `breaksAfter`), so `lnx-app-0007.corp.example.com` breaks after a dot rather than
   * inside a label. Only a part between two break opportunities that is wider than the
   * line on its own is split between characters. Spaces at a break stay at the end of
   * the line and may overhang. Tabs count as four spaces.
   */
  wrap(text: string, size: number, width: number): readonly string[] {
    if (text.length > WRAP_CACHE_MAX_CHARS) return this.wrapUncached(text, size, width);
    const key = `${size}:${width}:${text}`;
    let lines = this.wrapped.get(key);
    if (!lines) {
      // Clearing beats an LRU here: the cache only saves time, and most keys repeat soon.
      if (this.wrapped.size >= WRAP_CACHE_ENTRIES) this.wrapped.clear();
      lines = this.wrapUncached(text, size, width);
      this.wrapped.set(key, lines);
    }
    return lines;
  }

  private wrapUncached(text: string, size: number, width: number): string[] {
    const limit = (width * 1000) / size;
    const lines: string[] = [];
    for (const paragraph of text.replaceAll('\t', TAB_SPACES).split('\n')) {
      if (paragraph === '') {
        lines.push('');
        continue;
      }
      let start = 0;
      let lineWidth = 0;
      let breakAt = -1;
      let widthAfterBreak = 0;
      for (let index = 0; index < paragraph.length; ) {
        const codePoint = paragraph.codePointAt(index)!;
        const units = codePoint > 0xffff ? 2 : 1;
        const advance = this.glyph(codePoint).advance;

        if (codePoint === 0x20) {
          lineWidth += advance;
          index += units;
          breakAt = index;
          widthAfterBreak = 0;
          continue;
        }

        // The character does not fit: end the line and look at the character again, so
        // a carried-over word that is still too wide gets split too.
        if (lineWidth + advance > limit && index > start) {
          if (breakAt > start) {
            lines.push(paragraph.slice(start, breakAt).trimEnd());
            start = breakAt;
            lineWidth = widthAfterBreak;
          } else {
            lines.push(paragraph.slice(start, index));
            start = index;
            lineWidth = 0;
          }
          breakAt = -1;
          widthAfterBreak = lineWidth;
          continue;
        }

        lineWidth += advance;
        widthAfterBreak += advance;
        index += units;
        if (index < paragraph.length && breaksAfter(codePoint, paragraph.charCodeAt(index))) {
          breakAt = index;
          widthAfterBreak = 0;
        }
      }
      lines.push(paragraph.slice(start).trimEnd());
    }
    return lines;
  }

  /** Cuts `text` to one line of at most `width` points, ending in an ellipsis when cut. */
  fitLine(text: string, size: number, width: number): string {
    const line = text.replaceAll('\t', TAB_SPACES).replaceAll('\n', ' ');
    if (this.width(line, size) <= width) return line;
    const limit = width - this.width('…', size);
    let fitted = '';
    let used = 0;
    for (const character of line) {
      const advance = this.width(character, size);
      if (used + advance > limit) break;
      fitted += character;
      used += advance;
    }
    return `${fitted}…`;
  }
}

function isDigit(charCode: number): boolean {
  return charCode >= 0x30 && charCode <= 0x39;
}

/**
 * True when a line may break after `codePoint` followed by `next`: after `-`, `.`, `_`,
 * `/` and `\`. As in Unicode line breaking, a hyphen or dot before a digit (a date, a
 * range, a negative or decimal number, a version, an IP address) is no break opportunity.
 */
function breaksAfter(codePoint: number, next: number): boolean {
  if (codePoint === 0x2d || codePoint === 0x2e) return !isDigit(next);
  return codePoint === 0x5f || codePoint === 0x2f || codePoint === 0x5c;
}

const colorCache = new Map<string, string>();

/** Returns the color operator (`rg` to fill, `RG` to stroke) for a `#rrggbb` color. */
function colorOperator(color: string, operator: 'rg' | 'RG'): string {
  const key = `${color} ${operator}`;
  let text = colorCache.get(key);
  if (text) return text;
  const match = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(color);
  if (!match) throw new Error(`Report colors must be #rrggbb, got "${color}".`);
  const channels = match.slice(1, 4).map((hex) => formatNumber(parseInt(hex, 16) / 255));
  text = `${channels.join(' ')} ${operator}`;
  colorCache.set(key, text);
  return text;
}

/** PDF fill color operator for a `#rrggbb` color. */
export function fillColorOperator(color: string): string {
  return colorOperator(color, 'rg');
}

/** PDF stroke color operator for a `#rrggbb` color. */
export function strokeColorOperator(color: string): string {
  return colorOperator(color, 'RG');
}

/** Formats a coordinate with at most two decimals, as PDF content expects. */
export function formatNumber(value: number): string {
  return String(Math.round(value * 100) / 100);
}

export interface TextRun {
  face: FontFace;
  size: number;
  color: string;
  /** Left edge of each line, in pdfkit coordinates (points from the page's top left). */
  x: number;
  /** Top of the first line. */
  y: number;
  lines: readonly string[];
  lineHeight: number;
  /** With `width`, `right` aligns each line to the right edge of the box. */
  align?: 'left' | 'right';
  width?: number;
}

/**
 * PDF operators that draw `run` on a page `pageHeight` points high. pdfkit's page
 * transform flips the y axis; the run undoes that flip inside its own q/Q pair, so the
 * graphics state outside is unchanged.
 */
export function textOperators(run: TextRun, pageHeight: number): string {
  const parts = [`q 1 0 0 -1 0 ${formatNumber(pageHeight)} cm ${fillColorOperator(run.color)} BT /${run.face.id} ${formatNumber(run.size)} Tf`];
  const ascent = run.face.ascent(run.size);
  run.lines.forEach((line, index) => {
    if (line === '') return;
    let x = run.x;
    if (run.align === 'right' && run.width !== undefined) x += run.width - run.face.width(line, run.size);
    const baseline = pageHeight - (run.y + index * run.lineHeight) - ascent;
    parts.push(`1 0 0 1 ${formatNumber(x)} ${formatNumber(baseline)} Tm <${run.face.encode(line)}> Tj`);
  });
  parts.push('ET Q');
  return parts.join('\n');
}
