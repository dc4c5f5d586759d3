import { h, heading } from '../dom';

export function notFoundView(): Node {
  return h(
    'div',
    { class: 'view', testid: 'view-not-found' },
    heading('Page not found'),
    h('p', {}, 'There is nothing at this address. ', h('a', { href: '#/' }, 'Go to the start page'), '.'),
  );
}

export function forbiddenView(): Node {
  return h(
    'div',
    { class: 'view', testid: 'view-forbidden' },
    heading('Admins only'),
    h(
      'p',
      {},
      'This screen needs the admin role. An operator can grant it with ',
      h('code', {}, 'npm run cli -- user:promote <email>'),
      '.',
    ),
  );
}
