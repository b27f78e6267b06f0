import { expect, test, type Page } from '@playwright/test';
import {
  approvedListing,
  freshName,
  establish,
  hydrated,
  openRoom,
  sellerAdminBuyer,
  signUpVerified,
} from './helpers';

async function saveTerm(page: Page, term: string, label: string, value: string) {
  await page.getByTestId(`term-${term}`).getByLabel(label).fill(value);
  await page.getByTestId(`term-${term}`).getByRole('button', { name: 'Save' }).click();
}

test('buyer orders, the seller edits live, both confirm, the handover code completes it', async ({ browser }) => {
  const { contexts, seller, admin, buyer } = await sellerAdminBuyer(browser);
  const title = `Rice cooker ${freshName('rc')}`;
  const id = await approvedListing(seller, admin, title, 'fixed', '1200');

  // The buyer orders from the listing page.
  await buyer.goto(`/l/${id}`);
  await hydrated(buyer);
  await buyer.getByRole('link', { name: 'Buy', exact: true }).click();
  await expect(buyer).toHaveURL(new RegExp(`/l/${id}/buy$`));
  await buyer.getByLabel('Quantity').fill('1');
  await buyer.getByLabel('Remark').fill('Can we meet after work?');
  await buyer.getByRole('button', { name: 'Place order' }).click();
  await expect(buyer).toHaveURL(/\/o\/[0-9a-f]{32}$/);
  const room = new URL(buyer.url()).pathname;
  await openRoom(buyer, room);
  await openRoom(seller, room);
  await expect(seller.getByTestId('order-status')).toHaveText('Negotiating');
  await expect(seller.getByTestId('order-remark')).toContainText('Can we meet after work?');

  // The buyer accepts the price; the seller changes it and the tick clears live.
  const priceTick = buyer.getByRole('checkbox', { name: 'Total price' });
  await priceTick.check();
  await expect(seller.getByTestId('tick-state-price')).toHaveText('Accepted');
  await saveTerm(seller, 'price', 'Total price', '1100');
  await expect(buyer.getByTestId('term-price-value')).toHaveText('NT$1,100');
  await expect(priceTick).not.toBeChecked();

  // The seller proposes a time; the buyer ticks all four and confirms; so does the seller.
  await establish(buyer, seller, 3);

  // Both see it in "to trade", with the place and time.
  for (const page of [buyer, seller]) {
    await page.goto('/orders');
    await expect(page.getByTestId('to-trade')).toContainText(title);
    await expect(page.getByTestId('to-trade')).toContainText('Taipei Main Station');
  }

  // At the meet-up: a wrong code is refused, the buyer's code completes it.
  await openRoom(buyer, room);
  await openRoom(seller, room);
  const code = (await buyer.getByLabel('Handover code', { exact: true }).textContent())!.trim();
  expect(code).toMatch(/^\d{6}$/);
  await expect(buyer.getByTestId('handover-qr').locator('svg')).toBeVisible();
  await expect(seller.getByText(code)).toHaveCount(0);

  // Without JavaScript the buyer still reads the room, code included.
  const nojs = await browser.newContext({
    javaScriptEnabled: false,
    storageState: await contexts[2].storageState(),
  });
  const plain = await nojs.newPage();
  await plain.goto(room);
  await expect(plain.getByTestId('order-status')).toHaveText('Established');
  await expect(plain.getByTestId('term-price-value')).toHaveText('NT$1,100');
  await expect(plain.getByTestId('term-place-value')).toHaveText('Taipei Main Station');
  await expect(plain.getByLabel('Handover code', { exact: true })).toHaveText(code);
  const wrong = code === '000000' ? '111111' : '000000';
  await seller.getByLabel('Handover code', { exact: true }).fill(wrong);
  await seller.getByRole('button', { name: 'Complete' }).click();
  await expect(seller.getByTestId('complete-form')).toContainText("That doesn't match.");
  await seller.getByLabel('Handover code', { exact: true }).fill(code);
  await seller.getByRole('button', { name: 'Complete' }).click();
  await expect(seller.getByTestId('order-status')).toHaveText('Completed');
  await expect(buyer.getByTestId('order-status')).toHaveText('Completed');

  // Nobody else can open the room.
  const stranger = await browser.newContext();
  const strangerPage = await stranger.newPage();
  await signUpVerified(strangerPage, freshName('nosy'));
  const res = await strangerPage.goto(room);
  expect(res!.status()).toBe(404);

  for (const c of [...contexts, stranger, nojs]) await c.close();
});

test('an offer, a counter, the counter accepted: an established order at the countered price', async ({ browser }) => {
  const { contexts, seller, admin, buyer } = await sellerAdminBuyer(browser);
  const title = `Desk lamp ${freshName('dl')}`;
  const id = await approvedListing(seller, admin, title, 'offers', '2000');

  // The seller looks at their offers; the buyer offers 1,500.
  await seller.goto('/offers');
  await hydrated(seller);
  await buyer.goto(`/l/${id}`);
  await hydrated(buyer);
  await buyer.getByRole('link', { name: 'Make an offer' }).click();
  await expect(buyer).toHaveURL(new RegExp(`/l/${id}/offer$`));
  await buyer.getByLabel('Offer amount').fill('1500');
  await buyer.getByLabel('Quantity').fill('1');
  await buyer.getByRole('button', { name: 'Send offer' }).click();
  await expect(buyer).toHaveURL(/\/offers\/[0-9a-f]{32}$/);
  const offer = new URL(buyer.url()).pathname;
  await hydrated(buyer);
  await expect(buyer.getByTestId('offer-state')).toHaveText('Waiting for an answer');

  // The seller is told live, opens it from the offers list and counters at 1,800.
  await expect(seller.getByTestId('toast')).toContainText(title);
  await seller.reload();
  await seller.locator(`a[href="${offer}"]`).first().click();
  await expect(seller).toHaveURL(new RegExp(`${offer}$`));
  await hydrated(seller);
  await seller.getByLabel('Counter amount').fill('1800');
  await seller.getByRole('button', { name: 'Counter' }).click();
  await expect(seller).toHaveURL(/\/offers\/[0-9a-f]{32}$/);
  await expect(seller).not.toHaveURL(new RegExp(`${offer}$`));

  // The buyer's page shows the counter live; the buyer accepts it.
  await expect(buyer.getByTestId('offer-state')).toHaveText('Countered');
  await buyer.getByTestId('counter-link').click();
  await hydrated(buyer);
  await expect(buyer.getByTestId('offer-amount')).toHaveText('NT$1,800');
  await buyer.getByRole('button', { name: 'Accept' }).click();
  await expect(buyer.getByTestId('offer-state')).toHaveText('Accepted');

  // It is an established order at the countered price, in both "to trade" lists.
  await buyer.getByTestId('order-link').click();
  await expect(buyer).toHaveURL(/\/o\/[0-9a-f]{32}$/);
  await expect(buyer.getByTestId('order-status')).toHaveText('Established');
  await expect(buyer.getByTestId('term-price-value')).toHaveText('NT$1,800');
  await seller.goto('/orders');
  await expect(seller.getByTestId('to-trade')).toContainText(title);
  for (const c of contexts) await c.close();
});
