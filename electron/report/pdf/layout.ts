/**
 * Page layout for the audit report on top of pdfkit: embedded fonts, section starts,
 * paragraphs, key-value lists, hand-laid tables, visible truncation notes, and the
 * running header and page numbers. Text is measured, wrapped and drawn by ./text.ts;
 * pdfkit draws the shapes and writes the file.
 */
import { createRequire } from 'node:module';
import PDFDocument from 'pdfkit';
import { fillColorOperator, FontFace, formatNumber, strokeColorOperator, textOperators, type TextRun } from './text.js';

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
/** Name the fallback font is registered under (see `registerFonts`). */
export const FALLBACK_FONT = 'fallback';

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

/** Page margin in points; the top margin is 10 points more, for the running header. */
export const MARGIN = 50;
/** Top of the running header, in points from the top of the page. */
export const HEADER_Y = 22;

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

export interface PageFrame {
  /** Running header at the top of every page, cut with an ellipsis to one line. */
  header: string;
  /** Footer at the left of every page, cut the same way; the page number is at the right. */
  footer: string;
}

export interface TextStyle {
  font?: FontName;
  size?: number;
  color?: string;
}

/** Name of the form XObject that prints the page count in every footer. */
const PAGE_COUNT_XOBJECT = 'PageCount';
const FOOTER_SIZE = 7.5;
const PAGE_LABEL_WIDTH = 90;

/**
 * Content operators as bytes. pdfkit converts a string chunk to bytes one character at a
 * time; the operators are ASCII, so Buffer's native Latin-1 encoder gives the same bytes.
 */
function contentBytes(operators: string): Buffer {
  return Buffer.from(`${operators}\n`, 'latin1');
}

export interface LayoutOptions {
  title: string;
  author: string;
  subject: string;
  creationDate: Date;
  frame: PageFrame;
}

/** Registers the report's fonts under the `FontName`s and the fallback font's name. */
export function registerFonts(doc: PDFKit.PDFDocument): void {
  for (const [name, file] of Object.entries(FONT_FILES)) doc.registerFont(name, file);
  doc.registerFont(FALLBACK_FONT, FALLBACK_FONT_FILE);
}

/**
 * Base class of the layouts the report sections draw with. It provides page geometry,
 * page breaks, rules and spacing, and leaves text to subclasses: `StreamingLayout` is the
 * report's, and the benchmark's baseline sets text with pdfkit's own functions.
 */
export abstract class Layout {
  readonly doc: PDFKit.PDFDocument;

