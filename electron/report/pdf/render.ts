/**
 * Renders the audit report: cover, executive summary, changes since the baseline,
 * findings, approved exceptions, scope and provenance, and sign-off. Every page gets a
 * running header and its page number. The page count, the embedded manifest.json and
 * the integrity digest follow the last page.
 */
import { finished } from 'node:stream/promises';
import type { ReportModel } from '../model.js';
import { buildReportManifest, type ReportManifest } from '../manifest.js';
import { DIGEST_INFO_KEY, DIGEST_PLACEHOLDER, sealPdf } from '../integrity.js';
import { drawChanges } from './changes.js';
import { drawCover } from './cover.js';
import { drawExceptions } from './exceptions.js';
import { drawFindings } from './findings.js';
import { drawProvenance } from './provenance.js';
import { drawSignoff } from './signoff.js';
import { drawSummary } from './summary.js';
import { StreamingLayout, type Layout, type LayoutOptions } from './layout.js';

export interface RenderedReport {
  /** The sealed PDF, before any digital signature. */
  pdf: Buffer;
  manifest: ReportManifest;
  pages: number;
}

export interface RenderOptions {
  /** Makes the layout the sections draw with; default the report's `StreamingLayout`. */
  createLayout?: (options: LayoutOptions) => Layout;
}

export async function renderReportPdf(model: ReportModel, options: RenderOptions = {}): Promise<RenderedReport> {
  const generated = new Date(model.generatedAt);
  const createLayout = options.createLayout ?? ((layoutOptions: LayoutOptions) => new StreamingLayout(layoutOptions));
  const layout = createLayout({
    title: model.title,
    author: model.auditor || 'Posture Workbench',
    subject: `Compliance audit report ${model.reportId} revision ${model.revision}`,
    creationDate: generated,
    frame: {
      header: `${model.title} · Report ${model.reportId} rev. ${model.revision}`,
      footer: `Report SHA-256 ${model.reportSha256}`,
    },
  });
  const doc = layout.doc;
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));

  // 1. Sections, in reading order.
  drawCover(layout, model);
  drawSummary(layout, model);
  drawChanges(layout, model);
  drawFindings(layout, model);
  drawExceptions(layout, model);
  drawProvenance(layout, model);
  drawSignoff(layout, model);

  // 2. The page count in every footer, now that it is known.
  const pages = layout.pages;
  layout.finish();

  // 3. Manifest attachment and the digest placeholder, both covered by the digest.
  const manifest = buildReportManifest(model);
  doc.file(Buffer.from(JSON.stringify(manifest, null, 2), 'utf8'), {
    name: 'manifest.json',
    type: 'application/json',
    description: 'Report and snapshot hashes (Posture Workbench)',
    creationDate: generated,
    modifiedDate: generated,
  });
  (doc.info as Record<string, unknown>)[DIGEST_INFO_KEY] = DIGEST_PLACEHOLDER;

  doc.end();
  await finished(doc);
  return { pdf: sealPdf(Buffer.concat(chunks)), manifest, pages };
}
