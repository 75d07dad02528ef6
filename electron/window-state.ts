/**
 * The main window's size and position, restored at start. A saved position that no
 * display shows any more (an unplugged monitor) is dropped, keeping only the size.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface WindowBounds {
  x?: number;
  y?: number;
  width: number;
  height: number;
  maximized: boolean;
}

export interface Area {
  x: number;
  y: number;
  width: number;
  height: number;
}

export const DEFAULT_BOUNDS: WindowBounds = { width: 1280, height: 820, maximized: false };
const MIN_WIDTH = 800;
const MIN_HEIGHT = 560;

export function loadWindowBounds(file: string, workAreas: readonly Area[]): WindowBounds {
  if (!existsSync(file)) return DEFAULT_BOUNDS;
  let saved: Partial<WindowBounds>;
  try {
    saved = JSON.parse(readFileSync(file, 'utf8')) as Partial<WindowBounds>;
  } catch {
    return DEFAULT_BOUNDS;
  }
  return fitToDisplays(saved, workAreas);
}

export function fitToDisplays(saved: Partial<WindowBounds>, workAreas: readonly Area[]): WindowBounds {
  const width = Math.max(MIN_WIDTH, finiteOr(saved.width, DEFAULT_BOUNDS.width));
  const height = Math.max(MIN_HEIGHT, finiteOr(saved.height, DEFAULT_BOUNDS.height));
  const bounds: WindowBounds = { width, height, maximized: saved.maximized === true };
  if (typeof saved.x !== 'number' || typeof saved.y !== 'number') return bounds;

  // Keep the position only when the window's title bar area lies on some display.
  const x = saved.x;
  const y = saved.y;
  const visible = workAreas.some((area) => x + 100 > area.x && x < area.x + area.width - 100 && y >= area.y && y < area.y + area.height - 50);
  return visible ? { ...bounds, x, y } : bounds;
}

export function saveWindowBounds(file: string, bounds: WindowBounds): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(bounds));
}

function finiteOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}
