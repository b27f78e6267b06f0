import { test, expect } from '@playwright/test';
import { freshName, grantAdmin, hydrated, noisyPhoto, signUpVerified } from './helpers';

test('sell with three photos → review → found by another member → favorited', async ({ browser }) => {
  const sellerCtx = await browser.newContext();
  const seller = await sellerCtx.newPage();
  const sellerName = freshName('seller');
  await signUpVerified(seller, sellerName);

  await seller.goto('/sell');
  await hydrated(seller);
  // Slow the upload link down so each photo's progress bar can be seen.
  const cdp = await sellerCtx.newCDPSession(seller);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 20,
    downloadThroughput: -1,
    uploadThroughput: 600 * 1024,
  });
  const photos = await Promise.all([40, 120, 200].map((hue) => noisyPhoto(seller, hue)));
  await seller.getByTestId('photo-input').setInputFiles(
    photos.map((buffer, i) => ({ name: `photo${i + 1}.png`, mimeType: 'image/png', buffer })),
  );
  const progress = seller.getByTestId('upload-progress').first();
  await expect(progress).toBeVisible();
  await expect(seller.getByTestId('uploaded-photo')).toHaveCount(3, { timeout: 20_000 });
  await expect(seller.getByTestId('upload-progress')).toHaveCount(0);
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 0,
    downloadThroughput: -1,
    uploadThroughput: -1,
  });
  // The second photo becomes the cover.
  await seller.getByRole('button', { name: 'Move earlier' }).nth(1).focus();
  await seller.keyboard.press('Enter');

  const title = `Vintage film camera ${sellerName}`;
  await seller.getByLabel('Title').fill(title);
  await seller.getByLabel('Category').selectOption('cameras');
  await seller.getByLabel('Description').fill('Olympus 35 RC, shutter works.\nComes with a strap.');
  await seller.getByLabel('Tags').fill('olympus');
  await seller.getByLabel('Tags').press('Enter');
  await seller.getByLabel('Price', { exact: true }).fill('3,200');
  await seller.getByLabel('Area').fill('台北 中山區');
  await seller.getByTestId('save-listing').click();

  await expect(seller).toHaveURL(/\/l\/\d+$/);
  const listingUrl = new URL(seller.url()).pathname;
  await expect(seller.getByTestId('listing-status')).toContainText('Waiting for review');
  await expect(seller.locator('.gallery-thumbs img')).toHaveCount(3);

  // Not public yet.
  const buyerCtx = await browser.newContext();
  const buyer = await buyerCtx.newPage();
  const buyerName = freshName('buyer');
  await signUpVerified(buyer, buyerName);
  const missing = await buyer.goto(listingUrl);
  expect(missing?.status()).toBe(404);

  // An admin approves it from the queue, with the keyboard.
  const adminCtx = await browser.newContext();
  const admin = await adminCtx.newPage();
  const adminName = freshName('admin');
  await signUpVerified(admin, adminName);
  grantAdmin(adminName);
  await admin.goto('/admin');
  await hydrated(admin);
  const item = admin.getByTestId('listing-review').filter({ hasText: title });
  await expect(item).toBeVisible();
  await expect(item.locator('img')).toHaveCount(3);
  await item.focus();
  await admin.keyboard.press('a');
  await admin.keyboard.press('Enter');
  await expect(admin.getByTestId('listing-review').filter({ hasText: title })).toHaveCount(0);

  // The buyer finds it by typing (results follow as they type).
  await buyer.goto('/search');
  await hydrated(buyer);
  await buyer.locator('#q').fill(`camera ${sellerName}`);
  await expect(buyer).toHaveURL(new RegExp(`q=camera`));
  const card = buyer.locator(`a[href="${listingUrl}"]`);
  await expect(card).toBeVisible();
  await card.click();
  await expect(buyer.getByRole('heading', { name: title })).toBeVisible();
  await expect(buyer.getByTestId('favorite-count')).toContainText('0 favorites');
  await hydrated(buyer);
  await buyer.getByTestId('favorite').click();
  await expect(buyer.getByTestId('favorite')).toHaveAttribute('aria-pressed', 'true');
  await expect(buyer.getByTestId('favorite-count')).toContainText('1 favorites');

  await buyer.goto('/favorites');
  await expect(buyer.locator(`a[href="${listingUrl}"]`)).toBeVisible();

  // The gallery moves with the keyboard.
  await buyer.goto(listingUrl);
  await hydrated(buyer);
  const stage = buyer.locator('.gallery-stage');
  await stage.focus();
  await expect(buyer.locator('.gallery-count')).toHaveText('1 / 3');
  await buyer.keyboard.press('ArrowRight');
  await expect(buyer.locator('.gallery-count')).toHaveText('2 / 3');
  await buyer.keyboard.press('ArrowLeft');
  await buyer.keyboard.press('ArrowLeft');
  await expect(buyer.locator('.gallery-count')).toHaveText('3 / 3');

  await Promise.all([sellerCtx.close(), buyerCtx.close(), adminCtx.close()]);
});

