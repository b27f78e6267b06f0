import { expect, test, type Page } from '@playwright/test';
import {
  approvedListing,
  freshName,
  establish,
  hydrated,
  openRoom,
  sellerAdminBuyer,
} from './helpers';

/** The wallet page, reached by the header's link. */
async function openWallet(page: Page) {
  await page.goto('/');
  await hydrated(page);
  await page.getByRole('link', { name: 'Wallet', exact: true }).click();
  await expect(page).toHaveURL(/\/wallet$/);
  await hydrated(page);
}

async function topUp(page: Page, amount: string, card: string) {
  const form = page.getByRole('form', { name: 'Top up' });
  await form.getByLabel('Amount').fill(amount);
  await form.getByLabel('Card number').fill(card);
  await form.getByRole('button', { name: 'Top up' }).click();
}

test('a declined card moves nothing; a top-up pays an order into escrow, and the handover releases it to the seller', async ({ browser }) => {
  test.setTimeout(90_000);
  const { contexts, seller, admin, buyer } = await sellerAdminBuyer(browser);
  const title = `Desk lamp ${freshName('dl')}`;
  const id = await approvedListing(seller, admin, title, 'fixed', '1200');

  // A declined card says so, and the balance stays where it was.
  await openWallet(buyer);
  const balance = buyer.getByLabel('Balance');
  await expect(balance).toHaveText('NT$0');
  await topUp(buyer, '500', '4000 0000 0000 0002');
  await expect(buyer.getByTestId('top-up-status')).toHaveText('Your card was declined. Nothing was charged.');
  await expect(balance).toHaveText('NT$0');

  // The simulated card succeeds once the provider's callback arrives.
  await topUp(buyer, '2000', '4242 4242 4242 4242');
  await expect(buyer.getByTestId('top-up-status')).toHaveText('Topped up NT$2,000.');
  await expect(balance).toHaveText('NT$2,000');

  // An order, settled in the room and established.
  await buyer.goto(`/l/${id}/buy`);
  await hydrated(buyer);
  await buyer.getByLabel('Quantity').fill('1');
  await buyer.getByRole('button', { name: 'Place order' }).click();
  await expect(buyer).toHaveURL(/\/o\/[0-9a-f]{32}$/);
  const room = new URL(buyer.url()).pathname;
  await openRoom(buyer, room);
  await openRoom(seller, room);
  await establish(buyer, seller, 2);
  await expect(buyer.getByTestId('order-payment')).toHaveText('Cash at the meet-up');

  // The buyer pays into escrow; both sides see it.
  await buyer.getByRole('button', { name: 'Pay', exact: true }).click();
  for (const page of [buyer, seller]) {
    await expect(page.getByTestId('order-payment')).toContainText('Paid into escrow');
    await expect(page.getByTestId('order-payment')).toContainText('held until the handover');
  }
  await expect(buyer.getByRole('button', { name: 'Pay', exact: true })).toHaveCount(0);

  // The seller takes the buyer's handover code: completed, and released.
  const code = (await buyer.getByLabel('Handover code', { exact: true }).textContent())!.trim();
  await seller.getByLabel('Handover code', { exact: true }).fill(code);
  await seller.getByRole('button', { name: 'Complete' }).click();
  await expect(seller.getByTestId('order-status')).toHaveText('Completed');
  await expect(buyer.getByTestId('order-payment')).toContainText('released to the seller');

  // Both statements show the movement.
  await openWallet(buyer);
  await expect(buyer.getByLabel('Balance')).toHaveText('NT$800');
  const bought = buyer.getByTestId('statement');
  await expect(bought.locator('tr[data-purpose="escrow"]')).toContainText('NT$1,200');
  await expect(bought.locator('tr[data-purpose="top_up"]')).toContainText('NT$2,000');
  await openWallet(seller);
  await expect(seller.getByLabel('Balance')).toHaveText('NT$1,200');
  await expect(seller.getByTestId('statement').locator('tr[data-purpose="release"]')).toContainText('NT$1,200');

  for (const c of contexts) await c.close();
});
