// Vite's `?worker&url` imports (renderer/src/lib/audio/worklet-modules.ts): the URL of a separately bundled module.
declare module '*?worker&url' {
  const url: string;
  export default url;
}
