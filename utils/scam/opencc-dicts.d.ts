// opencc-js publishes its per-dictionary modules through the "./*" export without types.
// Each is one string: "trad simp|trad simp|…".
declare module 'opencc-js/dict/TSCharacters' {
  const dict: string;
  export default dict;
}
