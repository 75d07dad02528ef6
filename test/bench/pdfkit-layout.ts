/**
 * The report layout as it was before ./electron/report/pdf/text.ts: pdfkit measures,
 * wraps and shapes every text, and all pages stay buffered until "Page i of n" is drawn
 * on each. The report benchmark renders the same sections with it as its baseline.
 */
import {
  COLORS,
  HEADER_Y,
  Layout,
  MARGIN,
  truncate,
  visibleText,
  type Column,
  type FontName,
  type LayoutOptions,
  type PageFrame,
  type TableOptions,
} from '../../electron/report/pdf/layout.js';

export class PdfkitLayout extends Layout {
  private readonly frame: PageFrame;

  constructor(options: LayoutOptions) {
    super(options, true);
    this.frame = options.frame;
    this.doc.addPage();
    this.doc.font('regular').fontSize(10).fillColor(COLORS.text);
  }

  get pages(): number {
    return this.doc.bufferedPageRange().count;
  }

  finish(): void {
    this.finishPages(this.frame.header, this.frame.footer);
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
  private finishPages(header: string, footer: string): void {
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
