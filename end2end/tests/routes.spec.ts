import { expect, test, type Page } from '@playwright/test';
import { freshName, grantAdmin, hydrated, liveAuction, signUpVerified } from './helpers';

// Pages off the reading path are split out of the main WASM file
// (app/src/pages/lazy.rs). Each must still load, hydrate and run without a
// console error or a WASM panic, whether it is the first page of a visit
// (its chunk is fetched before hydration) or reached by a click (fetched on
// navigation).

/** Collects console errors, uncaught exceptions and the WASM files fetched. */
function watch(page: Page) {
  const errors: string[] = [];
  const wasm = new Set<string>();
  page.on('console', (m) => m.type() === 'error' && errors.push(`${page.url()}: ${m.text()}`));
  page.on('pageerror', (e) => errors.push(`${page.url()}: ${e.message}`));
  page.on('response', (r) => {
    const path = new URL(r.url()).pathname;
    if (path.endsWith('.wasm')) wasm.add(path);
  });
  return { errors, wasm };
}

async function opens(page: Page, path: string) {
  const response = await page.goto(path);
  expect(response?.status(), path).toBe(200);
  await hydrated(page);
  await expect(page.locator('main').getByRole('heading').first(), path).toBeVisible();
}

test('every split-out page loads first, hydrates and logs no error', async ({ page }) => {
  const seen = watch(page);

  // The reading path needs no chunk.
  for (const path of ['/', '/search']) await opens(page, path);
  expect([...seen.wasm]).toEqual(['/pkg/haggle.wasm']);

  for (const path of ['/about', '/signup', '/login']) await opens(page, path);

  const name = freshName('tour');
  await signUpVerified(page, name);
  grantAdmin(name);
  const id = await liveAuction(page, page, `Route tour ${name}`);
  for (const path of [
    `/l/${id}`,
    '/verify',
    '/settings',
    '/settings/identity',
    `/u/${name}`,
    '/admin',
    '/sell',
    `/l/${id}/edit`,
    '/favorites',
    '/my/listings',
    `/a/${id}`,
    '/my/bids',
    '/my/auctions',
    '/notifications',
    '/messages',
  ]) {
    await opens(page, path);
  }

  expect(seen.errors).toEqual([]);
  // The pages above really came from chunks of their own.
  expect(seen.wasm.size).toBeGreaterThan(3);
});

test('a split-out page reached by a click loads its chunk and works', async ({ page }) => {
  const seen = watch(page);
  await page.goto('/');
  await hydrated(page);
  await page.getByRole('link', { name: 'How it works' }).click();
  await expect(page).toHaveURL(/\/about$/);
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await page.getByRole('link', { name: 'Sign up' }).click();
  await expect(page).toHaveURL(/\/signup$/);
  // The split code's reactive closures run: the password rules are checked
  // while typing.
  await page.getByLabel('Password').fill('short');
  await expect(page.locator('#password-error')).toHaveText('At least 8 characters.');
  expect(seen.errors).toEqual([]);
  expect(seen.wasm.size).toBeGreaterThan(1);
});

test('a page whose chunk fails to load (a tab older than a deploy) reloads once and works', async ({ page }) => {
  await page.goto('/');
  await hydrated(page);
  // The first fetch of the about page's own chunk answers what a newer build
  // would: bytes that do not fit this main file.
  let served = 0;
  await page.route(/\/pkg\/split_[^/]*about[^/]*\.wasm$/, async (route) => {
    served += 1;
    if (served === 1) {
      await route.fulfill({ status: 200, contentType: 'application/wasm', body: Buffer.from('not this build') });
    } else {
      await route.continue();
    }
  });
  const reloaded = page.waitForEvent('load');
  await page.getByRole('link', { name: 'How it works' }).click();
  // The router moves only once the page's code is in, so the tab reloads
  // the page it was on, now with one build's files.
  await reloaded;
  await hydrated(page);
  await page.getByRole('link', { name: 'How it works' }).click();
  await expect(page).toHaveURL(/\/about$/);
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  expect(served).toBeGreaterThanOrEqual(2);
  // The reloaded page works: the nav still moves between pages.
  await page.getByRole('link', { name: 'Favorites' }).click();
  await expect(page).toHaveURL(/\/(favorites|login)/);
});
