/**
 * Drives VS Code's workbench (served by code-server) in headless Chromium the way a user
 * would: quick open, command palette, kernel picker, Run All, save. Selectors are VS Code's
 * own DOM classes and ARIA labels; each step waits for what it needs (only screenshots give
 * the output webviews a moment to paint).
 */
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { join } from 'node:path';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true });
}

export class Workbench {
  private shot = 0;

  constructor(
    readonly page: Page,
    private readonly screenshotDir: string,
  ) {}

  /** `emptyFolder`: the folder has no file for the explorer to list, so only its view is waited for. */
  async open(url: string, o: { emptyFolder?: boolean } = {}): Promise<void> {
    await this.page.goto(url);
    await this.page.locator('.monaco-workbench').waitFor({ timeout: 90_000 });
    // The explorer shows the folder once the remote extension host has connected.
    if (o.emptyFolder) await this.page.locator('.explorer-folders-view').first().waitFor({ state: 'attached', timeout: 90_000 });
    else await this.page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 90_000 });
    // Close both side bars so outputs get the width.
    for (const [key, part] of [
      ['Control+B', '.part.sidebar'],
      ['Control+Alt+B', '.part.auxiliarybar'],
    ] as const) {
      if (await this.page.locator(part).isVisible()) {
        await this.page.keyboard.press(key);
        await this.page
          .locator(part)
          .waitFor({ state: 'hidden', timeout: 5_000 })
          .catch(() => undefined);
      }
    }
  }

  async screenshot(name: string): Promise<string> {
    const file = join(this.screenshotDir, `${String(++this.shot).padStart(2, '0')}-${name}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }

  /**
   * Runs a command from the palette by its title, e.g. "Notebook: Run All". The palette lists the
   * commands known when it opens: on a busy machine an extension's contributions can register a
   * little after the workbench shows, so a palette that has no such row is closed and opened again
   * (for up to 90 s) rather than waited on.
   */
  async command(title: string): Promise<void> {
    const input = this.page.locator('.quick-input-widget input');
    const row = this.page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
    const deadline = Date.now() + 90_000;
    for (;;) {
      await this.page.keyboard.press('F1');
      await input.waitFor();
      await input.fill(`>${title}`);
      const found = await row.waitFor({ timeout: 5_000 }).then(
        () => true,
        () => false,
      );
      if (found) break;
      if (Date.now() > deadline) throw new Error(`the command palette has no command '${title}' after 90 s`);
      await input.press('Escape');
      await this.page
        .locator('.quick-input-widget')
        .waitFor({ state: 'hidden', timeout: 5_000 })
        .catch(() => undefined);
    }
    await input.press('Enter');
    await this.page
      .locator('.quick-input-widget')
      .waitFor({ state: 'hidden', timeout: 5_000 })
      .catch(() => undefined);
  }

  async openFile(name: string): Promise<void> {
    await this.page.keyboard.press('Control+P');
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor();
    await input.fill(name);
    await this.page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor();
    await input.press('Enter');
    await this.page.locator('.tabs-container .tab.active', { hasText: name }).waitFor({ timeout: 30_000 });
  }

  async waitForNotebook(): Promise<void> {
    await this.page.locator('.notebook-editor:visible .cell-list-container').first().waitFor({ timeout: 60_000 });
  }

  private toolbar() {
    return this.page.locator('.notebook-editor:visible .notebook-toolbar-container').first();
  }

  /** The kernel picker (the notebook toolbar's kernel button), then the controller by its label. */
  async selectKernel(label: string): Promise<void> {
    const picker = this.toolbar().locator('.kernel-action-view-item').first();
    await picker.waitFor({ timeout: 30_000 });
    await picker.click();
    const rows = this.page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
    const item = rows.filter({ hasText: label }).first();
    const other = rows.filter({ hasText: 'Select Another Kernel' }).first();
    await Promise.race([item.waitFor({ timeout: 30_000 }), other.waitFor({ timeout: 30_000 })]);
    if (!(await item.isVisible()) && (await other.isVisible())) await other.click();
    await item.click();
    await this.page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
    await picker.filter({ hasText: label }).waitFor({ timeout: 30_000 });
  }

  /**
   * Runs every cell and waits until none is running or queued. With an interrupt handler
   * VS Code's notebook toolbar swaps "Run All" for "Interrupt" exactly while cells run,
   * whether or not the running cell is scrolled into view.
   */
  async runAll(timeoutMs: number): Promise<void> {
    await this.toolbar().locator('.action-label[aria-label="Run All"]').click();
    const interrupt = this.toolbar().locator('.action-label[aria-label^="Interrupt"]').first();
    await interrupt.waitFor({ timeout: 30_000 }).catch(() => undefined); // a fast run may be over already
    await this.waitIdle(timeoutMs);
  }

  /** Clicks Run All and returns once cells run (use waitIdle or interrupt next). */
  async startRunAll(): Promise<void> {
    await this.toolbar().locator('.action-label[aria-label="Run All"]').click();
    await this.toolbar().locator('.action-label[aria-label^="Interrupt"]').first().waitFor({ timeout: 30_000 });
  }

  /** Waits until the code cell at `index` (0-based, code cells only) shows the running spinner. */
  async waitCellRunning(index: number, timeoutMs = 120_000): Promise<void> {
    await this.codeCell(index).locator('.codicon-notebook-state-executing').waitFor({ timeout: timeoutMs });
  }

  /** The toolbar's Interrupt (the controller's interrupt handler), then waits for the run to end. */
  async interrupt(timeoutMs = 60_000): Promise<void> {
    await this.toolbar().locator('.action-label[aria-label^="Interrupt"]').first().click();
    await this.waitIdle(timeoutMs);
  }

  /** Runs one code cell (0-based among code cells) with its run button and waits for it. */
  async runCell(index: number, timeoutMs = 120_000): Promise<void> {
    const cell = this.codeCell(index);
    await cell.hover();
    await cell.locator('.run-button-container .action-label[aria-label^="Execute Cell"]').first().click();
    await this.toolbar()
      .locator('.action-label[aria-label^="Interrupt"]')
      .first()
      .waitFor({ timeout: 10_000 })
      .catch(() => undefined);
    await this.waitIdle(timeoutMs);
  }

  async waitIdle(timeoutMs: number): Promise<void> {
    await this.toolbar().locator('.action-label[aria-label^="Interrupt"]').first().waitFor({ state: 'hidden', timeout: timeoutMs });
    await this.toolbar().locator('.action-label[aria-label="Run All"]').waitFor({ timeout: 10_000 });
  }

  private codeCell(index: number) {
    return this.page.locator('.notebook-editor:visible .code-cell-row').nth(index);
  }

  /** Adds a code cell with the toolbar's "+ Code" and returns the language its cell status bar shows. */
  async addCodeCellLanguage(): Promise<string> {
    const before = await this.page.locator('.notebook-editor:visible .code-cell-row').count();
    await this.toolbar().locator('.action-label[aria-label^="Add Code Cell"]').first().click();
    const cell = this.codeCell(before);
    const picker = cell.locator('.cell-status-item', { hasText: /\S/ }).last();
    await picker.waitFor({ timeout: 10_000 });
    return (await cell.locator('.cell-statusbar-container').innerText()).replace(/\s+/g, ' ').trim();
  }

  /** Saves the active editor and waits for its dirty mark to go. */
  async save(): Promise<void> {
    await this.page
      .locator('.notebook-editor:visible .monaco-list')
      .first()
      .click({ position: { x: 5, y: 5 } })
      .catch(() => undefined);
    await this.page.keyboard.press('Control+S');
    await this.page.locator('.tabs-container .tab.active.dirty').waitFor({ state: 'hidden', timeout: 15_000 });
  }

  /** Text of the status bar (the kernel's runtime label lives there). */
  async statusBarText(): Promise<string> {
    return (await this.page.locator('.statusbar').innerText()).replace(/\s+/g, ' ');
  }

  /**
   * Screenshots of the whole notebook: the page is made tall enough for the virtual cell
   * list to render most cells at once, then scrolled down a screen at a time.
   */
  async screenshotNotebook(prefix: string, shots = 2): Promise<string[]> {
    const { width } = this.page.viewportSize() ?? { width: 1400 };
    const height = 3000;
    await this.page.setViewportSize({ width, height });
    const list = this.page.locator('.notebook-editor:visible .monaco-list').first();
    await list.hover();
    const files: string[] = [];
    for (let i = 0; i < shots; i++) {
      await this.page.waitForTimeout(1000); // let the output webviews paint what scrolled in
      files.push(await this.screenshot(`${prefix}-${i}`));
      for (let s = 0; s < 20; s++) await this.page.mouse.wheel(0, height / 10);
    }
    return files;
  }

  /**
   * The first element matching `selector` inside a notebook output webview (VS Code draws
   * outputs in iframes: one per notebook, found among page.frames()). Scrolls the notebook
   * down a step at a time until a renderer has put it there, then scrolls it into view.
   */
  async findOutput(selector: string, maxScrolls = 40, passes = 3): Promise<Locator> {
    const list = this.page.locator('.notebook-editor:visible .monaco-list').first();
    const viewport = this.page.viewportSize() ?? { width: 1400, height: 1000 };
    // An output appears once its cell has run and its part of the list has been on screen: each
    // pass scrolls down from the top, and a pass that does not meet it starts again.
    for (let pass = 0; pass < passes; pass++) {
      if (pass > 0) {
        await list.hover({ position: { x: 10, y: 10 } });
        await this.page.mouse.wheel(0, -1e6);
        await this.page.waitForTimeout(1000);
      }
      for (let i = 0; i <= maxScrolls; i++) {
        for (const frame of this.page.frames()) {
          const found = frame.locator(selector).first();
          if (!(await found.count().catch(() => 0))) continue;
          // Bring it into the page viewport (the webview does not scroll itself; the list does).
          for (let s = 0; s < 20; s++) {
            const box = await found.boundingBox();
            if (!box) break;
            // Top edge 60 px below the page top when it is above that or its bottom is under the status bar.
            const off = box.y < 60 || box.y + box.height > viewport.height - 60 ? box.y - 60 : 0;
            if (Math.abs(off) < 2) break;
            await list.hover({ position: { x: 10, y: 10 } });
            await this.page.mouse.wheel(0, off);
            await this.page.waitForTimeout(200);
          }
          return found;
        }
        await list.hover({ position: { x: 10, y: 10 } });
        await this.page.mouse.wheel(0, 300);
        await this.page.waitForTimeout(300);
      }
    }
    throw new Error(
      `no output webview holds ${selector} (frames: ${this.page
        .frames()
        .map((f) => f.url().slice(0, 80))
        .join(', ')})`,
    );
  }

  /** Size and number of distinct colours of each canvas under `el` (blank canvases have one or none). */
  async canvases(el: Locator): Promise<{ width: number; height: number; colours: number }[]> {
    return el.evaluate((root) =>
      [...root.querySelectorAll('canvas')].map((c) => {
        const seen = new Set<number>();
        if (c.width && c.height) {
          const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
          for (let i = 0; i < d.length && seen.size < 1000; i += 4)
            seen.add(((d[i] >> 3) << 15) | ((d[i + 1] >> 3) << 10) | ((d[i + 2] >> 3) << 5) | (d[i + 3] >> 3));
        }
        return { width: c.width, height: c.height, colours: seen.size };
      }),
    );
  }

  /** Screenshot of the page region `el` covers (an element inside an output webview). */
  async screenshotElement(el: Locator, name: string): Promise<string> {
    const box = await el.boundingBox();
    const file = join(this.screenshotDir, `${String(++this.shot).padStart(2, '0')}-${name}.png`);
    const viewport = this.page.viewportSize() ?? { width: 1400, height: 1000 };
    if (!box) return this.screenshot(name);
    const x = Math.max(0, box.x - 8),
      y = Math.max(0, box.y - 8);
    await this.page.screenshot({
      path: file,
      clip: { x, y, width: Math.min(box.width + 16, viewport.width - x), height: Math.min(box.height + 16, viewport.height - y) },
    });
    return file;
  }
}
