import { expect, test, type Page } from '@playwright/test';
import { freshName, grantAdmin, hydrated, liveAuction, signUpVerified } from './helpers';

// The e2e server runs with a 10-minute soft close (playwright.config.ts), so
// every bid in these 6-minute auctions extends the end to ten minutes away.

async function enterRoom(page: Page, id: number) {
  await page.goto(`/a/${id}`);
  await hydrated(page);
  await expect(page.getByTestId('room-status')).toContainText('Ends in');
}

async function bid(page: Page, amount: string) {
  await page.getByTestId('bid-amount').fill(amount);
  await page.getByTestId('place-bid').click();
}

test('two bidders in a live room: outbid, chat bids, soft close, the winner gets the order', async ({ browser }) => {
  const contexts = await Promise.all([1, 2, 3, 4].map(() => browser.newContext()));
  const [seller, admin, a, b] = await Promise.all(contexts.map((c) => c.newPage()));
  const [sellerName, adminName, aName, bName] = ['seller', 'admin', 'alice', 'bob'].map(freshName);
  for (const [page, name] of [[seller, sellerName], [admin, adminName], [a, aName], [b, bName]] as const) {
    await signUpVerified(page, name);
  }
  grantAdmin(adminName);
  const title = `Game Boy ${freshName('gb')}`;
  const id = await liveAuction(seller, admin, title);

  await enterRoom(a, id);
  await enterRoom(b, id);
  await enterRoom(seller, id);
  await expect(a.getByTestId('leader')).toHaveText('No bids yet');
  // B's arrival is announced in A's room.
  await expect(a.getByTestId('chat-feed')).toContainText(`Nick ${bName} joined`);

  // A opens at the start price; the bid lands in the last ten minutes, so
  // the end moves to ten minutes away, visibly.
  const endBefore = Number(await a.getByTestId('countdown').getAttribute('data-ends-at'));
  await expect(a.getByTestId('countdown')).toHaveText(/^[5-6]:\d\d$/);
  await bid(a, '1000');
  await expect(a.getByTestId('bid-answer')).toHaveText("You're the top bidder.");
  await expect(a.getByTestId('room-price')).toHaveText('NT$1,000');
  await expect(a.getByTestId('countdown')).toHaveText(/^(9|10):\d\d$/);
  const endAfter = Number(await a.getByTestId('countdown').getAttribute('data-ends-at'));
  expect(endAfter).toBeGreaterThan(endBefore);

  // B bids the pre-filled minimum; A sees the new price within a second and
  // is told they were outbid.
  await expect(b.getByTestId('bid-amount')).toHaveValue('1050');
  await bid(b, await b.getByTestId('bid-amount').inputValue());
  await expect(b.getByTestId('bid-answer')).toHaveText("You're the top bidder.");
  await expect(a.getByTestId('room-price')).toHaveText('NT$1,050', { timeout: 1_000 });
  await expect(a.getByTestId('leader')).toHaveText(`Nick ${bName}`);
  await expect(a.getByTestId('toast')).toContainText('You were outbid on');
  await expect(a.getByTestId('toast')).toContainText(title);
  await expect(a.getByTestId('unread')).toHaveText('1');

  // A answers in the chat with a maximum of 1,300: the house bids just enough.
  await a.getByTestId('chat-text').fill('#1300');
  await a.getByTestId('chat-text').press('Enter');
  await expect(a.getByTestId('bid-answer')).toHaveText("You're the top bidder.");
  await expect(b.getByTestId('room-price')).toHaveText('NT$1,100', { timeout: 1_000 });
  await expect(a.getByTestId('my-max')).toHaveText('Your maximum: NT$1,300');
  await expect(b.getByTestId('bid-history').locator('li')).toHaveCount(3);
  await expect(b.getByTestId('price-chart')).toBeVisible();

  // Ordinary chat reaches the other side as text, never markup.
  await b.getByTestId('chat-text').fill('<b>good</b> luck');
  await b.getByTestId('chat-text').press('Enter');
  await expect(a.getByTestId('chat-feed')).toContainText('<b>good</b> luck');

  // B's bid below A's maximum is outbid at once by A's proxy.
  await bid(b, '1200');
  await expect(b.getByTestId('bid-answer')).toContainText('outbid at once');
  await expect(a.getByTestId('room-price')).toHaveText('NT$1,250', { timeout: 1_000 });

  // Four bids in a row, quicker than the room's window: the seller's tab
  // gets them batched, and shows every one in order and the last state.
  await expect(seller.getByTestId('room-price')).toHaveText('NT$1,250');
  const history = seller.getByTestId('bid-history').locator('li');
  const before = await history.count();
  for (const [bidder, amount] of [[b, '1400'], [a, '1500'], [b, '1700'], [a, '1900']] as const) {
    const placed = await bidder.request.post('/api/auction/bid', {
      form: { listing: String(id), amount },
    });
    expect(placed.ok(), await placed.text()).toBeTruthy();
  }
  await expect(seller.getByTestId('room-price')).toHaveText('NT$1,750', { timeout: 1_000 });
  await expect(seller.getByTestId('leader')).toHaveText(`Nick ${aName}`);
  await expect(history).toHaveCount(before + 4);
  for (const [newest, price] of ['NT$1,750', 'NT$1,550', 'NT$1,450', 'NT$1,350'].entries()) {
    await expect(history.nth(newest).locator('.price')).toHaveText(price);
  }
  await expect(b.getByTestId('room-price')).toHaveText('NT$1,750');

  // The seller ends it now: A wins and has an order awaiting payment.
  await seller.getByTestId('end-now').click();
  await expect(a.getByTestId('won')).toContainText('You won!', { timeout: 2_000 });
  await expect(b.getByTestId('room-status')).toHaveText('Ended · sold');
  await a.goto('/my/bids');
  const row = a.getByTestId('auction-list').locator('li').filter({ hasText: title });
  await expect(row.getByTestId('standing')).toHaveText('Won');
  await expect(row.getByTestId('order')).toContainText('NT$1,750');
  await expect(row.getByTestId('order')).toContainText('awaiting payment');
  await b.goto('/my/bids');
  await expect(b.getByTestId('auction-list').locator('li').filter({ hasText: title }).getByTestId('standing')).toHaveText('Lost');
  // What arrived is on the notifications page too.
  await a.goto('/notifications');
  await expect(a.getByTestId('notifications')).toContainText('You won');
  await expect(a.getByTestId('notifications')).toContainText('You were outbid on');

  await Promise.all(contexts.map((c) => c.close()));
});