  protected constructor(options: LayoutOptions, bufferPages: boolean) {
    this.doc = new PDFDocument({
      size: 'A4',
      margins: { top: MARGIN + 10, bottom: MARGIN, left: MARGIN, right: MARGIN },
      bufferPages,
      autoFirstPage: false,
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
    registerFonts(this.doc);
  }

  /** Number of pages so far; after the last section, the page count of the report. */
  abstract get pages(): number;
  abstract section(title: string, options?: { newPage?: boolean }): void;
  abstract heading(text: string, size?: number): void;
  abstract paragraph(text: string, options?: { font?: FontName; size?: number; color?: string; indent?: number }): void;
  abstract keyValues(rows: [string, string][], options?: { labelWidth?: number; size?: number }): void;
  abstract table(columns: Column[], rows: string[][], options?: TableOptions): void;
  /** Completes what depends on the page count; call once after the last section, before `doc.end()`. */
  abstract finish(): void;

  /** Selects `font` for pdfkit's own text calls, or the fallback font when `text` needs it. */
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

  protected get contentHeight(): number {
    return this.bottom - this.doc.page.margins.top;
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

  rule(color = COLORS.rule): void {
    const y = this.doc.y;
    this.doc.moveTo(this.left, y).lineTo(this.left + this.width, y).lineWidth(0.5).strokeColor(color).stroke();
    this.doc.y = y + 6;
  }

  /** Draws a note in italics, used for every truncation and every gap in the data. */
  note(text: string, indent = 0): void {
    this.paragraph(text, { font: 'oblique', size: 8, color: COLORS.muted, indent });
  }

  space(points: number): void {
    this.doc.y += points;
  }
}

/** The report's layout: pages are written as they fill, and text is set by ./text.ts. */
export class StreamingLayout extends Layout {
  private readonly faces = new Map<string, FontFace>();
  private readonly frame: PageFrame;
  private readonly pageCountForm: PDFKit.PDFKitReference;
  private pageCount = 0;
  private fixedFrame: { content: Buffer; faces: FontFace[] } | null = null;

  constructor(options: LayoutOptions) {
    // Pages are written out as soon as the next one starts, so memory does not grow
    // with the page count. The footer's "of n" is a form XObject whose content is
    // written once the count is known (see `finish`).
    super(options, false);
    this.frame = { header: visibleText(options.frame.header), footer: visibleText(options.frame.footer) };

    // The page frame is drawn from the pageAdded event, also for pages that pdfkit's own
    // text flow adds. Switching fonts there would change the font of that text, so every
    // face the frame uses is loaded here.
    for (const text of [this.frame.header, this.frame.footer, 'Page 0123456789 of']) this.face('regular', text);
    const regular = this.face('regular', '');
    this.pageCountForm = this.doc.ref({
      Type: 'XObject',
      Subtype: 'Form',
      BBox: [0, -5, 200, 15],
      Resources: { Font: { [regular.id]: regular.ref() } },
    });
    this.doc.on('pageAdded', () => this.drawFrame());

    this.doc.addPage();
    this.doc.font('regular').fontSize(10).fillColor(COLORS.text);
  }

  get pages(): number {
    return this.pageCount;
  }

  /** Returns the face for `font`, or the fallback font's when `text` has characters only the fallback can draw. */
  face(font: FontName, text: string): FontFace {
    const name = needsFallbackFont(text) ? FALLBACK_FONT : font;
    let face = this.faces.get(name);
    if (!face) {
      this.doc.font(name);
      face = new FontFace(name, (this.doc as unknown as { _font: unknown })._font);
      this.faces.set(name, face);
    }
    return face;
  }

  /** Wraps `text` to `width` points; returns the lines and their line height. */
  wrapText(text: string, width: number, style: TextStyle = {}): { face: FontFace; lines: readonly string[]; lineHeight: number; height: number } {
    const size = style.size ?? 10;
    const face = this.face(style.font ?? 'regular', text);
    const lines = face.wrap(text, size, width);
    const lineHeight = face.lineHeight(size);
    return { face, lines, lineHeight, height: lines.length * lineHeight };
  }

  /**
   * Draws `text` wrapped to `width` with its top at `y`, on the current page whatever its
   * height; returns the height. Control characters must already be visible (`visibleText`).
   */
  drawText(text: string, x: number, y: number, width: number, style: TextStyle & { align?: 'left' | 'right' } = {}): number {
    const size = style.size ?? 10;
    const wrapped = this.wrapText(text, width, style);
    this.writeText({
      face: wrapped.face,
      size,
      color: style.color ?? COLORS.text,
      x,
      y,
      lines: wrapped.lines,
      lineHeight: wrapped.lineHeight,
      align: style.align,
      width,
    });
    return wrapped.height;
  }

  /** Draws one line at `y`, cut with an ellipsis to `width`. */
  drawLine(text: string, x: number, y: number, width: number, style: TextStyle & { align?: 'left' | 'right' } = {}): void {
    const size = style.size ?? 10;
    const face = this.face(style.font ?? 'regular', text);
    const line = face.fitLine(text, size, width);
    this.writeText({ face, size, color: style.color ?? COLORS.text, x, y, lines: [line], lineHeight: face.lineHeight(size), align: style.align, width });
  }

  private writeText(run: TextRun): void {
    const fonts = this.doc.page.fonts as Record<string, unknown>;
    fonts[run.face.id] ??= run.face.ref();
    this.doc.addContent(contentBytes(textOperators(run, this.doc.page.height)));
  }

  /** Starts a section on a new page with a title and an outline (bookmark) entry. */
  section(title: string, options: { newPage?: boolean } = {}): void {
    if (options.newPage !== false) this.newPage();
    this.doc.outline.addItem(title);
    this.doc.y += this.drawText(title, this.left, this.doc.y, this.width, { font: 'bold', size: 16, color: COLORS.accent });
    this.doc.y += this.face('bold', title).lineHeight(16) * 0.4;
    this.rule();
  }

  heading(text: string, size = 12): void {
    this.ensure(size * 3);
    this.doc.y += this.drawText(text, this.left, this.doc.y, this.width, { font: 'bold', size });
    this.doc.y += this.face('bold', text).lineHeight(size) * 0.25;
  }

  paragraph(text: string, options: { font?: FontName; size?: number; color?: string; indent?: number } = {}): void {
    const indent = options.indent ?? 0;
    const size = options.size ?? 10;
    const color = options.color ?? COLORS.text;
    const wrapped = this.wrapText(visibleText(text), this.width - indent, { font: options.font, size });

    // A paragraph taller than a page flows over pages; a short one moves whole.
    if (wrapped.height < this.contentHeight) this.ensure(wrapped.height);
    let lines = wrapped.lines;
    while (lines.length > 0) {
      const room = Math.max(1, Math.floor((this.bottom - this.doc.y) / wrapped.lineHeight));
      const part = lines.slice(0, room);
      this.writeText({ face: wrapped.face, size, color, x: this.left + indent, y: this.doc.y, lines: part, lineHeight: wrapped.lineHeight });
      this.doc.y += part.length * wrapped.lineHeight;
      lines = lines.slice(part.length);
      if (lines.length > 0) this.newPage();
    }
  }

  /** Label-value pairs in two columns; values wrap. */
  keyValues(rows: [string, string][], options: { labelWidth?: number; size?: number } = {}): void {
    const labelWidth = options.labelWidth ?? 150;
    const size = options.size ?? 9.5;
    const valueWidth = this.width - labelWidth;
    for (const [label, rawValue] of rows) {
      const value = this.wrapText(visibleText(rawValue || '-'), valueWidth, { size });
      const height = Math.max(value.height, size * 1.2);
      this.ensure(height + 2);
      const y = this.doc.y;
      this.drawText(label, this.left, y, labelWidth - 8, { font: 'bold', size, color: COLORS.muted });
      this.writeText({ face: value.face, size, color: COLORS.text, x: this.left + labelWidth, y, lines: value.lines, lineHeight: value.lineHeight });
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
    const headers = columns.map((column) => column.header);

    const drawRow = (cells: string[], header: boolean) => {
      const wrapped = cells.map((cell, index) => {
        const font = header ? 'bold' : (columns[index]!.font ?? 'regular');
        return this.wrapText(cell, widths[index]! - 2 * padding, { font, size });
      });
      const height = Math.max(...wrapped.map((cell) => cell.height)) + 2 * padding;
      if (this.doc.y + height > this.bottom) {
        this.newPage();
        if (!header) drawRow(headers, true);
      }
      const y = this.doc.y;
      if (header) this.doc.rect(this.left, y, this.width, height).fill(COLORS.header);
      let x = this.left;
      wrapped.forEach((cell, index) => {
        const width = widths[index]! - 2 * padding;
        this.writeText({
          face: cell.face,
          size,
          color: COLORS.text,
          x: x + padding,
          y: y + padding,
          lines: cell.lines,
          lineHeight: cell.lineHeight,
          align: columns[index]!.align ?? 'left',
          width,
        });
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
    drawRow(headers, true);
    for (const row of rows) drawRow(row.map((cell) => visibleText(truncate(cell, maxChars).text)), false);
    this.doc.x = this.left;
    this.doc.y += 6;
  }

  /** Draws the running header, the footer and "Page i of n" on the page just added. */
  private drawFrame(): void {
    this.pageCount++;
    const page = this.doc.page;
    const fonts = page.fonts as Record<string, unknown>;

    // 1. Header, rule and footer text are the same on every page: their operators are
    // built once. Every page of the report is A4, so the positions stay valid.
    const regular = this.face('regular', '');
    const footerY = page.height - MARGIN + 16;
    this.fixedFrame ??= this.buildFixedFrame(page.width, page.height, footerY);
    for (const face of this.fixedFrame.faces) fonts[face.id] ??= face.ref();
    this.doc.addContent(this.fixedFrame.content);

    // 2. "Page i of ", then the count: the form XObject on the label's baseline.
    const label = `Page ${this.pageCount} of `;
    const labelX = page.width - MARGIN - PAGE_LABEL_WIDTH;
    this.drawLine(label, labelX, footerY, PAGE_LABEL_WIDTH, { size: FOOTER_SIZE, color: COLORS.muted });
    const x = labelX + regular.width(label, FOOTER_SIZE);
    const baseline = page.height - footerY - regular.ascent(FOOTER_SIZE);
    (page.xobjects as Record<string, unknown>)[PAGE_COUNT_XOBJECT] = this.pageCountForm;
    this.doc.addContent(
      contentBytes(`q 1 0 0 -1 0 ${formatNumber(page.height)} cm 1 0 0 1 ${formatNumber(x)} ${formatNumber(baseline)} cm /${PAGE_COUNT_XOBJECT} Do Q`),
    );
  }

  /** Builds the operators of the header line, the rule under it and the footer line. */
  private buildFixedFrame(pageWidth: number, pageHeight: number, footerY: number): { content: Buffer; faces: FontFace[] } {
    const width = pageWidth - 2 * MARGIN;
    const line = (text: string, y: number, lineWidth: number): TextRun => {
      const face = this.face('regular', text);
      const fitted = face.fitLine(text, FOOTER_SIZE, lineWidth);
      return { face, size: FOOTER_SIZE, color: COLORS.muted, x: MARGIN, y, lines: [fitted], lineHeight: face.lineHeight(FOOTER_SIZE) };
    };
    const header = line(this.frame.header, HEADER_Y, width);
    const footer = line(this.frame.footer, footerY, width - PAGE_LABEL_WIDTH);
    // pdfkit's page transform puts the origin at the top left, so the rule uses y as is.
    const ruleY = formatNumber(HEADER_Y + 11);
    const rule = `q 0.3 w ${strokeColorOperator(COLORS.rule)} ${MARGIN} ${ruleY} m ${formatNumber(pageWidth - MARGIN)} ${ruleY} l S Q`;
    const content = [textOperators(header, pageHeight), rule, textOperators(footer, pageHeight)].join('\n');
    return { content: contentBytes(content), faces: [header.face, footer.face] };
  }

  /** Writes the page count into every footer; call once after the last page, before `doc.end()`. */
  finish(): void {
    const regular = this.face('regular', '');
    const count = String(this.pageCount);
    this.pageCountForm.end(`${fillColorOperator(COLORS.muted)} BT /${regular.id} ${FOOTER_SIZE} Tf 1 0 0 1 0 0 Tm <${regular.encode(count)}> Tj ET`);
  }
}
