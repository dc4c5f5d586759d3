// proxy-addr (an Express dependency) ships no types; only `compile` is used, to validate TRUST_PROXY.
declare module 'proxy-addr' {
  function compile(trust: string | string[]): (address: string, hop: number) => boolean;
  export default { compile };
}
