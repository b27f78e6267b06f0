import { expect, test, type Page, type WebSocketRoute } from '@playwright/test';

/** Reads the header's "N online" badge once it shows a number. */
async function onlineCount(page: Page): Promise<number> {
  const badge = page.getByTestId('online');
  await expect(badge).toHaveText(/\d+ online/);
  const text = (await badge.textContent()) ?? '';
  return Number(/(\d+)/.exec(text)?.[1]);
}

test('home page renders listings and hydrates', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Fresh listings' })).toBeVisible();
  const cards = page.locator('.card');
  expect(await cards.count()).toBeGreaterThanOrEqual(24);
  // Every card shows a price in the deployment currency and links to its listing.
  await expect(cards.first().locator('.card-price .price')).toHaveText(/^NT\$[\d,]+$/);
  await expect(cards.first().locator('a')).toHaveAttribute('href', /^\/l\/\d+$/);
  // Thumbnails really load.
  // (The newest listing may have no photo: an earlier journey's.)
  const img = page.locator('.card img').first();
  await expect(img).toHaveJSProperty('complete', true);
  expect(await img.evaluate((el: HTMLImageElement) => el.naturalWidth)).toBeGreaterThan(0);
  // The live badge only appears once the WASM app has hydrated and its socket is up.
  expect(await onlineCount(page)).toBeGreaterThanOrEqual(1);
});

test('online count rises when a second browser opens and falls when it closes', async ({ browser }) => {
  const first = await browser.newContext();
  const page = await first.newPage();
  await page.goto('/');
  const before = await onlineCount(page);

  const second = await browser.newContext();
  const other = await second.newPage();
  await other.goto('/');
  await expect(page.getByTestId('online')).toHaveText(`${before + 1} online`);
  await expect(other.getByTestId('online')).toHaveText(`${before + 1} online`);

  await second.close();
  await expect(page.getByTestId('online')).toHaveText(`${before} online`);
  await first.close();
});

test('a dropped socket reconnects and resubscribes by itself', async ({ page }) => {
  // Proxy the tab's socket so the test can cut it, as a server restart would.
  const sockets: WebSocketRoute[] = [];
  await page.routeWebSocket(/\/ws$/, (ws) => {
    ws.connectToServer();
    sockets.push(ws);
  });
  await page.goto('/');
  await onlineCount(page);
  // Record every state of the badge; "Reconnecting…" lasts well under a second.
  await page.evaluate(() => {
    const badge = document.querySelector('[data-testid=online]')!;
    const seen: string[] = ((window as any).__seen = []);
    new MutationObserver(() => seen.push(badge.textContent ?? '')).observe(badge, {
      childList: true,
      subtree: true,
      characterData: true,
    });
  });
  await sockets[0].close({ code: 1012, reason: 'service restart' });
  await expect(page.getByTestId('online')).toHaveText(/^\d+ online$/);
  await expect.poll(() => sockets.length).toBe(2);
  const seen: string[] = await page.evaluate(() => (window as any).__seen);
  expect(seen).toContain('Reconnecting…');
  expect(seen[seen.length - 1]).toMatch(/^\d+ online$/);
});

test('home page reads fully with JavaScript off', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  const response = await page.goto('/');
  expect(response?.status()).toBe(200);
  expect(await page.locator('.card').count()).toBeGreaterThanOrEqual(24);
  await expect(page.locator('.card-title').first()).not.toBeEmpty();
  await expect(page.locator('.card-price').first()).toHaveText(/^NT\$/);
  // Without the socket there is no live count, and nothing pretends otherwise.
  await expect(page.getByTestId('online')).toHaveText('');
  await context.close();
});

test('switching to 繁體中文 translates the navigation and sticks', async ({ page }) => {
  await page.goto('/');
  const nav = page.getByRole('navigation');
  await expect(nav).toContainText('Discover');
  await expect(page.getByTestId('online')).toHaveText(/online/); // hydrated
  await page.getByLabel('Language').selectOption('zh-TW');
  await expect(nav).toContainText('探索');
  await expect(nav).toContainText('如何運作');
  await expect(page.getByRole('heading', { name: '最新上架' })).toBeVisible();
  await expect(page.getByTestId('online')).toHaveText(/\d+ 人在線上/);

  // The choice is remembered: the server renders the next page in it.
  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-TW');
  await expect(nav).toContainText('探索');
  await page.getByRole('combobox').selectOption('en');
  await expect(nav).toContainText('Discover');
});

test('the nav moves between pages without a reload', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('online')).toHaveText(/online/);
  await page.getByRole('link', { name: 'How it works' }).click();
  await expect(page).toHaveURL(/\/about$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('How Haggle works');
  await expect(page.getByRole('link', { name: 'How it works' })).toHaveAttribute('aria-current', 'page');
});

test('unknown pages get a 404 page', async ({ page }) => {
  const response = await page.goto('/this/page/does/not/exist');
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText("We couldn't find that page");
  await page.getByRole('link', { name: 'Back to listings' }).click();
  await expect(page.getByRole('heading', { name: 'Fresh listings' })).toBeVisible();
});

test('the pages hydrate under their Content-Security-Policy without a violation', async ({ page }) => {
  const violations: string[] = [];
  page.on('console', (msg) => {
    if (/Content Security Policy|Refused to/i.test(msg.text())) violations.push(msg.text());
  });
  await page.exposeFunction('__cspViolation', (text: string) => violations.push(text));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) =>
      (window as any).__cspViolation(`${e.violatedDirective} ${e.blockedURI}`),
    );
  });
  for (const path of ['/', '/search?q=lamp', '/login']) {
    const res = await page.goto(path);
    expect(res?.headers()['content-security-policy']).toMatch(/script-src 'self' 'nonce-[^']+' 'wasm-unsafe-eval'/);
    // Hydrated: the live badge appears only once the WASM app runs.
    await expect(page.getByTestId('online')).toHaveText(/\d+ online/);
  }
  // A listing page, reached by a click (a lazily loaded route).
  await page.goto('/');
  await page.locator('.card a').first().click();
  await expect(page).toHaveURL(/\/l\/\d+$/);
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  expect(violations).toEqual([]);
});
