// opencc-js publishes its core and per-dictionary modules through its exports without types for
// the dictionaries. Each dictionary is one string: "from to|from to|…".
declare module 'opencc-js/dict/STCharacters' {
  const dict: string;
  export default dict;
}
declare module 'opencc-js/dict/TWVariants' {
  const dict: string;
  export default dict;
}
