import { boolean, duration } from '../config/readers';
import { defineSettings } from '../config/settings';

/** DPoP (RFC 9449): how old a proof may be, and whether proofs must carry a server nonce. */
export const dpopConfig = defineSettings(
  'dpop',
  {
    DPOP_PROOF_MAX_AGE: duration('60s', 5, 300, 'the replay cache must hold every proof still young enough to pass'),
    DPOP_NONCE: boolean(false),
  },
  (values) => ({ proofMaxAgeSeconds: values.DPOP_PROOF_MAX_AGE, nonce: values.DPOP_NONCE }),
);
