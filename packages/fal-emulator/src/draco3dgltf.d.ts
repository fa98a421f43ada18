/** draco3dgltf ships no types; the WebAssembly modules are handed to glTF-Transform as they are. */
declare module 'draco3dgltf' {
  export function createDecoderModule(): Promise<unknown>;
  export function createEncoderModule(): Promise<unknown>;
}
