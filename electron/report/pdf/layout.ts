/**
 * Page layout for the audit report on top of pdfkit: embedded fonts, section starts,
 * paragraphs, key-value lists, hand-laid tables (several times faster than pdfkit's
 * table API on thousands of rows), visible truncation notes, and the running header and
 * page numbers drawn once every page exists.
 */
import { createRequire } from 'node:module';
import PDFDocument from 'pdfkit';

const require = createRequire(import.meta.url);

// DejaVu Sans covers Latin, Greek, Cyrillic and many symbols but no CJK. Text that
// DejaVu cannot draw is set in Noto Sans JP (kana, kanji and most common hanzi).
// NOTE: Hangul and scripts in neither font still print as empty boxes.
const FONT_FILES = {
  regular: require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf'),
  bold: require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf'),
  oblique: require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Oblique.ttf'),
  mono: require.resolve('dejavu-fonts-ttf/ttf/DejaVuSansMono.ttf'),
};
const FALLBACK_FONT_FILE = require.resolve('@expo-google-fonts/noto-sans-jp/400Regular/NotoSansJP_400Regular.ttf');
const FALLBACK_FONT = 'fallback';

export type FontName = keyof typeof FONT_FILES;

interface GlyphSource {
  hasGlyphForCodePoint(codePoint: number): boolean;
}

const fontkit = require('fontkit') as { openSync(path: string): GlyphSource };
let coverage: { primary: GlyphSource; fallback: GlyphSource } | null = null;

function glyphCoverage(): { primary: GlyphSource; fallback: GlyphSource } {
  coverage ??= { primary: fontkit.openSync(FONT_FILES.regular), fallback: fontkit.openSync(FALLBACK_FONT_FILE) };
  return coverage;
}

/** True when some character of `text` is missing from DejaVu Sans but present in the fallback font. */
export function needsFallbackFont(text: string): boolean {
  // Fast path: DejaVu covers everything the reports usually hold below U+2E80.
  if (!/[\u2e80-\uffff]/.test(text)) return false;
  const fonts = glyphCoverage();
  for (const character of text) {
    const codePoint = character.codePointAt(0)!;
    if (codePoint < 0x2e80) continue;
    if (!fonts.primary.hasGlyphForCodePoint(codePoint) && fonts.fallback.hasGlyphForCodePoint(codePoint)) return true;
  }
  return false;
}

/**
 * Makes control characters visible as `\uXXXX` (a NUL in evidence would otherwise print
 * as a box or nothing). Line feeds and tabs stay.
 */
