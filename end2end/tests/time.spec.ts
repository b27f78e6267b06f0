import { expect, test } from '@playwright/test';
import { hydrated } from './helpers';

// Times are stored in UTC and shown in the viewer's zone: the deployment zone
// (HAGGLE_TIMEZONE, Asia/Taipei by default) in the server's HTML, the
// browser's own once the page runs.

async function anAuctionListing(page: import('@playwright/test').Page): Promise<string> {
  await page.goto('/search?mode=auction');
  const href = await page.locator('li.card a[href^="/l/"]').first().getAttribute('href');
  expect(href).toBeTruthy();
  return href!;
}

test('a shopper in New York reads auction times in New York time, the HTML in Taipei time', async ({ browser }) => {
  const nojs = await browser.newContext({ javaScriptEnabled: false, timezoneId: 'America/New_York' });
  const plain = await nojs.newPage();
  const path = await anAuctionListing(plain);
  await plain.goto(path);
  const serverText = plain.locator('dd time').first();
  await expect(serverText).toHaveText(/^\d{4}-\d\d-\d\d \d\d:\d\d GMT\+8$/);
  const instant = await serverText.getAttribute('datetime');

  const ny = await browser.newContext({ timezoneId: 'America/New_York' });
  const page = await ny.newPage();
  await page.goto(path);
  await hydrated(page);
  const shown = page.locator('dd time').first();
  await expect(shown).toHaveText(/^\d{4}-\d\d-\d\d \d\d:\d\d GMT-5$/);
  expect(await shown.getAttribute('datetime')).toBe(instant);
  // The same instant: New York is 13 hours behind Taipei in December.
  const [taipei, newYork] = [await serverText.textContent(), await shown.textContent()].map((t) =>
    Date.parse(t!.replace(' ', 'T').replace(/ GMT([+-]\d+)$/, (_, h) => `${h.startsWith('-') ? '-' : '+'}${h.slice(1).padStart(2, '0')}:00`)),
  );
  expect(taipei).toBe(newYork);
  await nojs.close();
  await ny.close();
});
