import { expect, test, type Page } from '@playwright/test';
import { approvedListing, freshName, hydrated, noisyPhoto, sellerAdminBuyer, signUpVerified } from './helpers';

/** Opens a conversation and waits until its box can send (the live socket is up). */
async function openConversation(page: Page, path: string) {
  await page.goto(path);
  await hydrated(page);
  await expect(page.getByTestId('chat-offline')).toBeHidden();
}

const messageBox = (page: Page) => page.getByLabel('Message', { exact: true });

test('a buyer messages the seller with a photo, sees "Seen"; a block stops them', async ({ browser }) => {
  const { contexts, seller, admin, buyer, buyerName } = await sellerAdminBuyer(browser);
  const title = `Film camera ${freshName('cam')}`;
  const id = await approvedListing(seller, admin, title, 'fixed', '3200');

  // The seller has no "Message seller" on their own listing, and no unread messages.
  await seller.goto(`/l/${id}`);
  await hydrated(seller);
  await expect(seller.getByRole('heading', { name: title })).toBeVisible();
  await expect(seller.getByTestId('message-seller')).toHaveCount(0);
  await seller.goto('/');
  await hydrated(seller);
  await expect(seller.getByRole('link', { name: 'Messages' })).toBeVisible();
  await expect(seller.getByTestId('messages-unread')).toHaveCount(0);

  // The buyer opens the conversation from the listing page.
  await buyer.goto(`/l/${id}`);
  await hydrated(buyer);
  await buyer.getByRole('button', { name: 'Message seller' }).click();
  await expect(buyer).toHaveURL(/\/messages\/[^/]+$/);
  const conversation = new URL(buyer.url()).pathname;
  await openConversation(buyer, conversation);
  await expect(buyer.getByRole('link', { name: 'Video call' })).toHaveAttribute(
    'href',
    `/call/${conversation.split('/').pop()}`,
  );

  // One message with a text (its address made a safe link) and a photo.
  await buyer
    .getByTestId('chat-photo-input')
    .setInputFiles({ name: 'scratch.png', mimeType: 'image/png', buffer: await noisyPhoto(buyer, 40) });
  await expect(buyer.getByTestId('picked-photo')).toHaveCount(1);
  await messageBox(buyer).fill('Is it still available? The manual: https://example.com/manual.');
  await buyer.getByRole('button', { name: 'Send', exact: true }).click();
  const sent = buyer.getByTestId('message').filter({ hasText: 'Is it still available?' });
  await expect(sent).toHaveCount(1);
  await expect(sent.getByTestId('message-photo')).toHaveCount(1);
  await expect(messageBox(buyer)).toHaveValue('');
  await expect(buyer.getByTestId('picked-photo')).toHaveCount(0);
  const link = sent.getByRole('link', { name: 'https://example.com/manual' });
  await expect(link).toHaveAttribute('href', 'https://example.com/manual');
  await expect(link).toHaveAttribute('rel', /nofollow/);
  await expect(link).toHaveAttribute('rel', /noopener/);
  await expect(link).toHaveAttribute('target', '_blank');
  await expect(link.locator('.chat-host')).toHaveText('example.com');
  await expect(buyer.getByTestId('seen')).toHaveCount(0);

  // The seller's header counts it, wherever they are.
  await expect(seller.getByTestId('messages-unread')).toHaveText('1');

  // The seller opens it from the inbox; the buyer sees the receipt.
  await seller.getByRole('link', { name: /Messages/ }).click();
  await expect(seller).toHaveURL(/\/messages$/);
  const line = seller.getByTestId('inbox-line').filter({ hasText: title });
  await expect(line.getByTestId('inbox-unread')).toContainText('1');
  await line.getByRole('link').click();
  await expect(seller).toHaveURL(new RegExp(`${conversation}$`));
  await hydrated(seller);
  const received = seller.getByTestId('message').filter({ hasText: 'Is it still available?' });
  await expect(received).toHaveCount(1);
  await expect(received.getByTestId('message-photo')).toHaveCount(1);
  await expect(sent.getByTestId('seen')).toHaveText('Seen');
  await expect(seller.getByTestId('messages-unread')).toHaveCount(0);

  // The seller types (the buyer is told) and answers with Enter.
  await expect(seller.getByTestId('chat-offline')).toBeHidden();
  await messageBox(seller).pressSequentially('Yes, still here');
  await expect(buyer.getByTestId('typing')).toContainText('is typing');
  await messageBox(seller).press('Enter');
  await expect(buyer.getByTestId('message').filter({ hasText: 'Yes, still here' })).toHaveCount(1);
  await expect(seller.getByTestId('message').filter({ hasText: 'Yes, still here' })).toHaveCount(1);

  // Without JavaScript the buyer still reads the conversation.
  const nojs = await browser.newContext({
    javaScriptEnabled: false,
    storageState: await contexts[2].storageState(),
  });
  const plain = await nojs.newPage();
  await plain.goto(conversation);
  await expect(plain.getByTestId('message').filter({ hasText: 'Is it still available?' })).toHaveCount(1);
  await expect(plain.getByTestId('message').filter({ hasText: 'Yes, still here' })).toHaveCount(1);

  // Nobody else can open it.
  const stranger = await browser.newContext();
  const strangerPage = await stranger.newPage();
  await signUpVerified(strangerPage, freshName('nosy'));
  const res = await strangerPage.goto(conversation);
  expect(res!.status()).toBe(404);

  // The seller blocks the buyer, after confirming.
  await seller.getByRole('button', { name: 'Block', exact: true }).click();
  await seller.getByRole('button', { name: 'Yes, block' }).click();
  await expect(seller.getByTestId('chat-blocked')).toContainText('You blocked');
  await expect(messageBox(seller)).toHaveCount(0);

  // The buyer's open page refuses the next message and says why.
  await messageBox(buyer).fill('Hello?');
  await buyer.getByRole('button', { name: 'Send', exact: true }).click();
  await expect(buyer.getByTestId('chat-blocked')).toContainText('is not accepting your messages');
  await expect(seller.getByTestId('message').filter({ hasText: 'Hello?' })).toHaveCount(0);

  // Coming back, the buyer is told clearly and has no box to send from.
  await openConversation(buyer, conversation);
  await expect(buyer.getByTestId('chat-blocked')).toContainText('is not accepting your messages');
  await expect(messageBox(buyer)).toHaveCount(0);
  await expect(buyer.getByRole('button', { name: 'Send', exact: true })).toHaveCount(0);

  // The seller unblocks in settings; the buyer can write again.
  await seller.goto('/settings');
  await hydrated(seller);
  const blocked = seller.getByTestId('blocked');
  await expect(blocked.getByRole('heading', { name: 'Blocked members' })).toBeVisible();
  const entry = blocked.getByRole('listitem').filter({ hasText: buyerName });
  await entry.getByRole('button', { name: 'Unblock' }).click();
  await expect(blocked.getByRole('listitem').filter({ hasText: buyerName })).toHaveCount(0);
  await openConversation(buyer, conversation);
  await expect(messageBox(buyer)).toBeVisible();

  for (const c of [...contexts, nojs, stranger]) await c.close();
});

test('a visitor is asked to log in before messaging a seller', async ({ browser }) => {
  const { contexts, seller, admin } = await sellerAdminBuyer(browser);
  const id = await approvedListing(seller, admin, `Desk lamp ${freshName('lamp')}`, 'fixed', '400');
  const visitor = await browser.newContext();
  const page = await visitor.newPage();
  await page.goto(`/l/${id}`);
  await hydrated(page);
  await page.getByRole('button', { name: 'Message seller' }).click();
  await expect(page).toHaveURL(new RegExp(`/login\\?next=/l/${id}$`));
  for (const c of [...contexts, visitor]) await c.close();
});
