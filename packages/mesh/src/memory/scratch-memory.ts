import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Reusable memory for a generation's large temporary arrays (masks, distance fields, heights,
 * queues: ~100 MB at 1024²). Fresh memory costs a page fault on first touch, which in the VMs we
 * run on is ~12 µs per 4 KB page: more than the pixel loops themselves. So each generation bump-
 * allocates from an arena that a previous generation already touched, and hands it back when done.
 * Outside `withScratchMemory` (unit tests) the helpers allocate normally.
 */
const CHUNK_BYTES = 32 * 1024 * 1024;
/** Smaller arrays live happily on V8's heap. */
const MIN_ARENA_BYTES = 64 * 1024;
/** Arenas kept between generations; more only while generations overlap. */
const MAX_IDLE_ARENAS = 2;

class Arena {
  private readonly chunks: ArrayBuffer[] = [];
  private chunk = 0;
  private offset = 0;

  /** Returns a chunk and a byte offset with `bytes` free, 8-byte aligned. */
  take(bytes: number): [ArrayBuffer, number] {
    const size = Math.ceil(bytes / 8) * 8;
    while (this.chunk < this.chunks.length && this.offset + size > this.chunks[this.chunk]!.byteLength) {
      this.chunk++;
      this.offset = 0;
    }
    if (this.chunk === this.chunks.length) this.chunks.push(new ArrayBuffer(Math.max(CHUNK_BYTES, size)));
    const start = this.offset;
    this.offset += size;
    return [this.chunks[this.chunk]!, start];
  }

  reset(): void {
    this.chunk = 0;
    this.offset = 0;
  }
}

const current = new AsyncLocalStorage<Arena>();
const idle: Arena[] = [];

/** Runs `work` with scratch arrays drawn from a reused arena; they must not outlive it. */
export async function withScratchMemory<T>(work: () => Promise<T>): Promise<T> {
  const arena = idle.pop() ?? new Arena();
  try {
    return await current.run(arena, work);
  } finally {
    arena.reset();
    if (idle.length < MAX_IDLE_ARENAS) idle.push(arena);
  }
}

type TypedArrayConstructor<T> = { new (length: number): T; new (buffer: ArrayBuffer, byteOffset: number, length: number): T; BYTES_PER_ELEMENT: number };

/**
 * An array like `new Type(length)`, from the current arena when there is one. Unless `zeroed`, it
 * holds whatever a previous generation left there: only for arrays the caller writes in full
 * before reading (zeroing costs real time at ~100 MB per generation).
 */
function scratch<T extends { fill(value: number): T }>(Type: TypedArrayConstructor<T>, length: number, zeroed: boolean): T {
  const arena = current.getStore();
  const bytes = length * Type.BYTES_PER_ELEMENT;
  if (!arena || bytes < MIN_ARENA_BYTES) return new Type(length);
  const [buffer, offset] = arena.take(bytes);
  const array = new Type(buffer, offset, length);
  return zeroed ? array.fill(0) : array;
}

export const scratchFloat32 = (length: number): Float32Array => scratch(Float32Array, length, true);
export const scratchUint8 = (length: number): Uint8Array => scratch(Uint8Array, length, true);
export const scratchInt32 = (length: number): Int32Array => scratch(Int32Array, length, true);

/** Uninitialised: the caller must write every element before reading any. */
export const uninitialisedFloat32 = (length: number): Float32Array => scratch(Float32Array, length, false);
export const uninitialisedFloat64 = (length: number): Float64Array => scratch(Float64Array, length, false);
export const uninitialisedInt32 = (length: number): Int32Array => scratch(Int32Array, length, false);
export const uninitialisedUint32 = (length: number): Uint32Array => scratch(Uint32Array, length, false);
export const uninitialisedUint8 = (length: number): Uint8Array => scratch(Uint8Array, length, false);
