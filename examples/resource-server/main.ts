// npx tsc -p examples/resource-server && node dist-example/main.js   (settings: WARDEN_JWKS_URL, WARDEN_ISSUER,
// WARDEN_AUDIENCE, PORT; defaults match a local Warden on :3000)
import { main } from './server';

main();
