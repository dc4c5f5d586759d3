import { SetMetadata } from '@nestjs/common';

export const ACCEPT_EXTERNAL_ISSUERS_KEY = 'acceptExternalIssuers';

/**
 * Lets tokens of the trusted EXTERNAL_ISSUERS reach a route (or every route of a controller). Deny by
 * default: routes that act on Warden's own accounts and sessions never see a principal without them.
 */
export const AcceptExternalIssuers = () => SetMetadata(ACCEPT_EXTERNAL_ISSUERS_KEY, true);