export function visibleText(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export const COLORS = {
  text: '#1a1a1a',
  muted: '#5c5c5c',
  rule: '#c8c8c8',
  header: '#eef1f5',
  pass: '#2e7d32',
  exception: '#00897b',
  fail: '#c62828',
  error: '#ef6c00',
  other: '#9e9e9e',
  accent: '#1f4e79',
  warning: '#b71c1c',
};

const MARGIN = 50;
const HEADER_Y = 22;

export interface Column {
  header: string;
  /** Share of the available width; the shares of a table add up to 1. */
  share: number;
  align?: 'left' | 'right';
  font?: FontName;
}

export interface TableOptions {
  fontSize?: number;
  /** Longest text a cell shows; longer text is cut with a visible marker. */
  maxCellChars?: number;
}

/** Cuts `text` to `max` characters; the cut text ends with a marker that says how much is missing. */
export function truncate(text: string, max: number): { text: string; omitted: number } {
  if (text.length <= max) return { text, omitted: 0 };
  const omitted = text.length - max;
  return { text: `${text.slice(0, max)} […${omitted.toLocaleString('en-US')} more characters]`, omitted };
}

export class Layout {
  readonly doc: PDFKit.PDFDocument;

  constructor(options: { title: string; author: string; subject: string; creationDate: Date }) {
    this.doc = new PDFDocument({
      size: 'A4',
      margins: { top: MARGIN + 10, bottom: MARGIN, left: MARGIN, right: MARGIN },
      bufferPages: true,
      autoFirstPage: true,
      pdfVersion: '1.7',
      lang: 'en',
      displayTitle: true,
      info: {
        Title: options.title,
        Author: options.author,
        Subject: options.subject,
        Creator: 'Posture Workbench',
        Producer: 'Posture Workbench (pdfkit)',
        CreationDate: options.creationDate,
        ModDate: options.creationDate,
      },
    });
    for (const [name, file] of Object.entries(FONT_FILES)) this.doc.registerFont(name, file);
    this.doc.registerFont(FALLBACK_FONT, FALLBACK_FONT_FILE);
    this.doc.font('regular').fontSize(10).fillColor(COLORS.text);
  }

  /** Selects `font`, or the fallback font when `text` has characters only the fallback can draw. */
  font(font: FontName, text: string): this {
    this.doc.font(needsFallbackFont(text) ? FALLBACK_FONT : font);
    return this;
  }

  get left(): number {
    return this.doc.page.margins.left;
  }

  get width(): number {
    return this.doc.page.width - this.doc.page.margins.left - this.doc.page.margins.right;
  }

  get bottom(): number {
    return this.doc.page.height - this.doc.page.margins.bottom;
  }

  get y(): number {
    return this.doc.y;
  }

  set y(value: number) {
    this.doc.y = value;
  }

  /** Starts a new page unless `height` points still fit on this one. */
  ensure(height: number): void {
    if (this.doc.y + height > this.bottom) this.newPage();
  }

  newPage(): void {
    this.doc.addPage();
    this.doc.x = this.left;
  }

  /** Starts a section on a new page with a title and an outline (bookmark) entry. */
  section(title: string, options: { newPage?: boolean } = {}): void {
    if (options.newPage !== false) this.newPage();
    this.doc.outline.addItem(title);
    this.doc.font('bold').fontSize(16).fillColor(COLORS.accent).text(title, this.left, this.doc.y, { width: this.width });
    this.doc.moveDown(0.4);
    this.rule();
    this.doc.fillColor(COLORS.text);
  }

  heading(text: string, size = 12): void {
    this.ensure(size * 3);
    this.doc.font('bold').fontSize(size).fillColor(COLORS.text).text(text, this.left, this.doc.y, { width: this.width });
    this.doc.moveDown(0.25);
  }

  rule(color = COLORS.rule): void {
    const y = this.doc.y;
    this.doc.moveTo(this.left, y).lineTo(this.left + this.width, y).lineWidth(0.5).strokeColor(color).stroke();
    this.doc.y = y + 6;
  }

  paragraph(text: string, options: { font?: FontName; size?: number; color?: string; indent?: number } = {}): void {
    const indent = options.indent ?? 0;
    text = visibleText(text);
    this.font(options.font ?? 'regular', text);
    this.doc.fontSize(options.size ?? 10).fillColor(options.color ?? COLORS.text);
    const height = this.doc.heightOfString(text, { width: this.width - indent });
    // A paragraph taller than a page flows over pages; a short one moves whole.
    if (height < this.bottom - this.doc.page.margins.top) this.ensure(height);
    this.doc.text(text, this.left + indent, this.doc.y, { width: this.width - indent });
    this.doc.fillColor(COLORS.text);
  }

  /** A note in italics, used for every truncation and every gap in the data. */
  note(text: string, indent = 0): void {
    this.paragraph(text, { font: 'oblique', size: 8, color: COLORS.muted, indent });
  }

  space(points: number): void {
    this.doc.y += points;
  }

  /** Label-value pairs in two columns; values wrap. */
  keyValues(rows: [string, string][], options: { labelWidth?: number; size?: number } = {}): void {
    const labelWidth = options.labelWidth ?? 150;
    const size = options.size ?? 9.5;
    const valueWidth = this.width - labelWidth;
    for (const [label, rawValue] of rows) {
      const value = visibleText(rawValue || '-');
      this.font('regular', value).doc.fontSize(size);
      const height = Math.max(this.doc.heightOfString(value, { width: valueWidth }), size * 1.2);
      this.ensure(height + 2);
      const y = this.doc.y;
      this.doc.font('bold').fillColor(COLORS.muted).text(label, this.left, y, { width: labelWidth - 8 });
      this.font('regular', value).doc.fillColor(COLORS.text).text(value, this.left + labelWidth, y, { width: valueWidth });
      this.doc.y = y + height + 2;
    }
  }

  /**
   * Draws a table with a shaded header row that repeats after each page break. Rows
   * never split across pages unless one row is taller than a page, which the cell limit
   * `maxCellChars` prevents for any realistic font size.
   */
  table(columns: Column[], rows: string[][], options: TableOptions = {}): void {
    const size = options.fontSize ?? 8;
    const padding = 2.5;
    const maxChars = options.maxCellChars ?? 600;
    const widths = columns.map((column) => column.share * this.width);
    const lines = (row: string[]) => row.map((cell) => visibleText(truncate(cell, maxChars).text));

    const drawRow = (cells: string[], header: boolean) => {
      this.doc.fontSize(size);
      const heights = cells.map((cell, index) => {
        this.font(header ? 'bold' : (columns[index]!.font ?? 'regular'), cell);
        return this.measure(cell, widths[index]! - 2 * padding);
      });
      const height = Math.max(...heights) + 2 * padding;
      if (this.doc.y + height > this.bottom) {
        this.newPage();
        if (!header) drawRow(columns.map((column) => column.header), true);
      }
      const y = this.doc.y;
      if (header) this.doc.rect(this.left, y, this.width, height).fill(COLORS.header);
      let x = this.left;
      cells.forEach((cell, index) => {
        const column = columns[index]!;
        this.font(header ? 'bold' : (column.font ?? 'regular'), cell)
          .doc.fillColor(COLORS.text)
          .text(cell, x + padding, y + padding, { width: widths[index]! - 2 * padding, align: column.align ?? 'left' });
        x += widths[index]!;
      });
      this.doc
        .moveTo(this.left, y + height)
        .lineTo(this.left + this.width, y + height)
        .lineWidth(0.3)
        .strokeColor(COLORS.rule)
        .stroke();
      this.doc.y = y + height;
    };

    this.ensure(size * 5);
    drawRow(columns.map((column) => column.header), true);
    for (const row of rows) drawRow(lines(row), false);
    this.doc.x = this.left;
    this.doc.y += 6;
  }

  /**
   * Height of `text` in the current font at `width`. A single line that fits skips
   * pdfkit's line wrapper, which dominates the time of large tables.
   */
  measure(text: string, width: number): number {
    if (text === '') return this.doc.currentLineHeight(true);
    if (!text.includes('\n') && this.doc.widthOfString(text) <= width) return this.doc.currentLineHeight(true);
    return this.doc.heightOfString(text, { width });
  }

  /** Draws the running header and "Page i of n" on every page; call once at the end. */
  finishPages(header: string, footer: string): void {
    const range = this.doc.bufferedPageRange();
    for (let index = range.start; index < range.start + range.count; index++) {
      this.doc.switchToPage(index);
      const page = this.doc.page;
      // Text outside the margins would start a new page; lift the margins while drawing.
      const margins = { ...page.margins };
      page.margins.top = 0;
      page.margins.bottom = 0;
      const width = page.width - 2 * MARGIN;
      this.font('regular', header).doc.fontSize(7.5).fillColor(COLORS.muted);
      this.doc.text(header, MARGIN, HEADER_Y, { width, lineBreak: false, ellipsis: true });
      this.doc
        .moveTo(MARGIN, HEADER_Y + 11)
        .lineTo(page.width - MARGIN, HEADER_Y + 11)
        .lineWidth(0.3)
        .strokeColor(COLORS.rule)
        .stroke();
      const footerY = page.height - MARGIN + 16;
      this.doc.text(footer, MARGIN, footerY, { width: width - 90, lineBreak: false, ellipsis: true });
      this.doc.text(`Page ${index + 1} of ${range.count}`, page.width - MARGIN - 90, footerY, { width: 90, align: 'right', lineBreak: false });
      page.margins.top = margins.top;
      page.margins.bottom = margins.bottom;
    }
  }
}