test('search, filter and page through results with JavaScript off', async ({ browser }) => {
  const ctx = await browser.newContext({ javaScriptEnabled: false });
  const page = await ctx.newPage();
  await page.goto('/');
  await page.getByRole('searchbox').first().fill('蛋糕');
  await page.getByRole('searchbox').first().press('Enter');
  await expect(page).toHaveURL(/\/search\?q=%E8%9B%8B%E7%B3%95/);
  await expect(page.getByTestId('result-count')).toBeVisible();
  const cards = page.getByTestId('listing-grid').locator('li.card');
  expect(await cards.count()).toBeGreaterThan(0);

  // Filters are a plain GET form.
  await page.goto('/search');
  await page.locator('#category').selectOption('electronics');
  await page.locator('#sort').selectOption('price_low');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await expect(page).toHaveURL(/category=electronics/);
  await expect(page).toHaveURL(/sort=price_low/);
  const prices = await page.locator('.card-price .price').allTextContents();
  const values = prices.map((p) => Number(p.replace(/[^0-9.]/g, '')));
  expect(values.length).toBeGreaterThan(1);
  expect(values).toEqual([...values].sort((a, b) => a - b));

  // Pages are links.
  await page.goto('/search');
  await page.getByRole('link', { name: 'Next →' }).click();
  await expect(page).toHaveURL(/page=2/);
  await expect(page.locator('.pager [aria-current="page"]')).toHaveText('2');
  await ctx.close();
});

test('/sell photo strip: order buttons say what they do, stop at the ends, and fit a phone', async ({ page }) => {
  await signUpVerified(page, freshName('strip'));
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await page.goto('/sell');
    await hydrated(page);
    const photos = await Promise.all([30, 150, 270].map((hue) => noisyPhoto(page, hue)));
    await page.getByTestId('photo-input').setInputFiles(
      photos.map((buffer, i) => ({ name: `a-rather-long-file-name-for-photo-${i + 1}.png`, mimeType: 'image/png', buffer })),
    );
    const tiles = page.getByTestId('photos').locator('li');
    await expect(page.getByTestId('uploaded-photo')).toHaveCount(3, { timeout: 20_000 });

    const earlier = page.getByRole('button', { name: 'Move earlier' });
    const later = page.getByRole('button', { name: 'Move later' });
    await expect(earlier).toHaveCount(3);
    await expect(earlier.first()).toBeDisabled();
    await expect(later.last()).toBeDisabled();
    await expect(earlier.nth(1)).toBeEnabled();
    await expect(later.first()).toBeEnabled();
    await expect(earlier.first()).toHaveText('←');
    await expect(later.first()).toHaveText('→');
    await expect(page.getByRole('button', { name: 'Remove photo' }).first()).toHaveText('×');
    // Nothing of a tile's markup leaks out as text.
    await expect(page.getByTestId('photos')).not.toContainText('>=');

    // Each tile and its buttons stay inside the strip, and tiles do not overlap.
    const strip = (await page.getByTestId('photos').boundingBox())!;
    const boxes = [];
    for (let i = 0; i < 3; i++) {
      const box = (await tiles.nth(i).boundingBox())!;
      expect(box.x, `tile ${i} at ${width}px`).toBeGreaterThanOrEqual(strip.x - 1);
      expect(box.x + box.width, `tile ${i} at ${width}px`).toBeLessThanOrEqual(strip.x + strip.width + 1);
      const remove = (await tiles.nth(i).getByRole('button', { name: 'Remove photo' }).boundingBox())!;
      expect(remove.x + remove.width, `remove ${i} at ${width}px`).toBeLessThanOrEqual(box.x + box.width + 1);
      boxes.push(box);
    }
    for (let i = 0; i < 2; i++) {
      const [a, b] = [boxes[i], boxes[i + 1]];
      const apart = a.x + a.width <= b.x + 1 || a.y + a.height <= b.y + 1;
      expect(apart, `tiles ${i} and ${i + 1} at ${width}px`).toBeTruthy();
    }

    // Moving the first photo later makes the second the cover.
    const second = await page.getByTestId('uploaded-photo').nth(1).getAttribute('src');
    await later.first().click();
    await expect(page.getByTestId('uploaded-photo').first()).toHaveAttribute('src', second!);
  }
});
